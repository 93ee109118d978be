import Foundation
import LockstepAudit
import LockstepCore
import LockstepCrypto
import LockstepVault
import Testing

/// A stored credential value (or an obvious encoding of it) must never reach the audit log
/// through free text: the vault refuses the entry, names the field, and writes nothing.
@Suite struct VaultAuditScreenTests {
    static let value = "sk-screened-Value/with+odd~chars_0123456789"

    /// The obvious ways a person pastes a key: as is, Base64 (standard and URL-safe, with and
    /// without padding), hex (both cases), percent-encoded, and without its `sk-` prefix.
    static func encodings(_ v: String) -> [(String, String)] {
        let bytes = Data(v.utf8)
        let std = bytes.base64EncodedString()
        let url = std.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        return [("raw", v), ("base64", std), ("base64-unpadded", std.replacingOccurrences(of: "=", with: "")),
                ("base64url", url), ("base64url-unpadded", url.replacingOccurrences(of: "=", with: "")),
                ("hex", hex), ("HEX", hex.uppercased()),
                ("percent", v.addingPercentEncoding(withAllowedCharacters: unreserved)!),
                ("no-prefix", String(v.dropFirst(3)))]
    }

    func policy(_ name: String) -> RotationPolicy {
        RotationPolicy(name: name, credential: try! CredentialName(name), kind: .litellmMasterKey,
                       source: .generate(prefix: "sk-", randomBytes: 32), schedule: nil, maxAge: nil, strategy: .restartTogether,
                       gateway: .init(url: "http://gw", models: []),
                       targets: [.init(namespace: "ns", name: "s", key: "k")],
                       rollouts: [.init(namespace: "ns", name: "d")], checks: .init(newKeyAccepted: true, oldKeyRefused: true))
    }

    @Test func everyEncodingInAReasonIsRefusedBeforeTheRunIsJournaled() throws {
        let f = try Fixture()
        try f.vault.importCredential(CredentialName("m"), value: secret(Self.value), actor: testActor)
        let before = try f.vault.auditLog.lines()
        for (label, text) in Self.encodings(Self.value) {
            let run = RotationRun(id: "run-\(label)", credential: "m", kind: .revoke, policy: policy("m"))
            let e = expectVaultError(.invalidInput) { try f.vault.beginRun(run, actor: testActor, reason: "leaked: \(text) (pasted)") }
            #expect(e != nil, "encoding \(label) was not refused")
            #expect(e?.message.contains("detail") == true, "encoding \(label): the error does not name the field")
            #expect(e.map { $0.message.contains(text) || ($0.hint ?? "").contains(text) } == false)
            #expect(try f.vault.unfinishedRuns().isEmpty)
        }
        #expect(try f.vault.auditLog.lines() == before)
    }

    @Test func everyFreeTextFieldIsScreened() throws {
        let f = try Fixture()
        try f.vault.importCredential(CredentialName("m"), value: secret(Self.value), actor: testActor)
        let before = try f.vault.auditLog.lines()
        let v = "x" + Data(Self.value.utf8).base64EncodedString()
        let drafts: [(String, AuditDraft)] = [
            ("detail", AuditDraft(actor: testActor, action: AuditAction.checkPassed, detail: v)),
            ("actor.id", AuditDraft(actor: AuditActor(kind: .incident, id: v), action: AuditAction.checkPassed)),
            ("credential", AuditDraft(actor: testActor, action: AuditAction.checkPassed, credential: v)),
            ("fingerprints", AuditDraft(actor: testActor, action: AuditAction.checkPassed, fingerprints: [v: "b2k:00"])),
            ("fingerprints", AuditDraft(actor: testActor, action: AuditAction.checkPassed, fingerprints: ["new": v])),
            ("targets[0].namespace", AuditDraft(actor: testActor, action: AuditAction.checkPassed, targets: [AuditTarget(namespace: v, name: "n")])),
            ("targets[1].name", AuditDraft(actor: testActor, action: AuditAction.checkPassed, targets: [AuditTarget(namespace: "a", name: "n"), AuditTarget(namespace: "a", name: v)])),
            ("targets[0].key", AuditDraft(actor: testActor, action: AuditAction.checkPassed, targets: [AuditTarget(namespace: "a", name: "n", key: v)])),
            ("targets[0].rvBefore", AuditDraft(actor: testActor, action: AuditAction.checkPassed, targets: [AuditTarget(namespace: "a", name: "n", resourceVersionBefore: v)])),
            ("targets[0].rvAfter", AuditDraft(actor: testActor, action: AuditAction.checkPassed, targets: [AuditTarget(namespace: "a", name: "n", resourceVersionAfter: v)])),
        ]
        for (field, draft) in drafts {
            let e = expectVaultError(.invalidInput) { try f.vault.audit(draft) }
            #expect(e?.message.contains(field) == true, "\(field) was not refused by name")
        }
        #expect(try f.vault.auditLog.lines() == before)
    }

