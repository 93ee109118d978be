import Foundation
import LockstepCore
import LockstepCrypto

/// An OpenAI project as a credential source: every rotation creates a service account whose API
/// key becomes the new value, while the key in use keeps working; once the gateway runs on the
/// new key, the service account that owned the old one is deleted (with its keys), or, when a
/// person owns the old key, that key alone; then OpenAI must refuse it. Keys are found by their
/// redacted form (first and last characters), the only thing of a value the Admin API shows.
public struct OpenAIKeySource: KeySourcePort {
    let client: OpenAIAdminClient
    let project: OpenAIProject
    let refusal: RefusalChecks
    let now: @Sendable () -> Date

    public init(project: OpenAIProject, client: OpenAIAdminClient, refusal: RefusalChecks = RefusalChecks(), now: @escaping @Sendable () -> Date = Date.init) {
        self.project = project
        self.client = client
        self.refusal = refusal
        self.now = now
    }

    public func preflight(current: SecretBytes) async throws -> String {
        let key = try match(current, in: try await client.keys(), what: "the current value")
        return "OpenAI \(key.described) of project \(project.project) is the current value"
    }

    public func mint(replacing current: SecretBytes) async throws -> SecretBytes {
        try await client.createServiceAccount(named: serviceAccountName()).value
    }

    public func retire(_ old: SecretBytes, keeping current: SecretBytes) async throws -> String {
        let keys = try await client.keys()
        let kept = try match(current, in: keys, what: "the current value")
        let fitting = keys.filter { $0.fits(old) && $0.id != kept.id }
        guard fitting.count <= 1 else {
            throw ProviderError(.mismatch, status: nil, "\(fitting.count) keys of \(project.project) fit the old value (\(fitting.map(\.id).joined(separator: ", "))): "
                + "Lockstep cannot tell which one to delete; delete it in the project's settings")
        }
        var done = "the old key was no longer a key of \(project.project)"
        if let key = fitting.first {
            if let account = key.serviceAccount, account != kept.serviceAccount {
                try await client.deleteServiceAccount(account)
                done = "service account \(account) (owner of key \(key.id)) deleted"
            } else {
                // A person's key, or a second key of the service account that holds the current one.
                try await client.deleteKey(key.id)
                done = "key \(key.id) deleted"
            }
        }
        try await refusal.confirm(done, provider: "OpenAI") { try await client.refuses(old) }
        return "\(done); OpenAI refuses it"
    }

    /// `PREFIX-20260105-090000` (UTC): whose it is and when it was made, as a person sees it in the dashboard.
    func serviceAccountName() -> String { MintedName.stamped(project.serviceAccountPrefix, at: now()) }

    /// The one key of the project whose redacted form fits `value`.
    private func match(_ value: SecretBytes, in keys: [OpenAIAdminClient.Key], what: String) throws -> OpenAIAdminClient.Key {
        let fitting = keys.filter { $0.fits(value) }
        guard fitting.count == 1, let key = fitting.first else {
            throw ProviderError(.mismatch, status: nil, fitting.isEmpty
                ? "no API key of project \(project.project) fits \(what): it was deleted or changed outside Lockstep, or belongs to another project; import the key the gateway uses (lockstep credential import)"
                : "\(fitting.count) API keys of project \(project.project) fit \(what) (\(fitting.map(\.id).joined(separator: ", "))): Lockstep cannot tell which one is in use")
        }
        return key
    }
}
