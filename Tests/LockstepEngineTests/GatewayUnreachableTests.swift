import Foundation
import LockstepTesting
import LockstepCore
import Testing

extension EngineIntegrationTests {
    /// A dead gateway stops the run in preflight within a bound, naming the address it used.
    @Suite("Rotation engine: an unreachable gateway", .serialized)
    struct GatewayUnreachableTests {
        @Test("--gateway-url to a closed port: exit 22 within the 30 s readiness bound, the message names that URL, nothing changed")
        func unreachableGateway() async throws {
            let f = try await EngineFixture.start(litellm: nil) // the stand-in: no LiteLLM start needed
            do {
                let policies = try f.writePolicy()
                let env = f.cliEnvironment
                let started = ContinuousClock.now
                let r = try await runLockstep(["rotate", "litellm-master-key", "--kubeconfig", f.kubeconfig, "--policies", policies.path,
                                               "--gateway-url", "http://127.0.0.1:9"], env: env)
                let took = ContinuousClock.now - started
                #expect(r.code == 22, "\(r.out)\(r.err)")
                #expect((r.out + r.err).contains("the gateway at http://127.0.0.1:9 did not answer /health/readiness within 30.0 seconds"), "\(r.out)\(r.err)")
                #expect(!(r.out + r.err).contains("svc.cluster.local"), "the policy's URL was not the one used")
                // 3.5 minutes before the bound; now the bound plus the CLI's start (generous for a busy machine).
                #expect(took < .seconds(90), "\(took)")
                #expect(concealed { f.holds("unique", "chat-backend-litellm", "LITELLM_API_KEY", EngineFixture.oldKey) })
                #expect(try f.vault.credential("litellm-master-key").versions.count == 1)
            } catch {
                await f.stop()
                throw error
            }
            await f.stop()
        }
    }
}
