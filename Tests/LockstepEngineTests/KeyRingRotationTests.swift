import Foundation
import KubeSim
import LockstepAudit
import LockstepCore
import LockstepCrypto
import LockstepEngine
import LockstepLiteLLM
import LockstepTesting
import Testing

extension EngineIntegrationTests {
    /// The key-ring strategy on real LiteLLM pods that load the shipped module
    /// (deploy/components/litellm-keyring/lockstep_keyring.py) and mount the ring as a volume.
    @Suite("Rotation engine: key-ring on real LiteLLM", .serialized,
           .enabled(if: LiteLLMBinary.path != nil || LiteLLMBinary.inCI, "LiteLLM not installed (scripts/setup); CI=true makes this a failure"))
    struct KeyRingRotationTests {
        private func policyDir(_ f: EngineFixture, propagationTimeout: String = "60s") throws -> String {
            try f.writePolicy(strategy: "key-ring", propagationTimeout: propagationTimeout).path
        }

        private func ringIsEmpty(_ f: EngineFixture) -> Bool { f.liveValue("litellm-system", KeyRingObjects.ringSecret, KeyRingObjects.ringKey) == "" }

        @Test("rotate: the ring is staged and seen by the pod, backend then gateway, the old key refused at the pod, the ring empty at the end")
        func rotate() async throws {
            let litellm = try #require(LiteLLMBinary.path, "LiteLLM not found (scripts/setup or LITELLM_BIN)")
            let f = try await EngineFixture.start(litellm: litellm, strategy: .keyRing, keyRing: .installed)
            do {
                let r = try await runLockstep(["rotate", "litellm-master-key", "--kubeconfig", f.kubeconfig, "--policies", try policyDir(f),
                                               "--gateway-url", f.gatewayURL, "--reason", "test"], env: f.cliEnvironment)
                #expect(r.code == 0, "\(r.out)\(r.err)")
                let out = r.out + r.err
                #expect(out.contains("key-ring module active on 1 gateway pod(s)"), "\(out)")
                #expect(out.contains("every gateway pod (1) accepts the new key"), "\(out)")
                #expect(out.contains("at each of 1 gateway pods: new key accepted, old key refused"), "\(out)")
                // Order: ring, backend Secret and rollout, gateway Secret and rollout, checks, ring emptied.
                let order = ["stage the new key in the key ring", "wait until every gateway pod accepts the staged key",
                             "patch unique/chat-backend-litellm", "wait for rollout of unique/backend-service-chat",
                             "patch litellm-system/litellm-masterkey", "wait for rollout of litellm-system/litellm",
                             "verify at every gateway pod", "empty the key ring"]
                let positions = order.map { r.out.range(of: $0)?.lowerBound }
                #expect(positions.allSatisfy { $0 != nil }, "\(r.out)")
                #expect(zip(positions, positions.dropFirst()).allSatisfy { a, b in a! < b! }, "steps out of order: \(r.out)")
                let newKey = try f.vault.value(of: "litellm-master-key").withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
                #expect(concealed { f.holds("unique", "chat-backend-litellm", "LITELLM_API_KEY", newKey) })
                #expect(concealed { f.holds("litellm-system", "litellm-masterkey", "masterkey", newKey) })
                #expect(ringIsEmpty(f), "the ring holds nothing after the run")
                #expect(!out.contains(newKey) && !out.contains(EngineFixture.oldKey), "no key on the screen")
                let gateway = LiteLLMGateway(client: LiteLLMClient(baseURL: f.gatewayURL))
                #expect(try await concealed { try await gateway.accepts(secret(newKey)) })
                #expect(try await concealed { try await !gateway.accepts(secret(EngineFixture.oldKey)) })

                // revoke --immediate: no ring, the gateway surges to 100% and gets its maxSurge back.
                let revoke = try await runLockstep(["revoke", "litellm-master-key", "--immediate", "--reason", "test", "--incident", "T-1", "--yes",
                                                    "--kubeconfig", f.kubeconfig, "--policies", try policyDir(f), "--gateway-url", f.gatewayURL], env: f.cliEnvironment)
                #expect(revoke.code == 0, "\(revoke.out)\(revoke.err)")
                #expect(revoke.out.contains("(strategy restart-together)") && revoke.out.contains("maxSurge 100% for this rollout")
                        && revoke.out.contains("maxSurge restored") && !revoke.out.contains("key ring"), "\(revoke.out)")
                let deployment = f.sim.get(.deployments, namespace: "litellm-system", name: "litellm")
                #expect(deployment?.value(at: ["metadata", "annotations", "lockstep.dev/max-surge-before"]) == nil)
                #expect(deployment?.value(at: ["spec", "strategy", "rollingUpdate", "maxSurge"])?.stringValue == "25%", "the default, as before")
                let revokedTo = try f.vault.value(of: "litellm-master-key").withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
                let revokedAccepted = try await gateway.accepts(secret(revokedTo)), oldAccepted = try await gateway.accepts(secret(newKey))
                #expect(revokedAccepted && !oldAccepted)
                #expect(try f.vault.auditLog.verify().ok)
            } catch {
                await f.stop()
                throw error
            }
            await f.stop()
        }

