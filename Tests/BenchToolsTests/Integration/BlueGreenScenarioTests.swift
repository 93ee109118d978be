import Foundation
import KubeSim
import LockstepCrypto
import LockstepLiteLLM
import LockstepScenario
import LockstepTesting
import Testing

/// The blue-green strategy on real LiteLLM under load: two gateway Deployments (blue serving,
/// green at 0), nothing installed in LiteLLM. A rotation (killed with `kill -9` while the idle
/// colour starts, then resumed) and a revoke each move the backend to the other colour with its
/// key and URL together; the backend never notices. The rotation is killed at every step.
@Suite("Blue-green: rotate (kill -9 at every step, resume) and revoke on real LiteLLM, 0 failed requests", .serialized,
       .enabled(if: Binaries.litellm != nil || Binaries.inCI, "LiteLLM not installed (scripts/setup); CI=true makes this a failure"))
struct BlueGreenScenarioTests {
    @Test("rotate to green (killed at every step, resumed), revoke back to blue: old keys refused at every pod, the stopped colour at 0, 0 failed")
    func rotateAndRevoke() async throws {
        let litellm = try #require(Binaries.litellm, "LiteLLM not found (scripts/setup or LITELLM_BIN)")
        let dir = try TempDirectory("blue-green")
        let tools = ScenarioTools(productsDirectory: URL(fileURLWithPath: Binaries.load).deletingLastPathComponent().path, litellm: litellm)
        var options = ScenarioOptions(gateway: .litellm)
        options.blueGreen = true
        let scenario = try await RunningScenario.start(options, tools: tools, directory: URL(fileURLWithPath: dir.path).appendingPathComponent("cluster"))
        do {
            let root = URL(fileURLWithPath: dir.path)
            let green = try #require(scenario.greenURL)
            let policies = root.appendingPathComponent("policies")
            try FileManager.default.createDirectory(at: policies, withIntermediateDirectories: true)
            try ScenarioObjects.blueGreenPolicy(blueURL: scenario.gatewayURL, greenURL: green)
                .write(to: policies.appendingPathComponent("litellm-master-key.yaml"), atomically: true, encoding: .utf8)
            let env = ["LOCKSTEP_VAULT": root.appendingPathComponent("vault.db").path, "LOCKSTEP_KEY_FILE": root.appendingPathComponent("vault.key").path]
            let cluster = ["--kubeconfig", scenario.kubeconfig, "--policies", policies.path]
            func lockstep(_ args: [String], timeout: Duration = .seconds(300)) async throws -> ChildProcess.Result {
                try await ChildProcess.run(tools.lockstep, args, environment: env, directory: root, timeout: timeout)
            }
            for args in [["vault", "keygen", "--out", env["LOCKSTEP_KEY_FILE"]!], ["vault", "init"], ["credential", "adopt", "litellm-master-key"] + cluster] {
                let r = try await lockstep(args, timeout: .seconds(60))
                #expect(r.code == 0, "\(args.prefix(2)): \(r.stderr)")
            }
            let first = try #require(scenario.liveMasterKey())
            let backend: @Sendable () async -> [PodInfo] = { await scenario.sim.pods(namespace: "unique", name: "backend-service-chat") }
            let before = await scenario.reports.snapshot(live: await backend())
            let started = Date()

            // Rotate: killed at every step, resumed each time.
            let rotate = ["rotate", "litellm-master-key", "--reason", "test"] + cluster
            let steps = ["create new version", "write the new key to the idle colour's Secret", "start the idle colour with the new key",
                         "patch unique/chat-backend-litellm", "restart unique/backend-service-chat", "wait for rollout of unique/backend-service-chat",
                         "verify the new key at every pod of the idle colour", "scale the active colour to 0", "promote new version",
                         "write the new key to the active colour's Secret"]
            let killed = try await KillAtEveryStep(binary: tools.lockstep, arguments: rotate, environment: env, directory: root).run(steps)
            #expect(killed.finalCode == 0, "after \(killed.killedAt.count) kills: \(killed.outputs.last?.suffix(3000) ?? "")")
            #expect(killed.killedAt.count >= steps.count / 2, "killed at \(killed.killedAt)")
            #expect(killed.outputs.dropFirst().allSatisfy { $0.contains("resuming interrupted run") }, "every start after a kill resumed the run")
            #expect(replicas(scenario, "litellm-blue") == 0 && replicas(scenario, "litellm-green") == 2, "the backend moved to green")
            #expect(backendURL(scenario) == green)
            let second = try #require(scenario.liveMasterKey())
            let show = try await lockstep(["credential", "show", "litellm-master-key"], timeout: .seconds(30))
            #expect(show.stdout.contains("v2") && !show.stdout.contains("v3") && !show.stdout.contains("failed"), "one run however often killed: \(show.stdout)")

            // Revoke: back to blue; green stops.
            let revoke = try await lockstep(["revoke", "litellm-master-key", "--reason", "test", "--incident", "T-2", "--yes"] + cluster)
            #expect(revoke.code == 0, "\(revoke.stdout.suffix(3000))\(revoke.stderr.suffix(1000))")
            #expect(replicas(scenario, "litellm-blue") == 2 && replicas(scenario, "litellm-green") == 0, "the backend moved back to blue")
            #expect(backendURL(scenario) == scenario.gatewayURL)
            let third = try #require(scenario.liveMasterKey())
            #expect(colourSecretsHold(scenario, third), "both colours' Secrets hold the current key: the revoked one is left in no Secret")

            // Counted once the requests sent by now have ended and the replaced pods wrote their reports.
            let ended = Date()
            let (after, settled) = await scenario.reports.settled(live: backend, known: Set(before.keys), timeout: .seconds(30))
            #expect(settled, "every backend pod's requests ended and every replaced pod wrote its report")
            let tally = LoadTally(before: before, after: after, from: started, to: ended)
            #expect(tally.total > 100, "the backend sent load throughout: \(tally.total)")
            let kills = zip(killed.killedAt, killed.killTimes).map { "\($0.0) at +\(String(format: "%.1f", $0.1.timeIntervalSince(started)))s" }
            let window = "from +\(String(format: "%.1f", tally.firstFailure?.timeIntervalSince(started) ?? -1))s to +\(String(format: "%.1f", tally.lastFailure?.timeIntervalSince(started) ?? -1))s"
            #expect(tally.failed == 0, "backend failures: \(tally.failed) (\(tally.statusSummary)); \(tally.retrySummary), \(window) [\(tally.failureLines.joined(separator: "; "))]; killed: \(kills.joined(separator: ", "))")

            // The first two keys are refused at every gateway pod; the current one accepted.
            let pods = await scenario.gatewayPods().filter(\.ready)
            #expect(pods.count == 2)
            for pod in pods {
                let url = "http://127.0.0.1:\(pod.port ?? 0)"
                let current = try await accepts(url, third), firstKey = try await accepts(url, first), secondKey = try await accepts(url, second)
                #expect(current && !firstKey && !secondKey, "\(pod.name)")
            }
            let verify = try await lockstep(["audit", "verify", "--vault", env["LOCKSTEP_VAULT"]!], timeout: .seconds(60))
            #expect(verify.code == 0, "\(verify.stdout)\(verify.stderr)")
            for key in [first, second, third] {
                let text = key.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
                #expect(!(killed.outputs.joined() + revoke.stdout + revoke.stderr).contains(text), "no key in any output")
            }
        } catch {
            await scenario.stop()
            throw error
        }
        await scenario.stop()
    }

    private func replicas(_ s: RunningScenario, _ name: String) -> Int? {
        s.sim.get(.deployments, namespace: "litellm-system", name: name)?["spec"]?["replicas"]?.intValue
    }

    private func backendURL(_ s: RunningScenario) -> String? {
        s.sim.get(.secrets, namespace: "unique", name: "chat-backend-litellm")?["data"]?["LITELLM_BASE_URL"]?.stringValue
            .flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) }
    }

    private func colourSecretsHold(_ s: RunningScenario, _ key: SecretBytes) -> Bool {
        let want = key.withUnsafeBytes { Data($0).base64EncodedString() }
        return ["litellm-blue-masterkey", "litellm-green-masterkey"].allSatisfy {
            s.sim.get(.secrets, namespace: "litellm-system", name: $0)?["data"]?["masterkey"]?.stringValue == want
        }
    }

    private func accepts(_ url: String, _ key: SecretBytes) async throws -> Bool {
        try await LockstepLiteLLM.LiteLLMGateway(client: LiteLLMClient(baseURL: url, timeout: .seconds(10))).accepts(key)
    }
}
