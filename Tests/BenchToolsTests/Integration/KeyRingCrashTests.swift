import Foundation
import KubeSim
import LockstepScenario
import LockstepTesting
import Testing

/// `kill -9` of `lockstep rotate` in the middle of a key-ring run, under load on real LiteLLM:
/// the next `lockstep rotate` resumes the journaled run, and the backend never notices.
@Suite("Key-ring: kill -9 mid-run, resume, 0 failed requests", .serialized,
       .enabled(if: Binaries.litellm != nil || Binaries.inCI, "LiteLLM not installed (scripts/setup); CI=true makes this a failure"))
struct KeyRingCrashTests {
    @Test("killed while the ring propagates, and while the gateway rolls: each run resumes and ends with the new key, the ring empty, 0 failed")
    func killAndResume() async throws {
        let litellm = try #require(Binaries.litellm, "LiteLLM not found (scripts/setup or LITELLM_BIN)")
        let dir = try TempDirectory("keyring-crash")
        let tools = ScenarioTools(productsDirectory: URL(fileURLWithPath: Binaries.load).deletingLastPathComponent().path, litellm: litellm)
        let scenario = try await RunningScenario.start(ScenarioOptions(gateway: .litellm), tools: tools, directory: URL(fileURLWithPath: dir.path).appendingPathComponent("cluster"))
        do {
            let root = URL(fileURLWithPath: dir.path)
            let env = ["LOCKSTEP_VAULT": root.appendingPathComponent("vault.db").path, "LOCKSTEP_KEY_FILE": root.appendingPathComponent("vault.key").path]
            let policies = TestEnvironment.repositoryRoot.appendingPathComponent("policies").path
            let cluster = ["--kubeconfig", scenario.kubeconfig, "--policies", policies]
            for args in [["vault", "keygen", "--out", env["LOCKSTEP_KEY_FILE"]!], ["vault", "init"], ["credential", "adopt", "litellm-master-key"] + cluster] {
                let r = try await ChildProcess.run(tools.lockstep, args, environment: env, directory: root, timeout: .seconds(60))
                #expect(r.code == 0, "\(args.prefix(2)): \(r.stderr)")
            }
            let backend = { await scenario.sim.pods(namespace: "unique", name: "backend-service-chat") }
            let before = await scenario.reports.snapshot(live: await backend())
            let started = Date()
            let rotate = ["rotate", "litellm-master-key"] + cluster + ["--gateway-url", scenario.gatewayURL]
            for marker in ["wait until every gateway pod accepts the staged key", "wait for rollout of litellm-system/litellm"] {
                let p = try ChildProcess(tools.lockstep, rotate, environment: env, directory: root)
                let reached = await eventually(timeout: .seconds(180), every: .milliseconds(20)) { p.stderr.contains(marker) || !p.isRunning }
                #expect(reached && p.stderr.contains(marker), "\(marker): \(p.stderr.suffix(2000))")
                p.signal(SIGKILL)
                _ = await p.waitForExit(timeout: .seconds(10))
                let resumed = try await ChildProcess.run(tools.lockstep, rotate, environment: env, directory: root, timeout: .seconds(300))
                #expect(resumed.code == 0, "after a kill at \(marker): \(resumed.stdout.suffix(2000))\(resumed.stderr.suffix(1000))")
                #expect(resumed.stderr.contains("resuming interrupted run"), "\(resumed.stderr.suffix(1000))")
                let ring = scenario.sim.get(.secrets, namespace: "litellm-system", name: KeyRingObjects.ringSecret)?["data"]?[KeyRingObjects.ringKey]?.stringValue
                #expect(ring == "", "the ring is empty after the resumed run")
            }
            try await Task.sleep(for: .seconds(3)) // in-flight requests end; replaced pods write their reports
            let after = await scenario.reports.snapshot(live: await backend())
            let tally = LoadTally(before: before, after: after, from: started, to: Date())
            #expect(tally.total > 100, "the backend sent load throughout: \(tally.total)")
            #expect(tally.failed == 0, "backend failures: \(tally.failed) (\(tally.statusSummary)), retried \(tally.retried)")
            let history = try await ChildProcess.run(tools.lockstep, ["credential", "show", "litellm-master-key"], environment: env, directory: root, timeout: .seconds(30))
            #expect(history.stdout.contains("v3") && !history.stdout.contains("failed"), "two runs, each finished once: \(history.stdout)")
        } catch {
            await scenario.stop()
            throw error
        }
        await scenario.stop()
    }
}
