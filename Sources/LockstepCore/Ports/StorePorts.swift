import LockstepCrypto

/// Where credential values live, sealed: what the rotation engine reads and changes. The SQLite
/// vault (LockstepVault) is one adapter; an in-memory one (LockstepTesting) backs the fast engine
/// tests. Every change is audited by the adapter in the same transaction as the change itself.
public protocol SecretStore: Sendable {
    /// The credential and its versions, newest first; throws when there is no such credential.
    func credential(_ name: String) throws -> CredentialRecord
    /// A version's value (the current one when `version` is nil), unsealed.
    func value(of credential: String, version: Int?) throws -> SecretBytes
    /// The keyed fingerprint an audit entry names a value by (never the value).
    func fingerprint(of value: SecretBytes) throws -> String
    /// Stores `value` as the `pending` version of run `runID`. Idempotent per run: called again
    /// after a crash it returns the version created the first time.
    func createPendingVersion(credential: String, value: SecretBytes, source: VersionSource, runID: String, actor: AuditActor) throws -> VersionRecord
    /// The new version becomes `current`, the old one `previous` (or `revoked`).
    func promote(credential: String, newVersion: Int, revoked: Bool, actor: AuditActor, runID: String) throws
    /// The new version becomes `failed` (after a rollback restored the old value everywhere).
    func markFailed(credential: String, version: Int, actor: AuditActor, runID: String, reason: String) throws
}

extension SecretStore {
    /// The current value of `credential`.
    public func value(of credential: String) throws -> SecretBytes { try value(of: credential, version: nil) }
}

/// The journal of rotation runs: a run's state after every step, so that a restarted process
/// resumes exactly where the last one stopped. Each save carries the step's audit entry, written
/// in the same transaction (fail closed: no entry, no state change).
public protocol RunJournal: Sendable {
    /// Starts a journaled run (refusing a second active run of the same credential) and records
    /// `rotation.started`.
    func beginRun(_ run: RotationRun, actor: AuditActor, reason: String?) throws
    func saveRun(_ run: RotationRun, audit: AuditDraft?) throws
    /// Runs that were not finished, oldest first.
    func unfinishedRuns() throws -> [RotationRun]
}

/// The tamper-evident audit log, as a writer sees it.
public protocol AuditSink: Sendable {
    /// Appends one entry (signed and chained by the adapter).
    func record(_ draft: AuditDraft) throws
    /// Refuses free text (a reason, an actor id) that quotes a stored value: it would end up in
    /// the audit log. `field` names it in the error.
    func refuseStoredValues(in fields: [(field: String, text: String?)]) throws
}

/// Everything the rotation engine needs from storage.
public typealias RotationStore = SecretStore & RunJournal & AuditSink

/// Random bytes for new values, written straight into guarded memory (never an ordinary array).
public protocol RandomSource: Sendable {
    func randomSecret(count: Int) throws -> SecretBytes
}

/// libsodium's CSPRNG (`randombytes_buf`).
public struct SystemRandom: RandomSource {
    public init() {}
    public func randomSecret(count: Int) throws -> SecretBytes { try SecretBytes.random(count: count) }
}
