import Foundation
import GRDB
import LockstepAudit
import LockstepCore
import LockstepCrypto

extension Vault {
    /// Starts a journaled run, refusing a second active run for the same credential, and
    /// records `rotation.started` in the same transaction.
    public func beginRun(_ run: RotationRun, actor: AuditActor, reason: String?) throws {
        let now = clock.now()
        let state = try JSONEncoder().encode(run)
        try transaction { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM credential WHERE name = ?", arguments: [run.credential]) == true else {
                throw VaultError(.unknownCredential, "no credential named \(run.credential) in vault \(path)", hint: "adopt it first with `lockstep credential import \(run.credential)`")
            }
            if let other = try String.fetchOne(db, sql: "SELECT id FROM rotation_run WHERE credential = ? AND finished_at IS NULL", arguments: [run.credential]) {
                throw VaultError(.busy, "a rotation of \(run.credential) is already in progress (run \(other))",
                                 hint: "wait for it, or resume it; only one run per credential may be active")
            }
            try db.execute(sql: "INSERT INTO rotation_run (id, credential, kind, state, started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [run.id, run.credential, run.kind.rawValue, state, now.rfc3339, now.rfc3339])
            try appendAudit(db, AuditDraft(actor: actor, action: AuditAction.rotationStarted, credential: run.credential, outcome: .started,
                                           detail: "run \(run.id); \(run.kind.rawValue); strategy \(run.strategy.rawValue)\(reason.map { "; reason: \($0)" } ?? "")"))
        }
    }

    /// Journals the run's new state, with the audit entry for the step in the same transaction
    /// (fail closed: if the entry cannot be written, the state does not move either).
    public func saveRun(_ run: RotationRun, audit draft: AuditDraft?) throws {
        let now = clock.now()
        let state = try JSONEncoder().encode(run)
        try transaction { db in
            try db.execute(sql: "UPDATE rotation_run SET state = ?, updated_at = ?, finished_at = ?, outcome = ? WHERE id = ?",
                           arguments: [state, now.rfc3339, run.isFinished ? now.rfc3339 : nil, run.isFinished ? run.phase.rawValue : nil, run.id])
            guard db.changesCount == 1 else { throw VaultError(.unknownCredential, "no rotation run \(run.id) in vault \(path)") }
            if let draft { try appendAudit(db, draft) }
        }
    }

    /// Runs that were not finished: what a restarted process must resume or roll back.
    public func unfinishedRuns() throws -> [RotationRun] {
        try read { db in
            try Data.fetchAll(db, sql: "SELECT state FROM rotation_run WHERE finished_at IS NULL ORDER BY started_at").map {
                try JSONDecoder().decode(RotationRun.self, from: $0)
            }
        }
    }

    /// Stores `value` as the `pending` version of a run. Idempotent per run: called again after
    /// a crash it returns the version created the first time (and ignores the new value).
    public func createPendingVersion(credential: String, value: SecretBytes, source: VersionSource, runID: String, actor: AuditActor) throws -> VersionRecord {
        do { try ValueRules.validate(value) } catch {
            throw VaultError(.invalidInput, "refused the new value of \(credential): \(error)", hint: "supply the exact value, without surrounding whitespace or a newline")
        }
        let fingerprint = try self.fingerprint(of: value)
        let now = clock.now()
        return try transaction { db in
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM version WHERE credential = ? AND run_id = ?", arguments: [credential, runID]) {
                return VaultCatalog.versionRecord(row)
            }
            if let current = try String.fetchOne(db, sql: "SELECT fingerprint FROM version WHERE credential = ? AND state = 'current'", arguments: [credential]), current == fingerprint {
                throw VaultError(.invalidInput, "the new value of \(credential) equals its current value", hint: "a rotation needs a different value")
            }
            let next = (try Int.fetchOne(db, sql: "SELECT MAX(version) FROM version WHERE credential = ?", arguments: [credential]) ?? 0) + 1
            let sealed = try AEAD.seal(value, key: key, associatedData: VaultContext.version(vaultID: vaultID, credential: credential, version: next))
            try db.execute(sql: """
                INSERT INTO version (credential, version, state, source, created_at, updated_at, fingerprint, sealed, run_id)
                VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?)
                """, arguments: [credential, next, source.rawValue, now.rfc3339, now.rfc3339, fingerprint, Data(sealed), runID])
            try appendAudit(db, AuditDraft(actor: actor, action: AuditAction.versionCreated, credential: credential, version: next,
                                           fingerprints: ["new": fingerprint], outcome: .success, detail: "run \(runID); source \(source.rawValue); pending"))
            return VersionRecord(credential: credential, version: next, state: .pending, source: source, createdAt: now, updatedAt: now, fingerprint: fingerprint)
        }
    }

    /// Finishes a rotation: `newVersion` becomes `current`, the old current becomes `previous`
    /// (or `revoked`), and an older `previous` is `retired`. One transaction with its audit entry.
    public func promote(credential: String, newVersion: Int, revoked: Bool, actor: AuditActor, runID: String) throws {
        let now = clock.now().rfc3339
        try transaction { db in
            let old = try Row.fetchOne(db, sql: "SELECT version, fingerprint FROM version WHERE credential = ? AND state = 'current'", arguments: [credential])
            guard let new = try String.fetchOne(db, sql: "SELECT fingerprint FROM version WHERE credential = ? AND version = ? AND state IN ('pending', 'current')", arguments: [credential, newVersion]) else {
                throw VaultError(.unknownCredential, "credential \(credential) has no pending version \(newVersion)")
            }
            if let oldVersion: Int = old?["version"], oldVersion == newVersion { return } // already promoted (resumed run)
            try db.execute(sql: "UPDATE version SET state = 'retired', updated_at = ? WHERE credential = ? AND state = 'previous'", arguments: [now, credential])
            try db.execute(sql: "UPDATE version SET state = ?, updated_at = ? WHERE credential = ? AND state = 'current'", arguments: [revoked ? "revoked" : "previous", now, credential])
            try db.execute(sql: "UPDATE version SET state = 'current', updated_at = ? WHERE credential = ? AND version = ?", arguments: [now, credential, newVersion])
            var fps = ["new": new]
            if let oldFP: String = old?["fingerprint"] { fps["old"] = oldFP }
            try appendAudit(db, AuditDraft(actor: actor, action: revoked ? AuditAction.credentialRevoked : AuditAction.rotationFinished, credential: credential,
                                           version: newVersion, fingerprints: fps, outcome: .success,
                                           detail: "run \(runID); v\(newVersion) current; \(old.map { "v\($0["version"] as Int) \(revoked ? "revoked" : "previous")" } ?? "no previous version")"))
        }
    }

    /// Marks a run's new version `failed` after a rollback restored the old value everywhere.
    public func markFailed(credential: String, version: Int, actor: AuditActor, runID: String, reason: String) throws {
        let now = clock.now().rfc3339
        try transaction { db in
            try db.execute(sql: "UPDATE version SET state = 'failed', updated_at = ? WHERE credential = ? AND version = ? AND state = 'pending'", arguments: [now, credential, version])
            try appendAudit(db, AuditDraft(actor: actor, action: AuditAction.rotationRolledBack, credential: credential, version: version,
                                           outcome: .failure, detail: "run \(runID); v\(version) failed; old value restored and verified; cause: \(reason)"))
        }
    }
}
