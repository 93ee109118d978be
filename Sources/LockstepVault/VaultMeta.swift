import Foundation
import GRDB
import LockstepCrypto

/// The single `vault_meta` row.
struct VaultMeta {
    var vaultID: String
    var formatVersion: Int
    var createdAt: String
    var keyKind: String
    var kdf: KDFParameters?
    var keyCheck: [UInt8]
    var keyGeneration: Int
    var sealedFingerprintKey: [UInt8]
    var sealedSigningKey: [UInt8]
    var auditPublicKey: [UInt8]

    static func read(_ reader: some DatabaseReader, path: String) throws -> VaultMeta {
        let row = try Vault.mapDatabaseErrors(path) { try reader.read { db in try Row.fetchOne(db, sql: "SELECT * FROM vault_meta WHERE id = 1") } }
        guard let row else {
            throw VaultError(.damaged, "\(path) is not an initialised Lockstep vault (no metadata row)", hint: "check that --vault names the right file, or restore it from a backup")
        }
        return try VaultMeta(row: row, path: path)
    }

    init(row: Row, path: String) throws {
        let format: Int = row["format_version"]
        guard format <= VaultSchema.formatVersion else {
            throw VaultError(.unsupportedFormat, "vault \(path) has format \(format); this Lockstep reads up to \(VaultSchema.formatVersion)", hint: "upgrade Lockstep")
        }
        vaultID = row["vault_id"]
        formatVersion = format
        createdAt = row["created_at"]
        keyKind = row["key_kind"]
        if let alg: String = row["kdf_algorithm"] {
            let salt: Data = row["kdf_salt"]
            let ops: Int64 = row["kdf_opslimit"]
            let mem: Int64 = row["kdf_memlimit"]
            kdf = KDFParameters(algorithm: alg, salt: Array(salt), opsLimit: UInt64(ops), memLimit: UInt64(mem))
        }
        keyCheck = Array(row["key_check"] as Data)
        keyGeneration = row["key_generation"]
        sealedFingerprintKey = Array(row["fingerprint_key"] as Data)
        sealedSigningKey = Array(row["audit_signing_key"] as Data)
        auditPublicKey = Array(row["audit_public_key"] as Data)
    }

    /// The vault key for `source`, refusing the wrong kind of key with a hint.
    func resolveKey(_ source: VaultKeySource, path: String) throws -> SecretBytes {
        switch (source, keyKind) {
        case (.keyFile(let file), "key-file"):
            return try VaultKeyFile.read(file)
        case (.passphrase(let passphrase), "passphrase"):
            guard let kdf else { throw VaultError(.damaged, "vault \(path) is damaged: passphrase vault without KDF parameters") }
            do {
                return try Argon2id.deriveKey(passphrase: passphrase, parameters: kdf)
            } catch {
                throw VaultError(.damaged, "vault \(path): cannot derive the key with the stored Argon2id parameters (\(error))", hint: "the stored KDF parameters may be damaged, or the machine lacks memory for them")
            }
        case (.keyFile, _):
            throw VaultError(.keyKindMismatch, "vault \(path) is protected by a passphrase, not a key file", hint: "use --passphrase-stdin and type or pipe the passphrase")
        default:
            throw VaultError(.keyKindMismatch, "vault \(path) is protected by a key file, not a passphrase", hint: "use --key-file FILE (or LOCKSTEP_KEY_FILE)")
        }
    }
}
