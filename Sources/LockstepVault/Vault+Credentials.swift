import Foundation
import GRDB
import LockstepAudit
import LockstepCore
import LockstepCrypto

extension Vault {
    /// Adopts a value in use today as version 1, `current`, of a new credential.
    /// The value is validated (not empty, no surrounding whitespace or newline, not `sk-1234`).
    /// `adoptedFrom` names where the value was read (Secret targets, never values); it goes into
    /// the audit entry's detail so that an auditor sees the adoption's source.
    @discardableResult
    public func importCredential(_ name: CredentialName, value: SecretBytes, kind: String = "generic", adoptedFrom: [String] = [], actor: AuditActor) throws -> VersionRecord {
        do { try ValueRules.validate(value) } catch {
            throw VaultError(.invalidInput, "refused to import \(name): \(error)", hint: "pipe the exact value, e.g. `printf %s \"$KEY\" | lockstep credential import \(name) ...`")
        }
        let fingerprint = try self.fingerprint(of: value)
        let sealed = try AEAD.seal(value, key: key, associatedData: VaultContext.version(vaultID: vaultID, credential: name.rawValue, version: 1))
        let now = clock.now()
        return try transaction { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM credential WHERE name = ?", arguments: [name.rawValue]) == true {
                throw VaultError(.alreadyExists, "credential \(name) exists already", hint: "rotate it instead (`lockstep rotate \(name)`), or choose another name")
            }
            try db.execute(sql: "INSERT INTO credential (name, kind, created_at) VALUES (?, ?, ?)", arguments: [name.rawValue, kind, now.rfc3339])
            try db.execute(sql: """
                INSERT INTO version (credential, version, state, source, created_at, updated_at, fingerprint, sealed)
                VALUES (?, 1, 'current', 'imported', ?, ?, ?, ?)
                """, arguments: [name.rawValue, now.rfc3339, now.rfc3339, fingerprint, Data(sealed)])
            try appendAudit(db, AuditDraft(actor: actor, action: AuditAction.credentialImported, credential: name.rawValue, version: 1,
                                           fingerprints: ["current": fingerprint],
                                           detail: "kind \(kind); adopted as current" + (adoptedFrom.isEmpty ? "" : " from \(adoptedFrom.joined(separator: ", "))")))
            return VersionRecord(credential: name.rawValue, version: 1, state: .current, source: .imported, createdAt: now, updatedAt: now, fingerprint: fingerprint)
        }
    }

    /// Every credential with its versions (newest first), by name.
    public func credentials() throws -> [CredentialRecord] { try catalog.credentials() }

    /// One credential, or `unknownCredential` with a hint.
    public func credential(_ name: String) throws -> CredentialRecord { try catalog.credential(name) }

    /// Names, versions, states and fingerprints, readable without the key.
    public var catalog: VaultCatalog { VaultCatalog(reader: pool, path: path, openMode: openMode) }

    /// Decrypts one version's value (the current one by default). A value that does not
    /// authenticate is reported as damage, naming the row.
    public func value(of name: String, version: Int? = nil) throws -> SecretBytes {
        let row = try read { db in
            if let version {
                return try Row.fetchOne(db, sql: "SELECT version, sealed FROM version WHERE credential = ? AND version = ?", arguments: [name, version])
            }
            return try Row.fetchOne(db, sql: "SELECT version, sealed FROM version WHERE credential = ? AND state = 'current'", arguments: [name])
        }
        guard let row else {
            throw VaultError(.unknownCredential, "credential \(name) has no \(version.map { "version \($0)" } ?? "current version")", hint: "`lockstep credential show \(name)` lists its versions")
        }
        let v: Int = row["version"]
        let sealed: Data = row["sealed"]
        return try Self.openSealed(Array(sealed), key: key, ad: VaultContext.version(vaultID: vaultID, credential: name, version: v),
                                   what: "version \(v) of \(name)", path: path)
    }

    /// Opens every sealed value, checks its stored fingerprint, and verifies the audit log with
    /// its stored columns: a full integrity check.
    /// Returns the number of versions checked.
    public func check() throws -> (versions: Int, audit: AuditVerificationReport) {
        let rows = try read { db in try Row.fetchAll(db, sql: "SELECT credential, version, sealed, fingerprint FROM version ORDER BY credential, version") }
        try SecretBytes.unlocked([key, fingerprintKey]) { try checkAll(rows) }
        return (rows.count, try auditLog.verify(publicKey: auditPublicKey))
    }

    private func checkAll(_ rows: [Row]) throws {
        for row in rows {
            let name: String = row["credential"]
            let v: Int = row["version"]
            let sealed: Data = row["sealed"]
            let value = try Self.openSealed(Array(sealed), key: key, ad: VaultContext.version(vaultID: vaultID, credential: name, version: v),
                                            what: "version \(v) of \(name)", path: path)
            // The fingerprint is what audit entries and `credential show` name the value by.
            guard try fingerprint(of: value) == row["fingerprint"] as String else {
                throw VaultError(.damaged, "vault \(path) is damaged: the stored fingerprint of version \(v) of \(name) does not match its value",
                                 hint: "restore the vault from a backup (docs/runbooks.md)")
            }
        }
    }

}

