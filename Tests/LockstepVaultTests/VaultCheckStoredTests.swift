import Foundation
import GRDB
import LockstepAudit
import LockstepCore
import LockstepCrypto
import LockstepVault
import Testing

/// `vault check` checks what the vault stores beside the signed lines: the hash column that
/// `audit head` hands to auditors and the next write chains from, and every version's fingerprint.
@Suite struct VaultCheckStoredTests {
    /// Edits the audit table as an attacker (or a bad disk) can: around the append-only triggers.
    func editAudit(_ path: String, _ sql: String) throws {
        try withRawDatabase(path) { db in
            try db.execute(sql: "DROP TRIGGER audit_no_update")
            try db.execute(sql: sql)
            try db.execute(sql: "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only: UPDATE refused'); END;")
        }
    }

    @Test func aFlippedByteInAStoredHashFailsNamingTheSeq() throws {
        let f = try Fixture()
        try f.vault.importCredential(CredentialName("a"), value: secret("sk-stored-hash-value-01"), actor: testActor)
        try f.vault.importCredential(CredentialName("b"), value: secret("sk-stored-hash-value-02"), actor: testActor)
        #expect(try f.vault.check().audit.ok)
        try editAudit(f.vaultPath, "UPDATE audit SET hash = CAST(X'00' || substr(hash, 2) AS BLOB) WHERE seq = 2")
        let report = try f.reopen().check().audit
        #expect(report.failure?.seq == 2)
        #expect(report.failure?.kind == .hashMismatch)
        #expect(report.failure?.message.contains("stored") == true)
    }

    @Test func aFlippedLastHashStopsTheHeadAndTheNextWrite() throws {
        let f = try Fixture()
        try f.vault.importCredential(CredentialName("a"), value: secret("sk-stored-hash-value-01"), actor: testActor)
        try editAudit(f.vaultPath, "UPDATE audit SET hash = CAST(X'00' || substr(hash, 2) AS BLOB) WHERE seq = 2")
        #expect(expectVaultError(.damaged) { _ = try AuditLogStore.open(vaultAt: f.vaultPath).head() } != nil)
        let v = try f.reopen()
        #expect(expectVaultError(.damaged) { try v.importCredential(CredentialName("b"), value: secret("sk-stored-hash-value-02"), actor: testActor) } != nil)
        #expect(try v.credentials().count == 1)
    }

    @Test func aStoredSeqOrFilterColumnThatDisagreesWithTheEntryFails() throws {
        let f = try Fixture()
        try f.vault.importCredential(CredentialName("a"), value: secret("sk-stored-hash-value-01"), actor: testActor)
        try editAudit(f.vaultPath, "UPDATE audit SET credential = 'other' WHERE seq = 2")
        #expect(try f.reopen().check().audit.failure?.seq == 2)
    }

    @Test func aStoredFingerprintThatDoesNotMatchItsValueIsDamage() throws {
        let f = try Fixture()
        try f.vault.importCredential(CredentialName("a"), value: secret("sk-fingerprint-value-01"), actor: testActor)
        try f.vault.importCredential(CredentialName("b"), value: secret("sk-fingerprint-value-02"), actor: testActor)
        // Swap the two fingerprints: both still look like fingerprints.
        try withRawDatabase(f.vaultPath) { db in
            let fa = try String.fetchOne(db, sql: "SELECT fingerprint FROM version WHERE credential = 'a'")!
            let fb = try String.fetchOne(db, sql: "SELECT fingerprint FROM version WHERE credential = 'b'")!
            try db.execute(sql: "UPDATE version SET fingerprint = ? WHERE credential = 'a'", arguments: [fb])
            try db.execute(sql: "UPDATE version SET fingerprint = ? WHERE credential = 'b'", arguments: [fa])
        }
        let e = expectVaultError(.damaged) { _ = try f.reopen().check() }
        #expect(e?.message.contains("version 1 of a") == true && e?.message.contains("fingerprint") == true)
    }
}

/// Keyless readers and `vault check` open the vault read-only, and say so.
@Suite struct VaultReadOnlyOpenTests {
    @Test func readersOpenReadOnly() throws {
        let f = try Fixture()
        try f.vault.importCredential(CredentialName("a"), value: secret("sk-read-only-open-value-1"), actor: testActor)
        #expect(f.vault.openMode == .readWrite)
        #expect(try AuditLogStore.open(vaultAt: f.vaultPath).openMode != .readWrite)
        #expect(try VaultCatalog.open(vaultAt: f.vaultPath).openMode != .readWrite)
        let ro = try Vault.open(at: f.vaultPath, key: .keyFile(f.keyPath), readOnly: true)
        #expect(ro.openMode != .readWrite)
        #expect(try ro.check().audit.ok)
        #expect(expectVaultError(.io) { try ro.importCredential(CredentialName("b"), value: secret("sk-read-only-open-value-2"), actor: testActor) } != nil)
    }
}
