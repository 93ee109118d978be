import Foundation
import GRDB
import LockstepAudit
import LockstepCore
import LockstepCrypto
import LockstepVault
import Testing

@Suite struct VaultRekeyAndAuditTests {
    @Test func rekeyReSealsEverythingAndKeepsFingerprintsAndAuditKey() throws {
        let f = try Fixture()
        for i in 0..<5 { try f.vault.importCredential(CredentialName("c\(i)"), value: secret("sk-value-number-\(i)-abcdef"), actor: testActor) }
        let fingerprints = try f.vault.credentials().map { $0.current!.fingerprint }
        let newKey = f.dir.file("new.key")
        try VaultKeyFile.generate(at: newKey)
        let result = try f.vault.rekey(to: .keyFile(newKey), actor: testActor)
        #expect(result.versions == 5 && result.generation == 2)
        #expect(expectVaultError(.wrongKey) { _ = try f.reopen() } != nil)
        let v = try Vault.open(at: f.vaultPath, key: .keyFile(newKey))
        for i in 0..<5 { #expect(try v.value(of: "c\(i)").constantTimeEquals(Array("sk-value-number-\(i)-abcdef".utf8))) }
        #expect(try v.credentials().map { $0.current!.fingerprint } == fingerprints)
        #expect(v.auditPublicKey == f.vault.auditPublicKey)
        let check = try v.check()
        #expect(check.versions == 5 && check.audit.ok)
        #expect(try v.auditLog.entries().last?.action.rawValue == "vault.rekeyed")
    }

    @Test func rekeyToPassphraseAndBack() throws {
        let f = try Fixture()
        try f.vault.importCredential(CredentialName("m"), value: secret("sk-master-key-value-1"), actor: testActor)
        _ = try f.vault.rekey(to: .passphrase(secret("a long enough passphrase")), actor: testActor, kdf: try KDFParameters.interactive())
        let v = try Vault.open(at: f.vaultPath, key: .passphrase(secret("a long enough passphrase")))
        #expect(try v.value(of: "m").constantTimeEquals(Array("sk-master-key-value-1".utf8)))
        let keyFile = f.dir.file("back.key")
        try VaultKeyFile.generate(at: keyFile)
        _ = try v.rekey(to: .keyFile(keyFile), actor: testActor)
        #expect(try Vault.open(at: f.vaultPath, key: .keyFile(keyFile)).value(of: "m").constantTimeEquals(Array("sk-master-key-value-1".utf8)))
        #expect(expectVaultError(.keyKindMismatch) { _ = try Vault.open(at: f.vaultPath, key: .passphrase(secret("a long enough passphrase"))) } != nil)
    }

    @Test func rekeyToTheSameKeyIsRefused() throws {
        let f = try Fixture()
        #expect(expectVaultError(.invalidInput) { _ = try f.vault.rekey(to: .keyFile(f.keyPath), actor: testActor) } != nil)
    }

    @Test func auditTableRefusesUpdateAndDelete() throws {
        let f = try Fixture()
        try f.vault.importCredential(CredentialName("x"), value: secret("sk-some-value-123456"), actor: testActor)
        #expect(throws: DatabaseError.self) { try withRawDatabase(f.vaultPath) { try $0.execute(sql: "UPDATE audit SET action = 'forged.action' WHERE seq = 1") } }
        #expect(throws: DatabaseError.self) { try withRawDatabase(f.vaultPath) { try $0.execute(sql: "DELETE FROM audit WHERE seq = 2") } }
        #expect(try f.vault.auditLog.verify().ok)
    }

    @Test func everyChangeIsAuditedWithFingerprintsNotValues() throws {
        let f = try Fixture()
        try f.vault.importCredential(CredentialName("m"), value: secret("sk-audited-value-987654"), actor: testActor)
        let newKey = f.dir.file("n.key")
        try VaultKeyFile.generate(at: newKey)
        _ = try f.vault.rekey(to: .keyFile(newKey), actor: testActor)
        let entries = try f.vault.auditLog.entries()
        #expect(entries.map(\.action.rawValue) == ["vault.initialized", "credential.imported", "vault.rekeyed"])
        #expect(entries[1].fingerprints["current"]?.hasPrefix("b2k:") == true)
        #expect(entries.allSatisfy { $0.actor == testActor })
        let exported = try f.vault.auditLog.lines().flatMap { $0 }
        #expect(!String(decoding: exported, as: UTF8.self).contains("sk-audited-value-987654"))
        let report = try AuditLogStore.open(vaultAt: f.vaultPath).verify()
        #expect(report.ok && report.entries == 3)
    }

    @Test func failClosedWhenTheEntryWouldCarryASecret() throws {
        // The import's audit detail names the kind; a kind equal to the stored value trips the screen (65),
        // and then nothing at all is stored.
        let f = try Fixture()
        let value = try secret("sk-the-secret-itself-42")
        let e = expectVaultError(.invalidInput) { try f.vault.importCredential(CredentialName("m"), value: value, kind: "sk-the-secret-itself-42", actor: testActor) }
        #expect(e != nil)
        #expect(try f.vault.credentials().isEmpty)
        #expect(try f.vault.auditLog.entries().count == 1)
    }

    @Test func auditLogIsReadableWithoutTheKey() throws {
        let f = try Fixture()
        let store = try AuditLogStore.open(vaultAt: f.vaultPath)
        #expect(try store.publicKey() == f.vault.auditPublicKey)
        #expect(try store.head()?.seq == 1)
        #expect(try VaultCatalog.open(vaultAt: f.vaultPath).credentials().isEmpty)
    }
}

@Suite struct AuditExportFilterTests {
    /// A clock that advances one second per reading, so entries have distinct, known times.
    final class SteppingClock: WallClock, @unchecked Sendable {
        private var next: Int64
        private let lock = NSLock()
        init(start: Int64) { next = start }
        func now() -> Timestamp {
            lock.lock(); defer { lock.unlock() }
            next += 1000
            return Timestamp(millisecondsSinceEpoch: next)
        }
    }

    @Test func sinceUntilAndCredentialSelectEntriesAndASinceExportVerifiesAsASegment() throws {
        let dir = try TempDir()
        let key = dir.file("k"), path = dir.file("v.db")
        try VaultKeyFile.generate(at: key)
        let base: Int64 = 1_795_000_000_000
        let v = try Vault.create(at: path, key: .keyFile(key), actor: testActor, clock: SteppingClock(start: base))
        for i in 0..<6 { try v.importCredential(CredentialName(i % 2 == 0 ? "even-\(i)" : "odd-\(i)"), value: secret("sk-filter-value-\(i)-xyz"), actor: testActor) }
        let store = v.auditLog
        let all = try store.entries()
        #expect(all.count == 7)
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.time < $1.time })
        let since = all[3].time
        let tail = try store.entries(.init(since: since))
        #expect(tail.map(\.seq) == [4, 5, 6, 7])
        let window = try store.entries(.init(since: all[1].time, until: all[2].time))
        #expect(window.map(\.seq) == [2, 3])
        #expect(try store.entries(.init(credential: "odd-3")).map(\.seq) == [5])
        let report = AuditVerifier(publicKey: v.auditPublicKey).verify(lines: try store.lines(.init(since: since)).map { $0[...] }, anchor: AuditHead(seq: 3, hash: all[2].hash))
        #expect(report.ok && report.isSegment && report.firstSeq == 4)
        #expect(report.anchor == all[2].hash)
    }
}
