import LockstepCore
import LockstepCrypto

/// The alternating protocol on an Azure account's two keys, as a credential source: the key the
/// gateway uses stays valid while the other one is regenerated and rolled out; once the gateway
/// is verified on it, the key it used before is regenerated too, and the old value is dead.
public struct AzureKeySource: KeySourcePort {
    let client: AzureKeysClient
    let account: AzureAccount

    public init(account: AzureAccount, client: AzureKeysClient) {
        self.account = account
        self.client = client
    }

    public func preflight(current: SecretBytes) async throws -> String {
        let keys = try await client.listKeys()
        guard let slot = keys.slot(of: current) else { throw mismatch("before the run") }
        return "Azure account \(account.account): the current value is \(slot.rawValue), \(slot.other.rawValue) will be regenerated"
    }

    public func mint(replacing current: SecretBytes) async throws -> SecretBytes {
        let keys = try await client.listKeys()
        guard let slot = keys.slot(of: current) else { throw mismatch("before minting") }
        let after = try await client.regenerate(slot.other)
        guard after.slot(of: current) == slot else {
            throw ProviderError(.mismatch, status: nil, "after regenerateKey \(slot.other.rawValue), \(slot.rawValue) of \(account.resourcePath) no longer holds the current value: someone else is changing the account's keys")
        }
        return after[slot.other]
    }

    public func retire(_ old: SecretBytes, keeping current: SecretBytes) async throws -> String {
        let keys = try await client.listKeys()
        guard let kept = keys.slot(of: current) else { throw mismatch("before retiring the old key") }
        guard let slot = keys.slot(of: old), slot != kept else {
            return "the old value is no longer a key of \(account.account) (retired before)"
        }
        let after = try await client.regenerate(slot)
        guard after.slot(of: old) == nil, after.slot(of: current) == kept else {
            throw ProviderError(.mismatch, status: nil, "after regenerateKey \(slot.rawValue) the keys of \(account.resourcePath) are not as expected: someone else is changing them")
        }
        return "\(slot.rawValue) of \(account.account) regenerated, \(kept.rawValue) (current) kept"
    }

    private func mismatch(_ when: String) -> ProviderError {
        ProviderError(.mismatch, status: nil, "neither key of \(account.resourcePath) is the vault's current value \(when): "
            + "the key was changed at Azure outside Lockstep; import the key the gateway uses (lockstep credential import) or rotate it by hand once")
    }
}