/// Read access to credential metadata (names, versions, states, times, fingerprints). Needs
/// read access to the vault file but not the key: none of it is secret.
public struct VaultCatalog: Sendable {
    let reader: any DatabaseReader
    let path: String
    /// How the vault was opened: read-only (or immutable) when opened with `open(vaultAt:)`.
    public let openMode: VaultOpenMode

    /// Opens the catalog of the vault at `path` read-only, without a key.
    public static func open(vaultAt path: String) throws -> VaultCatalog {
        let (reader, mode) = try Vault.openReadOnly(path)
        _ = try VaultMeta.read(reader, path: path)
        return VaultCatalog(reader: reader, path: path, openMode: mode)
    }

    public func credentials() throws -> [CredentialRecord] {
        try Vault.mapDatabaseErrors(path) {
            try reader.read { db in
                let versions = try Row.fetchAll(db, sql: "SELECT credential, version, state, source, created_at, updated_at, fingerprint FROM version ORDER BY credential, version DESC")
                    .map(Self.versionRecord)
                let grouped = Dictionary(grouping: versions, by: \.credential)
                return try Row.fetchAll(db, sql: "SELECT name, kind, created_at FROM credential ORDER BY name").map { row in
                    let name: String = row["name"]
                    return CredentialRecord(name: name, kind: row["kind"], createdAt: Timestamp(rfc3339: row["created_at"]) ?? Timestamp(millisecondsSinceEpoch: 0),
                                            versions: grouped[name] ?? [])
                }
            }
        }
    }

    public func credential(_ name: String) throws -> CredentialRecord {
        guard let record = try credentials().first(where: { $0.name == name }) else {
            throw VaultError(.unknownCredential, "no credential named \(name) in vault \(path)", hint: "`lockstep credential list` shows the names; `lockstep credential import` adopts a new one")
        }
        return record
    }

    /// Per credential: the outcome of its last finished run, and whether a run is unfinished.
    public func runSummary() throws -> [String: (lastOutcome: String?, inProgress: Bool)] {
        try Vault.mapDatabaseErrors(path) {
            try reader.read { db in
                var out: [String: (lastOutcome: String?, inProgress: Bool)] = [:]
                // A vault not yet opened for writing by this version has no journal yet: no runs.
                guard try db.tableExists("rotation_run") else { return out }
                for row in try Row.fetchAll(db, sql: "SELECT credential, outcome, finished_at FROM rotation_run ORDER BY started_at") {
                    let name: String = row["credential"]
                    let finished: String? = row["finished_at"]
                    var entry = out[name] ?? (nil, false)
                    if finished == nil { entry.inProgress = true } else { entry.lastOutcome = row["outcome"] }
                    out[name] = entry
                }
                return out
            }
        }
    }

    /// Journaled runs of one credential, newest first.
    public func runs(of credential: String) throws -> [RunRecord] {
        try Vault.mapDatabaseErrors(path) {
            try reader.read { db in
                guard try db.tableExists("rotation_run") else { return [] }
                return try Row.fetchAll(db, sql: "SELECT id, kind, state, started_at, finished_at, outcome FROM rotation_run WHERE credential = ? ORDER BY started_at DESC", arguments: [credential]).map { row in
                    let state: Data = row["state"]
                    let run = try? JSONDecoder().decode(RotationRun.self, from: state)
                    return RunRecord(id: row["id"], kind: row["kind"], startedAt: row["started_at"], finishedAt: row["finished_at"], outcome: row["outcome"],
                                     phase: run?.phase.rawValue ?? "unreadable", newVersion: run?.newVersion, failure: run?.failure, rollbackFailure: run?.rollbackFailure)
                }
            }
        }
    }

    static func versionRecord(_ row: Row) -> VersionRecord {
        VersionRecord(credential: row["credential"], version: row["version"],
                      state: VersionState(rawValue: row["state"]) ?? .failed, source: VersionSource(rawValue: row["source"]) ?? .manual,
                      createdAt: Timestamp(rfc3339: row["created_at"]) ?? Timestamp(millisecondsSinceEpoch: 0),
                      updatedAt: Timestamp(rfc3339: row["updated_at"]) ?? Timestamp(millisecondsSinceEpoch: 0),
                      fingerprint: row["fingerprint"])
    }
}
