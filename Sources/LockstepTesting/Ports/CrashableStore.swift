import LockstepCore
import LockstepCrypto

/// A store (the real SQLite vault, typically) whose process can crash: after ``CrashSwitch/trip()``
/// every call throws, as a dead process journals nothing more. Reads and writes both stop.
public struct CrashableStore: RotationStore {
    let store: any RotationStore
    let crash: CrashSwitch

    public init(_ store: any RotationStore, crash: CrashSwitch) {
        self.store = store
        self.crash = crash
    }

    public func credential(_ name: String) throws -> CredentialRecord { try crash.check(); return try store.credential(name) }
    public func value(of credential: String, version: Int?) throws -> SecretBytes { try crash.check(); return try store.value(of: credential, version: version) }
    public func fingerprint(of value: SecretBytes) throws -> String { try crash.check(); return try store.fingerprint(of: value) }
    public func createPendingVersion(credential: String, value: SecretBytes, source: VersionSource, runID: String, actor: AuditActor) throws -> VersionRecord {
        try crash.check()
        return try store.createPendingVersion(credential: credential, value: value, source: source, runID: runID, actor: actor)
    }
    public func promote(credential: String, newVersion: Int, revoked: Bool, actor: AuditActor, runID: String) throws {
        try crash.check()
        try store.promote(credential: credential, newVersion: newVersion, revoked: revoked, actor: actor, runID: runID)
    }
    public func markFailed(credential: String, version: Int, actor: AuditActor, runID: String, reason: String) throws {
        try crash.check()
        try store.markFailed(credential: credential, version: version, actor: actor, runID: runID, reason: reason)
    }
    public func beginRun(_ run: RotationRun, actor: AuditActor, reason: String?) throws { try crash.check(); try store.beginRun(run, actor: actor, reason: reason) }
    public func saveRun(_ run: RotationRun, audit: AuditDraft?) throws { try crash.check(); try store.saveRun(run, audit: audit) }
    public func unfinishedRuns() throws -> [RotationRun] { try crash.check(); return try store.unfinishedRuns() }
    public func record(_ draft: AuditDraft) throws { try crash.check(); try store.record(draft) }
    public func refuseStoredValues(in fields: [(field: String, text: String?)]) throws { try crash.check(); try store.refuseStoredValues(in: fields) }
}
