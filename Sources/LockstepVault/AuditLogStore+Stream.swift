import Foundation
import GRDB
import LockstepAudit

extension AuditLogStore {
    /// Verifies the log as a database cursor reads it, so that memory stays bounded by the
    /// verifier's batch whatever the log's length, and hands every entry line that verified to
    /// `accepted`, in seq order (a caller folds the log in the same pass; it must discard what it
    /// folded if the result is a failure). Unlike `verify` it does not compare the stored
    /// columns with the entries: a caller of this reads only the signed entries.
    public func verifyStreaming(head: AuditHead? = nil, publicKey: [UInt8]? = nil, accepted: ([UInt8]) -> Void) throws -> AuditVerificationReport {
        let key = try publicKey ?? self.publicKey()
        return try Vault.mapDatabaseErrors(path) {
            try reader.read { db in
                let rows = try Data.fetchCursor(db, sql: "SELECT entry FROM audit ORDER BY seq")
                var readError: (any Error)?
                let report = AuditVerifier(publicKey: key).verify(nextLine: {
                    do { return try rows.next().map { Array($0) } } catch { readError = error; return nil }
                }, head: head, accepted: accepted)
                if let readError { throw readError }
                return report
            }
        }
    }
}
