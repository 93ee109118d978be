import Foundation
import LockstepCore
import LockstepCrypto

/// A Google Cloud project as a credential source for Gemini API keys: every rotation creates a
/// key with the restrictions of the key in use (so the new key may call exactly what the old one
/// could), while the key in use keeps working; once the gateway runs on the new key, the key that
/// held the old value is deleted, and the Gemini API must refuse it. The API lists keys without
/// their values, so keys are told apart by reading each one's value (`getKeyString`) and comparing
/// it in constant time; no value is ever put in a URL (`lookupKey` would).
public struct GoogleKeySource: KeySourcePort {
    let client: GoogleKeysClient
    let project: GoogleProject
    let refusal: RefusalChecks
    let now: @Sendable () -> Date

    public init(project: GoogleProject, client: GoogleKeysClient, refusal: RefusalChecks = RefusalChecks(), now: @escaping @Sendable () -> Date = Date.init) {
        self.project = project
        self.client = client
        self.refusal = refusal
        self.now = now
    }

    /// The service account holds every permission a rotation needs (else 403 and exit 22 before
    /// anything changes), and exactly one key of the project holds `current`.
    public func preflight(current: SecretBytes) async throws -> String {
        let held = try await client.heldPermissions()
        let lacking = GoogleKeysClient.rotationPermissions.filter { !held.contains($0) }
        guard lacking.isEmpty else {
            throw ProviderError(.forbidden, status: 403, "\(client.account.email) lacks \(lacking.joined(separator: ", ")) on project \(project.project): "
                + "grant it the role API Keys Admin (roles/serviceusage.apiKeysAdmin); nothing was changed")
        }
        let (key, _) = try await match(current, what: "the current value")
        return "Google \(key.described) of project \(project.project) is the current value"
    }

    public func mint(replacing current: SecretBytes) async throws -> SecretBytes {
        let (key, _) = try await match(current, what: "the current value")
        let id = keyID()
        return try await client.create(id: id, displayName: id, restrictions: key.restrictions).value
    }

    public func retire(_ old: SecretBytes, keeping current: SecretBytes) async throws -> String {
        let (kept, keys) = try await match(current, what: "the current value")
        var fitting: [GoogleKeysClient.Key] = []
        for (key, value) in keys where key.name != kept.name && value.constantTimeEquals(old) { fitting.append(key) }
        var done = "the old key was no longer a key of \(project.project)"
        for key in fitting {
            try await client.delete(key)
            done = fitting.count == 1 ? "\(key.described) deleted (it can be undeleted for 30 days)" : "\(fitting.count) keys holding the old value deleted"
        }
        try await refusal.confirm(done, provider: "the Gemini API") { try await client.refuses(old) }
        return "\(done); the Gemini API refuses it"
    }

    /// `PREFIX-20260105-090000-a1b2` (UTC, and 4 random hex digits so that two runs in one second
    /// do not collide): a valid key id (lowercase, digits, -, at most 61), as a person sees it in the console.
    func keyID() -> String { MintedName.stamped(project.keyPrefix, at: now()) + String(format: "-%04x", UInt16.random(in: 0...UInt16.max)) }

    /// The one key of the project whose value is `value`, and every key with its value (read once).
    private func match(_ value: SecretBytes, what: String) async throws -> (GoogleKeysClient.Key, [(GoogleKeysClient.Key, SecretBytes)]) {
        var keys: [(GoogleKeysClient.Key, SecretBytes)] = []
        for key in try await client.keys() { keys.append((key, try await client.keyString(key))) }
        let fitting = keys.filter { $0.1.constantTimeEquals(value) }.map(\.0)
        guard fitting.count == 1, let key = fitting.first else {
            throw ProviderError(.mismatch, status: nil, fitting.isEmpty
                ? "no API key of project \(project.project) holds \(what): it was deleted outside Lockstep, or belongs to another project; import the key the gateway uses (lockstep credential import)"
                : "\(fitting.count) API keys of project \(project.project) hold \(what) (\(fitting.map(\.described).joined(separator: ", "))): Lockstep cannot tell which one is in use")
        }
        return (key, keys)
    }
}
