import Foundation
import GRDB
import LockstepAudit
import LockstepCore
import LockstepCrypto
import LockstepVault
import Testing

/// Each kind of bad input gets its own clear error and changes nothing.
@Suite struct VaultDamageTests {
    func fixtureWithTwoCredentials() throws -> Fixture {
        let f = try Fixture()
        try f.vault.importCredential(CredentialName("alpha"), value: secret("sk-alpha-value-0001"), actor: testActor)
        try f.vault.importCredential(CredentialName("beta"), value: secret("sk-beta-value-00002"), actor: testActor)
        return f
    }

    @Test func flippedByteInAVersionCiphertextIsDamageNamingTheRow() throws {
        let f = try fixtureWithTwoCredentials()
        for offset in [0, 10, 30, 50] { // nonce, ciphertext, tag
            try withRawDatabase(f.vaultPath) { db in
                try db.execute(sql: "UPDATE version SET sealed = ? WHERE credential = 'alpha'",
                               arguments: [Data(flip(try Data.fetchOne(db, sql: "SELECT sealed FROM version WHERE credential = 'alpha'")!, at: offset))])
            }
            let v = try f.reopen() // metadata is intact: opening works
            let e = expectVaultError(.damaged) { _ = try v.value(of: "alpha") }
            #expect(e?.message.contains("version 1 of alpha") == true)
            #expect(expectVaultError(.damaged) { _ = try v.check() } != nil)
            #expect(try v.value(of: "beta").constantTimeEquals(Array("sk-beta-value-00002".utf8)))
            // Put it back for the next offset.
            try withRawDatabase(f.vaultPath) { db in
                try db.execute(sql: "UPDATE version SET sealed = ? WHERE credential = 'alpha'",
                               arguments: [Data(flip(try Data.fetchOne(db, sql: "SELECT sealed FROM version WHERE credential = 'alpha'")!, at: offset))])
            }
            #expect(try f.reopen().value(of: "alpha").constantTimeEquals(Array("sk-alpha-value-0001".utf8)))
        }
    }

    @Test func ciphertextCopiedToAnotherRowDoesNotOpen() throws {
        let f = try fixtureWithTwoCredentials()
        try withRawDatabase(f.vaultPath) { db in
            try db.execute(sql: "UPDATE version SET sealed = (SELECT sealed FROM version WHERE credential = 'beta') WHERE credential = 'alpha'")
        }
        let e = expectVaultError(.damaged) { _ = try f.reopen().value(of: "alpha") }
        #expect(e?.message.contains("alpha") == true)
    }

    @Test func wrongKeyIsItsOwnErrorAndWritesNothing() throws {
        let f = try fixtureWithTwoCredentials()
        let before = allVaultBytes(f.vaultPath)
        let other = f.dir.file("other.key")
        try VaultKeyFile.generate(at: other)
        let e = expectVaultError(.wrongKey) { _ = try Vault.open(at: f.vaultPath, key: .keyFile(other)) }
        #expect(e != nil)
        #expect(e?.hint?.contains("key") == true)
        let mainBefore = before.prefix(FileManager.default.contents(atPath: f.vaultPath)!.count)
        #expect(FileManager.default.contents(atPath: f.vaultPath)! == mainBefore)
        #expect(try f.vault.auditLog.entries().count == 3)
    }

    @Test func damagedSealedKeyIsDamageNotWrongKey() throws {
        let f = try fixtureWithTwoCredentials()
        try withRawDatabase(f.vaultPath) { db in
            let sealed = try Data.fetchOne(db, sql: "SELECT fingerprint_key FROM vault_meta")!
            try db.execute(sql: "UPDATE vault_meta SET fingerprint_key = ?", arguments: [Data(flip(sealed, at: 30))])
        }
        let e = expectVaultError(.damaged) { _ = try f.reopen() }
        #expect(e?.message.contains("fingerprint key") == true)
    }

