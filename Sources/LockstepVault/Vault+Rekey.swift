import Foundation
import GRDB
import LockstepAudit
import LockstepCore
import LockstepCrypto

extension Vault {
    /// Re-seals every value and key under a new vault key in ONE transaction, and records
    /// `vault.rekeyed` in it. SQLite's atomic commit means a crash (even `kill -9`) at any point
    /// leaves a vault that opens with exactly one of the two keys and has lost nothing.
    /// The fingerprint key and audit signing key stay the same (fingerprints and the audit
    /// public key survive a rekey); only their sealing changes. This `Vault` is stale afterwards.
    public func rekey(to newSource: VaultKeySource, actor: AuditActor, kdf: KDFParameters? = nil) throws -> (versions: Int, generation: Int) {
        let (newKey, newKDF) = try Self.resolveNewKey(newSource, kdf: kdf)
        if newKey.constantTimeEquals(key) {
            throw VaultError(.invalidInput, "the new key is the same as the current one", hint: "generate a new key with `lockstep vault keygen --out FILE`")
        }
        return try transaction { db in
            let rows = try Row.fetchAll(db, sql: "SELECT credential, version, sealed FROM version ORDER BY credential, version")
            for (i, row) in rows.enumerated() {
                let name: String = row["credential"]
                let v: Int = row["version"]
                let sealed: Data = row["sealed"]
                let ad = VaultContext.version(vaultID: vaultID, credential: name, version: v)
                let value = try Self.openSealed(Array(sealed), key: key, ad: ad, what: "version \(v) of \(name)", path: path)
                let resealed = try AEAD.seal(value, key: newKey, associatedData: ad)
                try db.execute(sql: "UPDATE version SET sealed = ? WHERE credential = ? AND version = ?", arguments: [Data(resealed), name, v])
                if i == rows.count / 2 { Self.debugPauseInsideRekey() }
            }
            let fp = try AEAD.seal(fingerprintKey, key: newKey, associatedData: VaultContext.fingerprintKey(vaultID: vaultID))
            let sk = try AEAD.seal(signer.secretKey, key: newKey, associatedData: VaultContext.auditSigningKey(vaultID: vaultID))
            try db.execute(sql: """
                UPDATE vault_meta SET key_kind = ?, kdf_algorithm = ?, kdf_salt = ?, kdf_opslimit = ?, kdf_memlimit = ?,
                    key_check = ?, key_generation = key_generation + 1, fingerprint_key = ?, audit_signing_key = ? WHERE id = 1
                """, arguments: [newKDF == nil ? "key-file" : "passphrase", newKDF?.algorithm, newKDF.map { Data($0.salt) },
                                 newKDF.map { Int64($0.opsLimit) }, newKDF.map { Int64($0.memLimit) },
                                 Data(try Self.keyCheck(newKey, vaultID: vaultID)), Data(fp), Data(sk)])
            let generation = try Int.fetchOne(db, sql: "SELECT key_generation FROM vault_meta WHERE id = 1") ?? 0
            if rows.isEmpty { Self.debugPauseInsideRekey() }
            try appendAudit(db, AuditDraft(actor: actor, action: AuditAction.vaultRekeyed,
                                           detail: "re-sealed \(rows.count) versions; key generation \(generation); new key \(newKDF == nil ? "file" : "passphrase (argon2id13)")"),
                            valuesSealedUnder: newKey)
            return (rows.count, generation)
        }
    }

    /// Test seam for the crash-safety test: in debug builds only, `LOCKSTEP_DEBUG_REKEY_PAUSE_MS`
    /// pauses inside the open rekey transaction so a test can `kill -9` the process there.
    static func debugPauseInsideRekey() {
        #if DEBUG
        if let text = ProcessInfo.processInfo.environment["LOCKSTEP_DEBUG_REKEY_PAUSE_MS"], let ms = UInt32(text) {
            try? StandardStream.error.write("rekey: paused inside transaction\n")
            usleep(min(ms, 60_000) * 1000)
        }
        #endif
    }
}
