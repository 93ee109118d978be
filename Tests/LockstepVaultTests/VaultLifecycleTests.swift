import Foundation
import LockstepAudit
import LockstepCore
import LockstepCrypto
import LockstepVault
import Testing

@Suite struct VaultLifecycleTests {
    @Test func createImportReopenAndReadBack() throws {
        let f = try Fixture()
        let record = try f.vault.importCredential(CredentialName("litellm-master-key"), value: secret("sk-adopted-0123456789"), kind: "litellm-master-key", actor: testActor)
        #expect(record.version == 1 && record.state == .current && record.fingerprint.hasPrefix("b2k:"))
        let again = try f.reopen()
        #expect(try again.value(of: "litellm-master-key").constantTimeEquals(Array("sk-adopted-0123456789".utf8)))
        let listed = try again.credentials()
        #expect(listed.map(\.name) == ["litellm-master-key"])
        #expect(listed[0].current?.fingerprint == record.fingerprint)
        // Same value, same vault → same fingerprint; the fingerprint is not a plain hash of the value.
        #expect(try again.fingerprint(of: secret("sk-adopted-0123456789")) == record.fingerprint)
        #expect(!record.fingerprint.contains(Hex.encode(try BLAKE2b.hash(Array("sk-adopted-0123456789".utf8), outputLength: 16))))
    }

    @Test func vaultFileIsCreated0600AndNeverOverwritten() throws {
        let f = try Fixture()
        let attrs = try FileManager.default.attributesOfItem(atPath: f.vaultPath)
        #expect((attrs[.posixPermissions] as? Int) == 0o600)
        #expect(expectVaultError(.alreadyExists) { _ = try Vault.create(at: f.vaultPath, key: .keyFile(f.keyPath), actor: testActor) } != nil)
        #expect(try f.reopen().credentials().isEmpty)
    }

    @Test func plaintextNeverReachesTheFileOrItsWAL() throws {
        let f = try Fixture()
        let marker = "sk-PLAINTEXT-MARKER-\(Hex.encode(SecureRandom.bytes(8)))"
        try f.vault.importCredential(CredentialName("provider-key"), value: secret(marker), actor: testActor)
        // Keep the vault open so the WAL still holds the pages, then look at every byte.
        let bytes = allVaultBytes(f.vaultPath)
        #expect(bytes.count > 0)
        #expect(bytes.range(of: Data(marker.utf8)) == nil)
        #expect(bytes.range(of: Data("PLAINTEXT-MARKER".utf8)) == nil)
    }

    @Test func importRefusesValuesLiteLLMWouldRefuseAndDuplicates() throws {
        let f = try Fixture()
        for bad in ["", " sk-leading-space-123", "sk-trailing-newline-123\n", "sk-1234", "sk-inner\nnewline-123"] {
            let e = expectVaultError(.invalidInput) { try f.vault.importCredential(CredentialName("k"), value: secret(bad), actor: testActor) }
            #expect(e != nil, "accepted a bad value")
            #expect(!(e?.message.contains("sk-") ?? true) || bad == "sk-1234", "error quotes the value")
        }
        try f.vault.importCredential(CredentialName("k"), value: secret("sk-good-value-123456"), actor: testActor)
        #expect(expectVaultError(.alreadyExists) { try f.vault.importCredential(CredentialName("k"), value: secret("sk-other-value-123456"), actor: testActor) } != nil)
        #expect(try f.vault.value(of: "k").constantTimeEquals(Array("sk-good-value-123456".utf8)))
        // Only init and the one successful import were audited.
        #expect(try f.vault.auditLog.entries().map(\.action.rawValue) == ["vault.initialized", "credential.imported"])
    }

    @Test func unknownCredentialIsAClearError() throws {
        let f = try Fixture()
        let e = expectVaultError(.unknownCredential) { _ = try f.vault.value(of: "nope") }
        #expect(e?.hint?.contains("credential show") == true)
        #expect(expectVaultError(.unknownCredential) { _ = try f.vault.credential("nope") } != nil)
    }

    @Test func invalidNamesAreRefused() {
        for bad in ["", "Upper", "-dash", "has space", String(repeating: "a", count: 64), "semi;colon"] {
            #expect(throws: CoreError.self) { _ = try CredentialName(bad) }
        }
        #expect((try? CredentialName("litellm-master-key.v2_x")) != nil)
    }

    @Test func passphraseVaultOpensOnlyWithThePassphrase() throws {
        let dir = try TempDir()
        let path = dir.file("p.db")
        let kdf = try KDFParameters.interactive()
        _ = try Vault.create(at: path, key: .passphrase(secret("correct horse battery staple")), actor: testActor, kdf: kdf)
        _ = try Vault.open(at: path, key: .passphrase(secret("correct horse battery staple")))
        let wrong = expectVaultError(.wrongKey) { _ = try Vault.open(at: path, key: .passphrase(secret("correct horse battery stapler"))) }
        #expect(wrong?.message.contains("passphrase") == true)
        let keyFile = dir.file("k")
        try VaultKeyFile.generate(at: keyFile)
        #expect(expectVaultError(.keyKindMismatch) { _ = try Vault.open(at: path, key: .keyFile(keyFile)) } != nil)
        #expect(expectVaultError(.invalidInput) { _ = try Vault.create(at: dir.file("q.db"), key: .passphrase(secret("short")), actor: testActor, kdf: kdf) } != nil)
    }
}
