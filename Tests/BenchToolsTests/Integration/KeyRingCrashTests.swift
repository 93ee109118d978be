import Foundation
import KubeSim
import LockstepScenario
import LockstepTesting
import Testing

/// `kill -9` of `lockstep rotate` at every step of a key-ring run, under load on real LiteLLM:
/// each next `lockstep rotate` resumes the journaled run, and the backend never notices.
@Suite("Key-ring: kill -9 at every step, resume, 0 failed requests", .serialized,
       .enabled(if: Binaries.litellm != nil || Binaries.inCI, "LiteLLM not installed (scripts/setup); CI=true makes this a failure"))
struct KeyRingCrashTests {
    @Test("killed at every step of one run, resumed each time: it ends with the new key, the ring empty, 0 failed requests")
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
            let backend: @Sendable () async -> [PodInfo] = { await scenario.sim.pods(namespace: "unique", name: "backend-service-chat") }
            let before = await scenario.reports.snapshot(live: await backend())
            let started = Date()
            let rotate = ["rotate", "litellm-master-key"] + cluster + ["--gateway-url", scenario.gatewayURL]
            // Every step of the key-ring run, in order (the engine's progress lines).
            let steps = ["create new version", "stage the new key in the key ring", "wait until every gateway pod accepts the staged key",
                         "patch unique/chat-backend-litellm", "restart unique/backend-service-chat", "wait for rollout of unique/backend-service-chat",
                         "patch litellm-system/litellm-masterkey", "restart litellm-system/litellm ", "wait for rollout of litellm-system/litellm",
                         "verify the new key is accepted", "verify the old key is refused", "verify at every gateway pod", "promote new version", "empty the key ring"]
            let killed = try await KillAtEveryStep(binary: tools.lockstep, arguments: rotate, environment: env, directory: root).run(steps)
            #expect(killed.finalCode == 0, "after \(killed.killedAt.count) kills: \(killed.outputs.last?.suffix(3000) ?? "")")
            #expect(killed.killedAt.count >= steps.count / 2, "killed at \(killed.killedAt)")
            #expect(killed.outputs.dropFirst().allSatisfy { $0.contains("resuming interrupted run") }, "every start after a kill resumed the run")
            let ring = scenario.sim.get(.secrets, namespace: "litellm-system", name: KeyRingObjects.ringSecret)?["data"]?[KeyRingObjects.ringKey]?.stringValue
            #expect(ring == "", "the ring is empty after the resumed run")
            #expect(killed.outputs.allSatisfy { !$0.contains(scenario.initialMasterKey.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }) }, "no key in any output")
            // Counted once the requests sent by now have ended and the replaced pods wrote their reports.
            let ended = Date()
            let (after, settled) = await scenario.reports.settled(live: backend, known: Set(before.keys), timeout: .seconds(30))
            #expect(settled, "every backend pod's requests ended and every replaced pod wrote its report")
            let tally = LoadTally(before: before, after: after, from: started, to: ended)
            #expect(tally.total > 100, "the backend sent load throughout: \(tally.total)")
            let steps_ = zip(killed.killedAt, killed.killTimes).map { "\($0.0) at +\(String(format: "%.1f", $0.1.timeIntervalSince(started)))s" }
            let window = "from +\(String(format: "%.1f", tally.firstFailure?.timeIntervalSince(started) ?? -1))s to +\(String(format: "%.1f", tally.lastFailure?.timeIntervalSince(started) ?? -1))s"
            #expect(tally.failed == 0, "backend failures: \(tally.failed) (\(tally.statusSummary)); \(tally.retrySummary), \(window) [\(tally.failureLines.joined(separator: "; "))]; killed: \(steps_.joined(separator: ", "))")
            let history = try await ChildProcess.run(tools.lockstep, ["credential", "show", "litellm-master-key"], environment: env, directory: root, timeout: .seconds(30))
            #expect(history.stdout.contains("v2") && !history.stdout.contains("v3") && !history.stdout.contains("failed"),
                    "one run, finished once however often it was killed: \(history.stdout)")
        } catch {
            await scenario.stop()
            throw error
        }
        await scenario.stop()
    }
}
