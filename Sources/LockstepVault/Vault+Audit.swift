import Foundation
import GRDB
import LockstepAudit
import LockstepCore
import LockstepCrypto

extension Vault {
    /// Appends a signed entry inside the caller's transaction, so the entry and the change it
    /// records commit together or not at all (fail closed).
    @discardableResult
    /// `valuesSealedUnder` is the key the stored values are sealed under at this point of the
    /// transaction, when that is not the vault's key (inside a rekey).
    func appendAudit(_ db: Database, _ draft: AuditDraft, valuesSealedUnder sealingKey: SecretBytes? = nil) throws -> AuditEntry {
        // The one place every entry passes (CLI, daemon, engine): screen it here, so no path can bypass it.
        try refuseStoredValues(db, in: draft, sealedUnder: sealingKey ?? key)
        let head = try AuditLogStore.head(db)
        let entry = try AuditChain.seal(draft, after: head, time: clock.now(), signer: signer)
        var line = AuditJSONLines.line(entry)
        line.removeLast() // stored without the newline
        try db.execute(sql: "INSERT INTO audit (seq, time_ms, action, credential, hash, entry) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [Int64(entry.seq), entry.time.millisecondsSinceEpoch, entry.action.rawValue, entry.credential, Data(entry.hash), Data(line)])
        return entry
    }

    /// Records an action that changes nothing else in the vault (e.g. a check), in its own transaction.
    @discardableResult
    public func audit(_ draft: AuditDraft) throws -> AuditEntry {
        try transaction { db in try appendAudit(db, draft) }
    }

    /// The audit log, read through the same path an auditor uses.
    public var auditLog: AuditLogStore { AuditLogStore(reader: pool, path: path, openMode: openMode) }
}

/// Read access to the audit log. Needs read access to the vault file, never the vault key:
/// the audit log holds no secret.
public struct AuditLogStore: Sendable {
    let reader: any DatabaseReader
    let path: String
    /// How the vault was opened: read-only (or immutable) when opened with `open(vaultAt:)`.
    public let openMode: VaultOpenMode

    /// Opens the audit log of the vault at `path` read-only, without a key.
    public static func open(vaultAt path: String) throws -> AuditLogStore {
        let (reader, mode) = try Vault.openReadOnly(path)
        return AuditLogStore(reader: reader, path: path, openMode: mode)
    }

    /// The audit public key stored in the vault (Base64 for auditors).
    public func publicKey() throws -> [UInt8] {
        try VaultMeta.read(reader, path: path).auditPublicKey
    }

    static func head(_ db: Database) throws -> AuditHead? {
        guard let row = try Row.fetchOne(db, sql: "SELECT seq, hash, entry FROM audit ORDER BY seq DESC LIMIT 1") else { return nil }
        let seq: Int64 = row["seq"]
        let hash: Data = row["hash"]
        // The head goes to auditors and the next entry chains from it: it must be the signed
        // entry's own hash, not just the column beside it.
        guard let entry = try? AuditJSONLines.decode(Array(row["entry"] as Data)), entry.seq == UInt64(seq), entry.hash == Array(hash) else {
            throw VaultError(.damaged, "the audit log's last entry (seq \(seq)) does not match its stored hash", hint: "run `lockstep vault check`; restore the vault from a backup")
        }
        return AuditHead(seq: UInt64(seq), hash: Array(hash))
    }

    /// `SEQ:HASH` of the last entry.
    public func head() throws -> AuditHead? {
        try Vault.mapDatabaseErrors(path) { try reader.read { try Self.head($0) } }
    }

    /// Filter for exports.
    public struct Filter: Sendable {
        public var since: Timestamp?
        public var until: Timestamp?
        public var credential: String?
        public init(since: Timestamp? = nil, until: Timestamp? = nil, credential: String? = nil) {
            self.since = since
            self.until = until
            self.credential = credential
        }
    }

    /// Stored JSON lines (without newline) in seq order, filtered.
    public func lines(_ filter: Filter = Filter()) throws -> [[UInt8]] {
        var sql = "SELECT entry FROM audit WHERE 1 = 1"
        var args: [any DatabaseValueConvertible] = []
        if let s = filter.since { sql += " AND time_ms >= ?"; args.append(s.millisecondsSinceEpoch) }
        if let u = filter.until { sql += " AND time_ms <= ?"; args.append(u.millisecondsSinceEpoch) }
        if let c = filter.credential { sql += " AND credential = ?"; args.append(c) }
        sql += " ORDER BY seq"
        return try Vault.mapDatabaseErrors(path) {
            try reader.read { db in
                try Data.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map { Array($0) }
            }
        }
    }

    /// Decoded entries (seq order), filtered.
    public func entries(_ filter: Filter = Filter()) throws -> [AuditEntry] {
        try lines(filter).enumerated().map { i, line in
            do { return try AuditJSONLines.decode(line) } catch {
                throw VaultError(.damaged, "audit entry at row \(i + 1) of \(path) is unreadable: \(error)", hint: "run `lockstep audit verify --vault \(path)`")
            }
        }
    }

    /// Verifies the whole log in place: the signed lines as an auditor would, then the columns
    /// stored beside them (seq, hash, time, action, credential) against the entries. The hash
    /// column is what `audit head` hands to auditors and what the next entry chains from, and
    /// the others select exports, so a column that disagrees with its entry is a failure at its seq.
    public func verify(head: AuditHead? = nil, publicKey: [UInt8]? = nil) throws -> AuditVerificationReport {
        let key = try publicKey ?? self.publicKey()
        let rows = try Vault.mapDatabaseErrors(path) {
            try reader.read { db in try Row.fetchAll(db, sql: "SELECT seq, time_ms, action, credential, hash, entry FROM audit ORDER BY seq") }
        }
        var report = AuditVerifier(publicKey: key).verify(lines: rows.map { Array(($0["entry"] as Data))[...] }, head: head)
        guard report.ok else { return report }
        for (i, row) in rows.enumerated() {
            guard let e = try? AuditJSONLines.decode(Array(row["entry"] as Data)) else { continue } // the verifier read every line
            let hash: Data = row["hash"]
            let problem: String? =
                Int64(e.seq) != row["seq"] ? "the stored seq column is \(row["seq"] as Int64)" :
                Array(hash) != e.hash ? "the stored hash column is not the entry's hash (`audit head` and the next entry would use the wrong one)" :
                e.time.millisecondsSinceEpoch != row["time_ms"] ? "the stored time column is not the entry's time" :
                e.action.rawValue != row["action"] as String? ? "the stored action column is not the entry's action" :
                e.credential != row["credential"] ? "the stored credential column is not the entry's credential" : nil
            if let problem {
                report.failure = AuditFailure(kind: .hashMismatch, seq: e.seq, line: i + 1, message: "\(problem); restore the vault from a backup")
                return report
            }
        }
        return report
    }
}
