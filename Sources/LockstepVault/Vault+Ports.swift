import Foundation
import GRDB
import LockstepAudit
import LockstepCore
import LockstepCrypto

/// The SQLite vault as the engine's store: its secret store, run journal and audit sink.
extension Vault: SecretStore, RunJournal, AuditSink {
    public func record(_ draft: AuditDraft) throws { _ = try audit(draft) }
}

extension Vault: AuditHistory {
    public func events(by actor: AuditActor) throws -> [AuditedEvent] { try auditLog.events(by: actor) }
}

extension AuditLogStore: AuditHistory {
    /// Read with SQLite's JSON functions on the stored canonical entry (the audit table has no
    /// actor column), so that an incident's entries are found without decoding the whole log.
    public func events(by actor: AuditActor) throws -> [AuditedEvent] {
        let sql = """
            SELECT entry FROM audit
            WHERE json_extract(CAST(entry AS TEXT), '$.actor.kind') = ? AND json_extract(CAST(entry AS TEXT), '$.actor.id') = ?
            ORDER BY seq
            """
        let lines = try Vault.mapDatabaseErrors(path) {
            try reader.read { db in try Data.fetchAll(db, sql: sql, arguments: [actor.kind.rawValue, actor.id]).map { Array($0) } }
        }
        return try lines.map { line in
            let e = try AuditJSONLines.decode(line)
            return AuditedEvent(time: e.time, action: e.action, credential: e.credential, outcome: e.outcome, detail: e.detail)
        }
    }
}
