import Foundation
import GRDB
import LockstepAudit
import LockstepCore
import LockstepCrypto

/// An open vault: an SQLite file (WAL mode) holding credentials and their versions sealed with
/// XChaCha20-Poly1305 under the vault key, and the signed audit log.
///
/// Opening checks, in this order and before anything can be written: the file's permissions,
/// that it is SQLite, its format version, the key kind, the key check value (wrong key), and
/// that the sealed fingerprint and audit keys authenticate (damage).
public final class Vault: Sendable {
    public let path: String
    public let vaultID: String
    public let auditPublicKey: [UInt8]
    /// Reads go here; in a vault opened read-only it is the only connection.
    let pool: any DatabaseReader
    /// Nil when opened read-only: every write then fails before it starts.
    let writer: DatabasePool?
    /// Whether this vault can write (`open(readOnly:)`).
    public let openMode: VaultOpenMode
    let key: SecretBytes
    let fingerprintKey: SecretBytes
    let signer: SigningKeyPair
    let clock: any WallClock

    init(path: String, vaultID: String, pool: any DatabaseReader, writer: DatabasePool?, openMode: VaultOpenMode,
         key: SecretBytes, fingerprintKey: SecretBytes, signer: SigningKeyPair, clock: any WallClock) {
        self.path = path
        self.vaultID = vaultID
        self.pool = pool
        self.writer = writer
        self.openMode = openMode
        self.key = key
        self.fingerprintKey = fingerprintKey
        self.signer = signer
        self.auditPublicKey = signer.publicKey
        self.clock = clock
    }

    /// Creates a new vault at `path` (mode 0600; refuses an existing file) and records `vault.initialized`.
    public static func create(at path: String, key source: VaultKeySource, actor: AuditActor,
                              kdf: KDFParameters? = nil, clock: any WallClock = SystemClock()) throws -> Vault {
        try VaultFile.createPrivate(path, what: "vault")
        do {
            let pool = try mapDatabaseErrors(path) { try DatabasePool(path: path, configuration: configuration(readonly: false)) }
            try mapDatabaseErrors(path) { try VaultSchema.migrator.migrate(pool) }
            let vaultID = UUID().uuidString.lowercased()
            let (key, kdfUsed) = try resolveNewKey(source, kdf: kdf)
            let fingerprintKey = try SecretBytes.random(count: 32)
            let signer = try SigningKeyPair.generate()
            let vault = Vault(path: path, vaultID: vaultID, pool: pool, writer: pool, openMode: .readWrite, key: key, fingerprintKey: fingerprintKey, signer: signer, clock: clock)
            let now = clock.now()
            let sealed = try vault.sealKeys()
            try vault.transaction { db in
                try db.execute(sql: """
                    INSERT INTO vault_meta (id, vault_id, format_version, created_at, key_kind, kdf_algorithm, kdf_salt, kdf_opslimit, kdf_memlimit,
                        key_check, key_generation, fingerprint_key, audit_signing_key, audit_public_key)
                    VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)
                    """, arguments: [
                        vaultID, VaultSchema.formatVersion, now.rfc3339, kdfUsed == nil ? "key-file" : "passphrase",
                        kdfUsed?.algorithm, kdfUsed.map { Data($0.salt) }, kdfUsed.map { Int64($0.opsLimit) }, kdfUsed.map { Int64($0.memLimit) },
                        Data(try keyCheck(key, vaultID: vaultID)), Data(sealed.fingerprint), Data(sealed.signing), Data(signer.publicKey),
                    ])
                _ = try vault.appendAudit(db, AuditDraft(actor: actor, action: AuditAction.vaultInitialized,
                                                         detail: "format \(VaultSchema.formatVersion), key \(kdfUsed == nil ? "file" : "passphrase (argon2id13)")"))
            }
            return vault
        } catch {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            throw error
        }
    }

    /// Opens an existing vault with its key. `readOnly` opens it for reading only (`vault check`,
    /// `status --drift`): nothing is written, not even a migration, and the folder need not be writable.
    public static func open(at path: String, key source: VaultKeySource, readOnly: Bool = false, clock: any WallClock = SystemClock()) throws -> Vault {
        // Check the key over a read-only connection first: with a wrong key (or a damaged file)
        // not even a WAL checkpoint touches the file.
        let (reader, mode) = try openReadOnly(path)
        let meta = try mapDatabaseErrors(path) { try VaultMeta.read(reader, path: path) }
        let key = try meta.resolveKey(source, path: path)
        guard try keyCheck(key, vaultID: meta.vaultID) == meta.keyCheck else {
            throw VaultError(.wrongKey, "the \(meta.keyKind == "passphrase" ? "passphrase" : "key file") does not open vault \(path)",
                             hint: meta.keyKind == "passphrase" ? "check the passphrase (it is case- and whitespace-sensitive)" : "check --key-file / LOCKSTEP_KEY_FILE; after `vault rekey` only the new key opens the vault")
        }
        let fingerprintKey = try openSealed(meta.sealedFingerprintKey, key: key, ad: VaultContext.fingerprintKey(vaultID: meta.vaultID), what: "the fingerprint key", path: path)
        let signingKey = try openSealed(meta.sealedSigningKey, key: key, ad: VaultContext.auditSigningKey(vaultID: meta.vaultID), what: "the audit signing key", path: path)
        let signer = try SigningKeyPair(secretKey: signingKey)
        guard signer.publicKey == meta.auditPublicKey else {
            throw VaultError(.damaged, "vault \(path) is damaged: the audit public key does not match the sealed signing key", hint: "restore the vault from a backup")
        }
        if readOnly {
            return Vault(path: path, vaultID: meta.vaultID, pool: reader, writer: nil, openMode: mode, key: key, fingerprintKey: fingerprintKey, signer: signer, clock: clock)
        }
        let pool = try mapDatabaseErrors(path) { try DatabasePool(path: path, configuration: configuration(readonly: false)) }
        try mapDatabaseErrors(path) { try VaultSchema.migrator.migrate(pool) }
        return Vault(path: path, vaultID: meta.vaultID, pool: pool, writer: pool, openMode: .readWrite, key: key, fingerprintKey: fingerprintKey, signer: signer, clock: clock)
    }