    @Test func truncatedEmptyRandomAndForeignFilesAreDamage() throws {
        let dir = try TempDir()
        let f = try fixtureWithTwoCredentials()
        let original = FileManager.default.contents(atPath: f.vaultPath)!
        let cases: [(String, Data)] = [
            ("truncated", original.prefix(50)),
            ("empty", Data()),
            ("random", Data(SecureRandom.bytes(8192))),
            ("text", Data("not a vault at all\n".utf8)),
        ]
        for (name, content) in cases {
            let path = dir.file(name)
            #expect(FileManager.default.createFile(atPath: path, contents: content, attributes: [.posixPermissions: 0o600]))
            let e = expectVaultError(.damaged) { _ = try Vault.open(at: path, key: .keyFile(f.keyPath)) }
            #expect(e != nil, "\(name) not reported as damaged")
            #expect(FileManager.default.contents(atPath: path) == content, "\(name) was modified")
        }
        // A valid SQLite file that is not a vault.
        let foreign = dir.file("foreign.db")
        #expect(FileManager.default.createFile(atPath: foreign, contents: nil, attributes: [.posixPermissions: 0o600]))
        try withRawDatabase(foreign) { try $0.execute(sql: "CREATE TABLE t (x); INSERT INTO t VALUES (1)") }
        #expect(expectVaultError(.damaged) { _ = try Vault.open(at: foreign, key: .keyFile(f.keyPath)) } != nil)
    }

    @Test func truncatedMidFileIsDamage() throws {
        let dir = try TempDir()
        let key = dir.file("k")
        try VaultKeyFile.generate(at: key)
        let path = dir.file("big.db")
        do {
            // Several pages of data; closing the vault checkpoints the WAL into the main file.
            let v = try Vault.create(at: path, key: .keyFile(key), actor: testActor)
            for i in 0..<40 { try v.importCredential(CredentialName("filler-\(i)"), value: secret("sk-filler-value-\(i)-\(String(repeating: "x", count: 200))"), actor: testActor) }
        }
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        let cut = dir.file("cut.db")
        let original = FileManager.default.contents(atPath: path)!
        #expect(original.count > 16 * 1024)
        #expect(FileManager.default.createFile(atPath: cut, contents: original.prefix(original.count / 2), attributes: [.posixPermissions: 0o600]))
        let e = expectVaultError(.damaged) {
            let v = try Vault.open(at: cut, key: .keyFile(key))
            _ = try v.check()
        }
        #expect(e != nil)
    }

    @Test func groupOrWorldReadableVaultIsRefused() throws {
        let f = try fixtureWithTwoCredentials()
        chmod(f.vaultPath, 0o644)
        let before = FileManager.default.contents(atPath: f.vaultPath)
        let e = expectVaultError(.insecurePermissions) { _ = try f.reopen() }
        #expect(e?.hint == "run `chmod 600 \(f.vaultPath)`; Lockstep refuses a vault others can read")
        #expect(FileManager.default.contents(atPath: f.vaultPath) == before)
        #expect(expectVaultError(.insecurePermissions) { _ = try VaultCatalog.open(vaultAt: f.vaultPath) } != nil)
        chmod(f.vaultPath, 0o600)
        _ = try f.reopen()
    }

    @Test func keyFileReadableByOthersOrMalformedIsRefused() throws {
        let f = try Fixture()
        chmod(f.keyPath, 0o644)
        #expect(expectVaultError(.insecurePermissions) { _ = try f.reopen() } != nil)
        let bad = f.dir.file("bad.key")
        #expect(FileManager.default.createFile(atPath: bad, contents: Data("too short".utf8), attributes: [.posixPermissions: 0o600]))
        #expect(expectVaultError(.badKeyFile) { _ = try Vault.open(at: f.vaultPath, key: .keyFile(bad)) } != nil)
        #expect(expectVaultError(.notFound) { _ = try Vault.open(at: f.vaultPath, key: .keyFile(f.dir.file("missing.key"))) } != nil)
        #expect(expectVaultError(.notFound) { _ = try Vault.open(at: f.dir.file("missing.db"), key: .keyFile(bad)) } != nil)
    }

    @Test func rawKeyFileOf32BytesWorks() throws {
        let dir = try TempDir()
        let raw = dir.file("raw.key")
        #expect(FileManager.default.createFile(atPath: raw, contents: Data(SecureRandom.bytes(32)), attributes: [.posixPermissions: 0o600]))
        _ = try Vault.create(at: dir.file("v.db"), key: .keyFile(raw), actor: testActor)
        _ = try Vault.open(at: dir.file("v.db"), key: .keyFile(raw))
    }

    private func flip(_ data: Data, at offset: Int) -> Data {
        var d = data
        d[d.startIndex + offset] ^= 0x01
        return d
    }
}
