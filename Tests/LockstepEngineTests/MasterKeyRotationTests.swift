import Foundation
import KubeSim
import LockstepAudit
import LockstepCore
import LockstepCrypto
import LockstepEngine
import LockstepKubernetes
import LockstepLiteLLM
import LockstepVault
import Testing

/// The engine end to end: KubeSim with real LiteLLM gateway pods, the Kubernetes client over
/// HTTP, the LiteLLM client through the gateway's Service, and the vault with its audit log.
@Suite("Rotation engine on KubeSim with real LiteLLM", .serialized,
       .enabled(if: LiteLLMBinary.path != nil || LiteLLMBinary.inCI, "LiteLLM not installed (scripts/setup); CI=true makes this a failure"))
struct MasterKeyRotationTests {
    @Test("restart-together: a 409 during delivery is re-read and decided, both sides end on the new key, verified and audited; then revoke")
    func rotateThenRevoke() async throws {
        let litellm = try #require(LiteLLMBinary.path, "LiteLLM not found (scripts/setup or LITELLM_BIN)")
        let f = try await EngineFixture.start(litellm: litellm)
        do {
            // Someone touches the gateway Secret while Lockstep delivers: one injected 409.
            f.sim.faults.injectConflicts(ObjectKey(type: .secrets, namespace: "litellm-system", name: "litellm-masterkey"), count: 1)
            let started = ContinuousClock.now
            let report = try await f.run { try await $0.start(policy: f.policy, kind: .rotate, actor: AuditActor(kind: .schedule, id: "litellm-master-key"), reason: "scheduled", manualValue: nil) }
            print("rotation took \(ContinuousClock.now - started)")
            #expect(report.run.phase == .succeeded, "\(report.steps.map { "\($0.action): \($0.outcome)" })")
            #expect(report.steps.contains { $0.outcome.contains("conflict") }, "the 409 was seen and handled")

            let current = try f.vault.value(of: "litellm-master-key")
            let newKey = current.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
            #expect(newKey.hasPrefix("sk-") && newKey != EngineFixture.oldKey)
            #expect(f.liveValue("unique", "chat-backend-litellm", "LITELLM_API_KEY") == newKey)
            #expect(f.liveValue("litellm-system", "litellm-masterkey", "masterkey") == newKey)
            #expect(f.liveValue("unique", "chat-backend-litellm", "OTHER") == "unrelated", "other keys of the Secret are left alone")
            let gateway = LiteLLMGateway(client: LiteLLMClient(baseURL: f.gatewayURL))
            #expect(try await gateway.accepts(current))
            #expect(try await !gateway.accepts(secret(EngineFixture.oldKey)))
            #expect(try f.vault.credential("litellm-master-key").versions.map(\.state) == [.current, .previous])

            let entries = try f.vault.auditLog.entries()
            let actions = entries.map(\.action)
            #expect(actions.contains("rotation.started") && actions.contains("version.created") && actions.contains("rotation.finished"))
            #expect(entries.filter { $0.action == "secret.patched" && $0.outcome == .success }.count == 2)
            #expect(entries.contains { $0.action == "secret.patched" && $0.targets.first?.resourceVersionAfter != nil })
            #expect(entries.filter { $0.action == "workload.rolled-out" }.count == 2)
            #expect(try f.vault.auditLog.verify().ok)
            let exported = String(decoding: try f.vault.auditLog.lines().flatMap { $0 }, as: UTF8.self)
            #expect(!exported.contains(newKey) && !exported.contains(EngineFixture.oldKey), "no key in the audit log")

            // Incident: revoke the key just rotated in. It must end refused, and the run says how long that took.
            let revoke = try await f.run { try await $0.start(policy: f.policy, kind: .revoke, actor: AuditActor(kind: .incident, id: "INC-42"), reason: "leaked in a log", manualValue: nil) }
            #expect(revoke.run.phase == .succeeded)
            #expect(revoke.oldKeyRefusedAfterMillis != nil)
            print("revoke: old key refused after \(revoke.oldKeyRefusedAfterMillis ?? -1) ms")
            #expect(try await !gateway.accepts(current))
            #expect(try f.vault.credential("litellm-master-key").versions.map(\.state) == [.current, .revoked, .retired])
            #expect(try f.vault.auditLog.entries().last?.action == "credential.revoked")
        } catch {
            await f.stop()
            throw error
        }
        await f.stop()
    }

    @Test("drift: a Secret changed behind Lockstep's back stops the rotation before anything changes")
    func driftStopsTheRotation() async throws {
        let litellm = try #require(LiteLLMBinary.path, "LiteLLM not found (scripts/setup or LITELLM_BIN)")
        let f = try await EngineFixture.start(litellm: litellm)
        do {
            // What `kubectl patch secret` behind Lockstep's back does.
            let rv = f.sim.get(.secrets, namespace: "unique", name: "chat-backend-litellm")?["metadata"]?["resourceVersion"]?.stringValue ?? ""
            try await KubernetesClient.withClient(try .kubeconfig(paths: [f.kubeconfig])) { client in
                _ = try await client.patchSecretKey(namespace: "unique", name: "chat-backend-litellm", key: "LITELLM_API_KEY", value: secret("sk-set-by-hand-000001"), resourceVersion: rv)
            }
            let report = try await f.run { try await $0.start(policy: f.policy, kind: .rotate, actor: AuditActor(kind: .user, id: "tester"), reason: nil, manualValue: nil) }
            #expect(report.run.phase == .abandoned)
            #expect(report.run.failure?.contains("drift: unique/chat-backend-litellm#LITELLM_API_KEY") == true)
            #expect(f.liveValue("litellm-system", "litellm-masterkey", "masterkey") == EngineFixture.oldKey, "nothing was changed")
            let drift = try f.vault.auditLog.entries().first { $0.action == "drift.detected" }
            #expect(drift?.targets.first?.name == "chat-backend-litellm")
            #expect(drift?.fingerprints["live"] != drift?.fingerprints["vault"])
            #expect(try f.vault.credential("litellm-master-key").versions.count == 1)
        } catch {
            await f.stop()
            throw error
        }
        await f.stop()
    }
}
