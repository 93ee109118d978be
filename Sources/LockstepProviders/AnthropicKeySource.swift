import LockstepCore
import LockstepCrypto

/// Anthropic as a credential source: a person mints the new key in the Console (the Admin API
/// cannot); once the gateway runs on it, Lockstep sets the old key `inactive` and checks that
/// Anthropic refuses it. Keys are found by their hint (first and last characters), the only
/// thing of a value the Admin API shows.
public struct AnthropicKeySource: KeySourcePort {
    let client: AnthropicAdminClient
    /// How often, and how far apart, the refusal of a deactivated key is checked.
    let refusal: RefusalChecks

    public init(client: AnthropicAdminClient, refusalChecks: Int = 10, refusalPause: Duration = .seconds(1), clock: any Clock<Duration> = ContinuousClock()) {
        self.client = client
        self.refusal = RefusalChecks(count: refusalChecks, pause: refusalPause, clock: clock)
    }

    public func preflight(current: SecretBytes) async throws -> String {
        let key = try match(current, in: try await client.activeKeys(), what: "the current value")
        return "Anthropic key \(key.id) (\(key.name)) is the current value and active"
    }

    public func mint(replacing current: SecretBytes) async throws -> SecretBytes {
        throw ProviderError(.unexpected, status: nil, "Anthropic's Admin API cannot create keys: the new value comes from a person (--value-from-stdin)")
    }

    public func retire(_ old: SecretBytes, keeping current: SecretBytes) async throws -> String {
        let active = try await client.activeKeys()
        let kept = try match(current, in: active, what: "the current value")
        var done = "the old key was no longer active"
        if let key = active.first(where: { $0.fits(old) && $0.id != kept.id }) {
            let after = try await client.deactivate(key.id)
            guard after.status == "inactive" else {
                throw ProviderError(.unexpected, status: nil, "Anthropic answered key \(key.id) is \(after.status) after setting it inactive")
            }
            done = "key \(key.id) (\(key.name)) set inactive"
        }
        try await refusal.confirm(done, provider: "Anthropic") { try await client.refuses(old) }
        return "\(done); Anthropic refuses it"
    }

    /// The one active key whose hint fits `value`.
    private func match(_ value: SecretBytes, in keys: [AnthropicAdminClient.Key], what: String) throws -> AnthropicAdminClient.Key {
        let fitting = keys.filter { $0.fits(value) }
        guard fitting.count == 1, let key = fitting.first else {
            throw ProviderError(.mismatch, status: nil, fitting.isEmpty
                ? "no active key of the organization fits \(what): it was deactivated or changed outside Lockstep; import the key the gateway uses (lockstep credential import)"
                : "\(fitting.count) active keys fit \(what) (\(fitting.map(\.id).joined(separator: ", "))): Lockstep cannot tell which one to keep")
        }
        return key
    }
}
