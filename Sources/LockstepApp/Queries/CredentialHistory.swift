import LockstepAudit
import LockstepCore
import LockstepVault

/// A credential's versions, its rotation runs and its audit entries: what `lockstep history`
/// prints and the admin API's history answers. Reads need no key (no value is in any of them).
public struct CredentialHistory: Sendable {
    public let credential: CredentialRecord
    public let runs: [RunRecord]
    public let audit: [AuditEntry]

    /// From an open vault's catalog and audit log.
    public static func read(_ name: String, catalog: VaultCatalog, auditLog: AuditLogStore) throws -> CredentialHistory {
        CredentialHistory(credential: try catalog.credential(name), runs: try catalog.runs(of: name), audit: try auditLog.entries(.init(credential: name)))
    }

    /// From the vault file at `path`, without its key.
    public static func read(_ name: String, vaultAt path: String) throws -> CredentialHistory {
        try read(name, catalog: try VaultCatalog.open(vaultAt: path), auditLog: try AuditLogStore.open(vaultAt: path))
    }
}