    @Test func retiredValuesAndTheVaultKeyAreScreenedToo() throws {
        let f = try Fixture()
        try f.vault.importCredential(CredentialName("m"), value: secret(Self.value), actor: testActor)
        let run = RotationRun(id: "r1", credential: "m", kind: .revoke, policy: policy("m"))
        try f.vault.beginRun(run, actor: testActor, reason: nil)
        let v2 = try f.vault.createPendingVersion(credential: "m", value: secret("sk-second-value-abcdefghijkl"), source: .generated, runID: "r1", actor: testActor)
        try f.vault.promote(credential: "m", newVersion: v2.version, revoked: true, actor: testActor, runID: "r1")
        // v1 is revoked now: still refused, since a revoked key may still open something somewhere.
        #expect(expectVaultError(.invalidInput) { try f.vault.audit(AuditDraft(actor: testActor, action: AuditAction.checkPassed, detail: Self.value)) } != nil)
        // The key file's text (Base64 of the vault key) is refused as well.
        let keyText = try String(contentsOfFile: f.keyPath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(expectVaultError(.invalidInput) { try f.vault.audit(AuditDraft(actor: testActor, action: AuditAction.checkPassed, detail: keyText)) } != nil)
        // Ordinary text passes.
        #expect(throws: Never.self) { try f.vault.audit(AuditDraft(actor: testActor, action: AuditAction.checkPassed, detail: "scheduled; sk-abc")) }
    }

    @Test func anImportWhoseKindHoldsTheValueWritesNothing() throws {
        let f = try Fixture()
        let before = try f.vault.auditLog.lines()
        #expect(expectVaultError(.invalidInput) { try f.vault.importCredential(CredentialName("m"), value: secret(Self.value), kind: Self.value, actor: testActor) } != nil)
        #expect(try f.vault.credentials().isEmpty)
        #expect(try f.vault.auditLog.lines() == before)
    }

    @Test func theUpFrontScreenNamesTheCallersField() throws {
        let f = try Fixture()
        try f.vault.importCredential(CredentialName("m"), value: secret(Self.value), actor: testActor)
        let e = expectVaultError(.invalidInput) { try f.vault.refuseStoredValues(in: [("--reason", "fine"), ("--incident", "INC-" + Self.value)]) }
        #expect(e?.message.contains("--incident") == true)
        #expect(e.map { $0.message.contains(Self.value) } == false)
    }
}

/// A stored database URL's password alone, pasted into a reason, is refused like the whole URL;
/// the same text in another kind of credential is a URL like any other.
@Suite struct VaultURLPasswordScreenTests {
    static let password = "Sw0rdfish-database-password-0123456789_x"
    static let url = "postgresql://litellm_a:\(password)@db.example:5432/litellm"

    @Test func thePasswordOfAStoredDatabaseURLIsRefusedInAReasonAndTheURLsOtherPartsAreNot() throws {
        let f = try Fixture()
        try f.vault.importCredential(CredentialName("litellm-database-url"), value: secret(Self.url), kind: "postgres-password", actor: testActor)
        let e = expectVaultError(.invalidInput) { try f.vault.refuseStoredValues(in: [("--reason", "rotated after \(Self.password) leaked")]) }
        #expect(e?.message.contains("the password in the value of litellm-database-url") == true, "\(e?.message ?? "not refused")")
        #expect(e.map { !$0.message.contains(Self.password) } == true)
        #expect(throws: Never.self) { try f.vault.refuseStoredValues(in: [("--reason", "postgresql://litellm_a@db.example:5432/litellm leaked")]) }
        #expect(throws: VaultError.self) { try f.vault.refuseStoredValues(in: [("--reason", Self.url)]) }
    }

    @Test func aURLPasswordIsFoundWhereverTheUserinfoEnds() throws {
        func password(_ text: String) throws -> String? {
            try secret(text).urlPassword().map { p in p.withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }
        }
        #expect(try password("postgresql://u:p%40ss@h:5432/db?x=1") == "p%40ss")
        #expect(try password("postgres://u:a:b@c@h/db") == "a:b@c")
        #expect(try password("postgresql://u@h/db") == nil)
        #expect(try password("postgresql://u:@h/db") == nil)
        #expect(try password("not a url") == nil)
    }
}
