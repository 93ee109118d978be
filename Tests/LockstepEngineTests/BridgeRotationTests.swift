import Foundation
import KubeSim
import LockstepAudit
import LockstepBench
import LockstepCore
import LockstepCrypto
import LockstepEngine
import LockstepLiteLLM
import LockstepVault
import LockstepTesting
import Testing

/// The bridge strategy needs LiteLLM's database, which cannot run here. These tests run the
/// gateway pods as `litellm-standin`, a STAND-IN that follows LiteLLM's documented shapes for
/// the master key, `/key/generate`, `/key/delete` and key auth (see LiteLLMStandIn).
extension EngineIntegrationTests {
    @Suite("Bridge strategy against the LiteLLM database-mode stand-in", .serialized)
    struct BridgeRotationTests {
        @Test("bridge: stage a virtual key, roll the backend, then the gateway, verify, delete the virtual key")
        func bridgeRotation() async throws {
            let f = try await EngineFixture.start(litellm: nil, strategy: .bridge)
            do {
                let report = try await f.run { try await $0.start(policy: f.policy, kind: .rotate, actor: AuditActor(kind: .schedule, id: "litellm-master-key"), reason: nil, manualValue: nil) }
                let steps = report.steps.map(\.action)
                #expect(report.run.phase == .succeeded, "\(report.steps.map { "\($0.action): \($0.outcome)" })")
                #expect(report.steps.contains { $0.action == "stage bridge key" && $0.outcome.contains("registered") })
                #expect(report.steps.contains { $0.action == "remove bridge key" && $0.outcome.contains("removed") })
                // The backend is completely on the new key before the gateway restarts.
                let backendDone = try #require(steps.firstIndex(of: "wait for rollout of unique/backend-service-chat"))
                let gatewayRestart = try #require(steps.firstIndex { $0.hasPrefix("restart litellm-system/litellm") })
                #expect(backendDone < gatewayRestart)
                #expect(steps.firstIndex(of: "stage bridge key")! < steps.firstIndex { $0.hasPrefix("patch") }!)

                let newKey = try f.vault.value(of: "litellm-master-key")
                let gateway = LiteLLMGateway(client: LiteLLMClient(baseURL: f.gatewayURL))
                #expect(try await concealed { try await gateway.accepts(newKey) })
                #expect(try await concealed { try await !gateway.accepts(secret(EngineFixture.oldKey)) })
                #expect(VirtualKeyStore(path: f.dir.appendingPathComponent("standin-db.json").path).all().isEmpty, "the bridge key was deleted")
                #expect(try f.vault.auditLog.verify().ok)
            } catch {
                await f.stop()
                throw error
            }
            await f.stop()
        }

        @Test("bridge without a database (real LiteLLM): staging fails, nothing is patched, the run rolls back cleanly",
              .enabled(if: LiteLLMBinary.path != nil || LiteLLMBinary.inCI, "LiteLLM not installed (scripts/setup); CI=true makes this a failure"))
        func bridgeWithoutDatabase() async throws {
            let litellm = try #require(LiteLLMBinary.path, "LiteLLM not found (scripts/setup or LITELLM_BIN)")
            let f = try await EngineFixture.start(litellm: litellm, strategy: .bridge)
            do {
                let report = try await f.run { try await $0.start(policy: f.policy, kind: .rotate, actor: AuditActor(kind: .user, id: "tester"), reason: nil, manualValue: nil) }
                #expect(report.run.phase == .rolledBack, "\(report.steps.map { "\($0.action): \($0.outcome)" })")
                #expect(report.run.failure?.contains("database") == true)
                #expect(!report.steps.contains { $0.action.hasPrefix("patch") })
                #expect(concealed { f.holds("litellm-system", "litellm-masterkey", "masterkey", EngineFixture.oldKey) })
            } catch {
                await f.stop()
                throw error
            }
            await f.stop()
        }
    }
}
