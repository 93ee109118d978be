import Foundation
import KubeSim
import LockstepTesting
import Testing

extension DaemonIntegrationTests {
    /// A rollback that fails exits 21 through the daemon, as on the direct path
    /// (EngineIntegrationTests.RollbackStuckTests).
    @Suite("lockstep serve: a failed rollback", .serialized)
    struct RollbackStuckThroughDaemonTests {
        @Test func aRollbackWhoseRolloutNeverFinishesExits21() async throws {
            let f = try await DaemonFixture.start()
            defer { Task { await f.stop() } }
            let d = try await f.startDaemon(try f.config("daemon-stuck", rolloutTimeout: "5s"))
            defer { Task { await d.process.stop() } }
            // Pods the gateway's Deployment creates never become ready: the new key is never
            // served, the run rolls back, and the rollback's own rollout never finishes either.
            f.sim.faults.setStuckRollout(namespace: "litellm-system", name: "litellm")
            let cli = try ChildProcess(TestEnvironment.builtBinary("lockstep"), ["rotate", "litellm-master-key", "--socket", d.socket, "--reason", "stuck rollback"], directory: f.dir)
            defer { cli.removeOutputFiles() }
            let code = await cli.waitForExit(timeout: .seconds(180))
            #expect(code == 21, "\(cli.stderr)")
            #expect(cli.stderr.hasPrefix("error: rollback of run litellm-master-key-"), "\(cli.stderr)")
            #expect(cli.stderr.contains("hint: `lockstep history litellm-master-key` shows every step"), "\(cli.stderr)")
            #expect(cli.stderr.contains("is stuck at wait for rollout of litellm-system/litellm"), "a rollback step failed, not the forward run")
        }
    }
}