    static func configuration(readonly: Bool) -> Configuration {
        var config = Configuration()
        config.readonly = readonly
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(5)
        config.label = "lockstep-vault"
        return config
    }

    static func resolveNewKey(_ source: VaultKeySource, kdf: KDFParameters?) throws -> (SecretBytes, KDFParameters?) {
        switch source {
        case .keyFile(let file):
            return (try VaultKeyFile.read(file), nil)
        case .passphrase(let passphrase):
            try requireUsablePassphrase(passphrase)
            let params = try kdf ?? KDFParameters.moderate()
            return (try Argon2id.deriveKey(passphrase: passphrase, parameters: params), params)
        }
    }

    static func requireUsablePassphrase(_ passphrase: SecretBytes) throws {
        guard passphrase.count >= 12 else {
            throw VaultError(.invalidInput, "the passphrase is too short (fewer than 12 bytes)", hint: "use a long passphrase, or a key file (`lockstep vault keygen`)")
        }
    }

    static func keyCheck(_ key: SecretBytes, vaultID: String) throws -> [UInt8] {
        try BLAKE2b.keyedHash(VaultContext.keyCheck(vaultID: vaultID), key: key, outputLength: 32)
    }

    func sealKeys() throws -> (fingerprint: [UInt8], signing: [UInt8]) {
        (try AEAD.seal(fingerprintKey, key: key, associatedData: VaultContext.fingerprintKey(vaultID: vaultID)),
         try AEAD.seal(signer.secretKey, key: key, associatedData: VaultContext.auditSigningKey(vaultID: vaultID)))
    }

    static func openSealed(_ sealed: [UInt8], key: SecretBytes, ad: [UInt8], what: String, path: String) throws -> SecretBytes {
        do {
            return try AEAD.open(sealed, key: key, associatedData: ad)
        } catch {
            throw VaultError(.damaged, "vault \(path) is damaged: \(what) does not authenticate (altered or corrupted)", hint: "restore the vault from a backup (docs/runbooks.md)")
        }
    }

    /// Runs `body` in one IMMEDIATE transaction: all of it commits, or none of it. The vault's
    /// keys stay readable for the transaction (not for each use; see `SecretBytes.unlocked`).
    func transaction<T>(_ body: (Database) throws -> T) throws -> T {
        try Self.mapDatabaseErrors(path) {
            try SecretBytes.unlocked([key, fingerprintKey, signer.secretKey]) {
                guard let writer else {
                    throw VaultError(.io, "vault \(path) was opened read-only", hint: "this command only reads; a change needs a command that opens the vault for writing")
                }
                return try writer.writeWithoutTransaction { db in
                    var result: T?
                    try db.inTransaction(.immediate) {
                        result = try body(db)
                        return .commit
                    }
                    return result!
                }
            }
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try Self.mapDatabaseErrors(path) { try pool.read(body) }
    }

    /// The keyed BLAKE2b fingerprint of a value under this vault's fingerprint key: `b2k:` and 32
    /// hex digits. The same value always has the same fingerprint in one vault; without the
    /// vault nobody can test guesses against it.
    public func fingerprint(of value: SecretBytes) throws -> String {
        "b2k:" + Hex.encode(try BLAKE2b.keyedHash(secret: value, key: fingerprintKey, outputLength: 16))
    }

    /// Maps SQLite errors to vault errors with a hint; passes vault, audit and crypto errors through.
    static func mapDatabaseErrors<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as VaultError {
            throw e
        } catch let e as AuditError {
            throw VaultError(.auditFailed, "\(e); nothing was changed", hint: "the action was not carried out because it could not be audited")
        } catch let e as DatabaseError {
            switch e.resultCode {
            case .SQLITE_NOTADB, .SQLITE_CORRUPT:
                throw VaultError(.damaged, "vault \(path) is damaged: \(e.message ?? "SQLite reports corruption")", hint: "restore the vault from a backup (docs/runbooks.md)")
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                throw VaultError(.busy, "vault \(path) is busy: another Lockstep process holds a write lock", hint: "retry; if it persists, check for a stuck `lockstep` process")
            case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
                throw VaultError(.io, "cannot write vault \(path): \(e.message ?? "read-only or not accessible")", hint: "check the file's and its folder's permissions")
            case .SQLITE_FULL:
                // SQLite rolls the transaction back: the vault is as it was.
                throw VaultError(.io, "vault \(path): \(e.message ?? "database or disk is full")", hint: VaultError.diskFullHint)
            case .SQLITE_CONSTRAINT where (e.message ?? "").contains("append-only"):
                throw VaultError(.auditFailed, "the audit log is append-only: \(e.message ?? "")")
            case .SQLITE_ERROR where (e.message ?? "").contains("no such table"):
                throw VaultError(.damaged, "\(path) is an SQLite database but not a Lockstep vault (\(e.message ?? ""))", hint: "check that --vault names the right file")
            default:
                throw VaultError(.io, "vault \(path): \(e.message ?? "SQLite error \(e.resultCode)")")
            }
        }
    }
}
