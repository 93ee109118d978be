import LockstepAudit
import LockstepCore
import LockstepCrypto

/// The SQLite vault as the engine's store: its secret store, run journal and audit sink.
extension Vault: SecretStore, RunJournal, AuditSink {
    public func record(_ draft: AuditDraft) throws { _ = try audit(draft) }
}
