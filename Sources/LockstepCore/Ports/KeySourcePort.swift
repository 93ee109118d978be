import LockstepCrypto

/// A provider's admin API that mints and retires its own API keys (a credential source):
/// the engine asks it for the new value instead of a person, and after promotion has it make
/// the old value invalid at the provider. Both calls are idempotent, so a resumed run may
/// repeat them.
public protocol KeySourcePort: Sendable {
    /// Before anything changes: the admin credential is accepted and may read the keys, and
    /// `current` is one of them (else the vault and the provider disagree). Returns a detail.
    func preflight(current: SecretBytes) async throws -> String
    /// A new key the provider accepts now, while `current` (the key in use) keeps working.
    func mint(replacing current: SecretBytes) async throws -> SecretBytes
    /// Makes `old` invalid at the provider and leaves `current` working; a key already gone is
    /// success. Returns what was done, for the run's report (no key in it).
    func retire(_ old: SecretBytes, keeping current: SecretBytes) async throws -> String
}

/// Makes the adapter for a policy's source: nil for the sources that need none (generate,
/// manual). The daemon's and the CLI's reads the admin credential from the vault.
public typealias KeySourceFactory = @Sendable (_ source: RotationPolicy.Source) throws -> (any KeySourcePort)?

/// A source whose values are logins to a server Lockstep can try itself (a PostgreSQL user's
/// URL, a Redis ACL user's password): runs check the value there instead of through a gateway.
public protocol LoginCheckingSource: KeySourcePort {
    /// Whether the server lets `value` log in now; false for a refused password, an error for
    /// anything else (no answer, the admin credential refused).
    func accepts(_ value: SecretBytes) async throws -> Bool
}
