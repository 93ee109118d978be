import Foundation
import KubeSim
import LockstepTesting
import Testing

extension EngineIntegrationTests {
    /// A rollback that fails exits 21 on the direct path (`--no-daemon`), as documented and as
    /// through the daemon (DaemonIntegrationTests.RollbackStuckThroughDaemonTests).
    @Suite("Rotation engine: a failed rollback on the direct path", .serialized)
    struct RollbackStuckTests {
        @Test func aRollbackWhoseRolloutNeverFinishesExits21() async throws {
            let f = try await EngineFixture.start(litellm: nil)
            do {
                let policies = try f.writePolicy()
                // Pods the gateway's Deployment creates never become ready: the new key is never
                // served, the run rolls back, and the rollback's own rollout never finishes either.
                f.sim.faults.setStuckRollout(namespace: "litellm-system", name: "litellm")
                let cli = try ChildProcess(builtBinary("lockstep"), ["rotate", "litellm-master-key", "--no-daemon", "--kubeconfig", f.kubeconfig, "--policies", policies.path,
                                                                     "--gateway-url", f.gatewayURL, "--rollout-timeout", "5"],
                                           environment: f.cliEnvironment, directory: f.dir)
                defer { cli.removeOutputFiles() }
                let code = await cli.waitForExit(timeout: .seconds(180))
                #expect(code == 21, "\(cli.stderr)")
                let errors = cli.stderr.components(separatedBy: "\n").filter { $0.hasPrefix("error: ") }
                #expect(errors.count == 1 && errors.first?.hasPrefix("error: rollback of run litellm-master-key-") == true, "\(cli.stderr)")
                #expect(cli.stderr.contains("hint: `lockstep history litellm-master-key` shows every step"))
                #expect(cli.stderr.contains("is stuck at wait for rollout of litellm-system/litellm"), "a rollback step failed, not the forward run")
                #expect(try f.vault.unfinishedRuns().map(\.credential) == ["litellm-master-key"], "the run stays journaled for resume")
            } catch {
                await f.stop()
                throw error
            }
            await f.stop()
        }
    }
}
