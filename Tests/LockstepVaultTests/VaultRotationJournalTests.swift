import Foundation
import LockstepAudit
import LockstepCore
import LockstepCrypto
import LockstepVault
import Testing

@Suite struct VaultRotationJournalTests {
    func policy() -> RotationPolicy {
        RotationPolicy(name: "m", credential: try! CredentialName("litellm-master-key"), kind: .litellmMasterKey,
                       source: .generate(prefix: "sk-", randomBytes: 32), schedule: nil, maxAge: nil, strategy: .restartTogether,
                       gateway: .init(url: "http://gw", models: []),
                       targets: [.init(namespace: "litellm-system", name: "litellm-masterkey", key: "masterkey")],
                       rollouts: [.init(namespace: "litellm-system", name: "litellm")], checks: .init(newKeyAccepted: true, oldKeyRefused: true))
    }

    @Test func aRunIsJournaledAndOnlyOneIsActivePerCredential() throws {
        let f = try Fixture()
        try f.vault.importCredential(CredentialName("litellm-master-key"), value: secret("sk-old-master-key-0001"), actor: testActor)
        var run = RotationRun(id: "run-1", credential: "litellm-master-key", kind: .rotate, policy: policy())
        try f.vault.beginRun(run, actor: testActor, reason: "scheduled")
        let second = RotationRun(id: "run-2", credential: "litellm-master-key", kind: .revoke, policy: policy())
        let busy = expectVaultError(.busy) { try f.vault.beginRun(second, actor: testActor, reason: nil) }
        #expect(busy?.message.contains("run-1") == true)
        run.step = .deliver(segment: 0, target: 0)
        try f.vault.saveRun(run, audit: AuditDraft(actor: testActor, action: AuditAction.secretPatched, credential: run.credential,
                                                   targets: [AuditTarget(namespace: "litellm-system", name: "litellm-masterkey", key: "masterkey", resourceVersionBefore: "5", resourceVersionAfter: "9")]))
        // A restarted process finds the run where it stopped.
        let resumed = try f.reopen().unfinishedRuns()
        #expect(resumed == [run])
        run.step = .succeeded
        try f.vault.saveRun(run, audit: nil)
        #expect(try f.vault.unfinishedRuns().isEmpty)
        try f.vault.beginRun(second, actor: testActor, reason: "incident")
        #expect(try f.vault.auditLog.entries().map(\.action.rawValue) == ["vault.initialized", "credential.imported", "rotation.started", "secret.patched", "rotation.started"])
    }

    @Test func pendingVersionIsIdempotentPerRunThenPromoted() throws {
        let f = try Fixture()
        try f.vault.importCredential(CredentialName("litellm-master-key"), value: secret("sk-old-master-key-0001"), actor: testActor)
        let run = RotationRun(id: "run-1", credential: "litellm-master-key", kind: .rotate, policy: policy())
        try f.vault.beginRun(run, actor: testActor, reason: nil)
        let v = try f.vault.createPendingVersion(credential: "litellm-master-key", value: secret("sk-new-master-key-0002"), source: .generated, runID: "run-1", actor: testActor)
        let again = try f.vault.createPendingVersion(credential: "litellm-master-key", value: secret("sk-other-value-00003"), source: .generated, runID: "run-1", actor: testActor)
        #expect(v.version == 2 && v.state == .pending && again == v)
        #expect(try f.vault.value(of: "litellm-master-key", version: 2).constantTimeEquals(Array("sk-new-master-key-0002".utf8)))
        try f.vault.promote(credential: "litellm-master-key", newVersion: 2, revoked: false, actor: testActor, runID: "run-1")
        try f.vault.promote(credential: "litellm-master-key", newVersion: 2, revoked: false, actor: testActor, runID: "run-1") // resumed: no-op
        let states = try f.vault.credential("litellm-master-key").versions.map { "v\($0.version):\($0.state.rawValue)" }
        #expect(states == ["v2:current", "v1:previous"])
        #expect(try f.vault.value(of: "litellm-master-key").constantTimeEquals(Array("sk-new-master-key-0002".utf8)))
        let finished = try f.vault.auditLog.entries().last
        #expect(finished?.action.rawValue == "rotation.finished" && finished?.fingerprints.keys.sorted() == ["new", "old"])
    }

    @Test func revokeMarksTheOldVersionRevokedAndAFailedAttemptStaysFailed() throws {
        let f = try Fixture()
        try f.vault.importCredential(CredentialName("litellm-master-key"), value: secret("sk-old-master-key-0001"), actor: testActor)
        try f.vault.beginRun(RotationRun(id: "a", credential: "litellm-master-key", kind: .rotate, policy: policy()), actor: testActor, reason: nil)
        _ = try f.vault.createPendingVersion(credential: "litellm-master-key", value: secret("sk-attempt-that-fails"), source: .generated, runID: "a", actor: testActor)
        try f.vault.markFailed(credential: "litellm-master-key", version: 2, actor: testActor, runID: "a", reason: "stuck rollout")
        #expect(try f.vault.value(of: "litellm-master-key").constantTimeEquals(Array("sk-old-master-key-0001".utf8)))
        _ = try f.vault.createPendingVersion(credential: "litellm-master-key", value: secret("sk-incident-new-key-3"), source: .generated, runID: "b", actor: testActor)
        try f.vault.promote(credential: "litellm-master-key", newVersion: 3, revoked: true, actor: testActor, runID: "b")
        let states = try f.vault.credential("litellm-master-key").versions.map { "v\($0.version):\($0.state.rawValue)" }
        #expect(states == ["v3:current", "v2:failed", "v1:revoked"])
        #expect(try f.vault.auditLog.entries().map(\.action.rawValue).suffix(2) == ["version.created", "credential.revoked"])
        #expect(try f.vault.auditLog.verify().ok)
    }

    @Test func theSameValueCannotBeRotatedIn() throws {
        let f = try Fixture()
        try f.vault.importCredential(CredentialName("k"), value: secret("sk-same-value-000001"), actor: testActor)
        #expect(expectVaultError(.invalidInput) { _ = try f.vault.createPendingVersion(credential: "k", value: secret("sk-same-value-000001"), source: .manual, runID: "r", actor: testActor) } != nil)
        #expect(expectVaultError(.invalidInput) { _ = try f.vault.createPendingVersion(credential: "k", value: secret("sk-1234"), source: .manual, runID: "r", actor: testActor) } != nil)
    }
}