        @Test("the module absent: preflight refuses key-ring with exit 22 and a hint, and nothing changes")
        func moduleAbsent() async throws {
            let litellm = try #require(LiteLLMBinary.path, "LiteLLM not found (scripts/setup or LITELLM_BIN)")
            let f = try await EngineFixture.start(litellm: litellm, strategy: .keyRing, keyRing: .ringWithoutModule)
            do {
                let r = try await runLockstep(["rotate", "litellm-master-key", "--kubeconfig", f.kubeconfig, "--policies", try policyDir(f),
                                               "--gateway-url", f.gatewayURL], env: f.cliEnvironment)
                #expect(r.code == 22, "\(r.out)\(r.err)")
                let out = r.out + r.err
                #expect(out.contains("no key-ring module (the pod answered HTTP 400 no_db_connection)"), "\(out)")
                #expect(out.contains("deploy/components/litellm-keyring"), "the hint names what to install: \(out)")
                #expect(concealed { f.holds("unique", "chat-backend-litellm", "LITELLM_API_KEY", EngineFixture.oldKey) })
                #expect(concealed { f.holds("litellm-system", "litellm-masterkey", "masterkey", EngineFixture.oldKey) })
                #expect(ringIsEmpty(f))
                #expect(try f.vault.credential("litellm-master-key").versions.count == 1, "no version was created")
            } catch {
                await f.stop()
                throw error
            }
            await f.stop()
        }

        @Test("a ring mounted with subPath never updates: the wait is bounded, the run rolls back, the ring is emptied, no Secret moved")
        func subPathNeverUpdates() async throws {
            let litellm = try #require(LiteLLMBinary.path, "LiteLLM not found (scripts/setup or LITELLM_BIN)")
            let f = try await EngineFixture.start(litellm: litellm, strategy: .keyRing, keyRing: .ringOnSubPath)
            do {
                let started = ContinuousClock.now
                let r = try await runLockstep(["rotate", "litellm-master-key", "--kubeconfig", f.kubeconfig, "--policies", try policyDir(f, propagationTimeout: "5s"),
                                               "--gateway-url", f.gatewayURL], env: f.cliEnvironment)
                let took = ContinuousClock.now - started
                #expect(r.code == 20, "rolled back: \(r.out)\(r.err)")
                let out = r.out + r.err
                #expect(out.contains("the key ring did not reach every gateway pod within 5s"), "\(out)")
                #expect(out.contains("mounted as a volume (not subPath, not env)"), "\(out)")
                #expect(took < .seconds(60), "bounded by the policy's propagationTimeout: \(took)")
                #expect(ringIsEmpty(f), "the rollback emptied the ring")
                #expect(concealed { f.holds("unique", "chat-backend-litellm", "LITELLM_API_KEY", EngineFixture.oldKey) })
                #expect(concealed { f.holds("litellm-system", "litellm-masterkey", "masterkey", EngineFixture.oldKey) })
                let versions = try f.vault.credential("litellm-master-key").versions
                #expect(versions.contains { $0.state == .failed } && versions.contains { $0.state == .current && $0.version == 1 })
                #expect(try await concealed { try await LiteLLMGateway(client: LiteLLMClient(baseURL: f.gatewayURL)).accepts(secret(EngineFixture.oldKey)) })
            } catch {
                await f.stop()
                throw error
            }
            await f.stop()
        }
    }
}
