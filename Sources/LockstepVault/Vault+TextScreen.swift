import Foundation
import GRDB
import LockstepAudit
import LockstepCore
import LockstepCrypto

/// The audit screen: no stored value reaches the signed, append-only log through free text.
///
/// Every stored version is screened, whatever its state: a retired, revoked or failed value may
/// still open something (a provider key not deleted at the provider, a revoke that was rolled
/// back), and an entry is permanent. So are the vault's own keys (the key file's text is Base64
/// of the vault key). The cost is one decryption per stored version per audit write, bounded by
/// the number of versions (a value that cannot fit in the longest field is not even opened), with
/// no allocation per encoded form.
extension Vault {
    /// Refuses `fields` (caller's name for the field, text) if any contains a stored value or an
    /// obvious encoding of one (`SecretVariants`). For checks up front, before anything starts:
    /// the error names the caller's field (`--reason`), never the value.
    public func refuseStoredValues(in fields: [(field: String, text: String?)]) throws {
        let present = fields.compactMap { f in f.text.map { (field: f.field, text: $0) } }
        try read { db in try refuseStoredValues(db, in: present, sealedUnder: key, what: "refused") }
    }

    /// The check `appendAudit` runs inside the write transaction, before the entry is sealed:
    /// throwing rolls the whole transaction back, so nothing of the action is written either.
    func refuseStoredValues(_ db: Database, in draft: AuditDraft, sealedUnder sealingKey: SecretBytes) throws {
        try refuseStoredValues(db, in: draft.textFields, sealedUnder: sealingKey, what: "refused to write audit entry \(draft.action):")
    }

    private func refuseStoredValues(_ db: Database, in fields: [(field: String, text: String)], sealedUnder sealingKey: SecretBytes, what: String) throws {
        let texts = fields.map { Array($0.text.utf8) }
        let longest = texts.map(\.count).max() ?? 0
        guard longest >= SecretVariants.minimumLength else { return }
        func screen(_ secret: SecretBytes, named name: String) throws {
            if let i = try SecretVariants.firstText(containing: secret, in: texts) {
                throw VaultError(.invalidInput, "\(what) \(fields[i].field) contains \(name) (as is or encoded); nothing was written",
                                 hint: "remove the value from \(fields[i].field); if the key leaked, revoke it (`lockstep revoke NAME --reason \"…\"`) and describe it by its fingerprint")
            }
        }
        try SecretBytes.unlocked([key, sealingKey, fingerprintKey, signer.secretKey]) {
            try screen(key, named: "the vault key")
            if sealingKey !== key { try screen(sealingKey, named: "the new vault key") }
            try screen(fingerprintKey, named: "the fingerprint key")
            try screen(signer.secretKey, named: "the audit signing key")
            let sql = "SELECT v.credential, v.version, v.sealed, c.kind FROM version v JOIN credential c ON c.name = v.credential"
            for row in try Row.fetchAll(db, sql: sql) {
                let name: String = row["credential"]
                let v: Int = row["version"]
                let sealed: Data = row["sealed"]
                // A database URL's password alone is a secret too, and shorter than the URL.
                let url = (row["kind"] as String) == "postgres-password"
                // A value none of whose forms fits in the longest text need not be opened at all.
                guard url || SecretVariants.shortestForm(count: sealed.count - AEAD.overhead) <= longest else { continue }
                let value = try Self.openSealed(Array(sealed), key: sealingKey, ad: VaultContext.version(vaultID: vaultID, credential: name, version: v),
                                                what: "version \(v) of \(name)", path: path)
                try screen(value, named: "the value of \(name) v\(v)")
                if url, let password = try value.urlPassword() { try screen(password, named: "the password in the value of \(name) v\(v)") }
            }
        }
    }
}
