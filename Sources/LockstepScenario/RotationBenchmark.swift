import Foundation
import KubeSim
import LockstepBench
import LockstepCrypto
import LockstepLiteLLM
import LockstepTesting

/// Master-key rotations under steady backend load on one running scenario: by hand with
/// `kubectl` (naive), or with `lockstep rotate` (the policy's strategy), and `lockstep revoke`.
public struct RotationBenchmark: Sendable {
    let scenario: RunningScenario
    let tools: ScenarioTools
    let policies: String
    let log: @Sendable (String) -> Void
    /// Load counted after the last command too (failures right after it count), and the time
    /// the Deployments are left once rolled out before a measurement starts.
    let settle: Duration = .seconds(3)

    public init(scenario: RunningScenario, tools: ScenarioTools, policies: String, log: @escaping @Sendable (String) -> Void) {
        self.scenario = scenario
        self.tools = tools
        self.policies = policies
        self.log = log
    }

    /// The backend and every gateway Deployment (blue-green: both colours).
    var deployments: [(String, String)] {
        [(ScenarioObjects.backendNamespace, ScenarioObjects.backendName)] + scenario.gatewayDeployments.map { (ScenarioObjects.gatewayNamespace, $0) }
    }

    /// What an operator does by hand: patch both Secrets (`kubectl patch --patch-file`, the key
    /// never in argv), `kubectl rollout restart` both Deployments, then `kubectl rollout status` each.
    public func naive() async throws -> RotationRun {
        let dir = try workDirectory("naive")
        let key = RunningScenario.randomKey()
        let b64 = Data(key.utf8).base64EncodedString()
        let patches = [("unique", "chat-backend-litellm", "LITELLM_API_KEY"), ("litellm-system", "litellm-masterkey", "masterkey")].map { ns, name, k in
            (ns, name, dir.appendingPathComponent("\(name).patch.json").path, #"{"data":{"\#(k)":"\#(b64)"}}"#)
        }
        for p in patches {
            guard FileManager.default.createFile(atPath: p.2, contents: Data(p.3.utf8), attributes: [.posixPermissions: 0o600]) else { throw ScenarioError("cannot write \(p.2)") }
        }
        defer { for p in patches { try? FileManager.default.removeItem(atPath: p.2) } }
        let kubectl = ["--kubeconfig", scenario.kubeconfig, "--cache-dir", dir.appendingPathComponent("kubectl-cache").path]
        var commands = patches.map { kubectl + ["-n", $0.0, "patch", "secret", $0.1, "--type", "merge", "--patch-file", $0.2] }
        commands += deployments.map { kubectl + ["-n", $0.0, "rollout", "restart", "deployment/\($0.1)"] }
        commands += deployments.map { kubectl + ["-n", $0.0, "rollout", "status", "deployment/\($0.1)", "--timeout=600s"] }
        return try await measure { var ok = true
            for c in commands { ok = try await ChildProcess.run("kubectl", c, directory: dir, timeout: .seconds(660)).code == 0 && ok }
            return ok
        }
    }

    /// A vault that adopted the key in use (not measured). Use one per scenario for every
    /// `lockstep` run and the revoke: the engine's restart annotation names the credential
    /// version (`litellm-master-key.v2`), so a second fresh vault would write the same value
    /// again and restart nothing.
    /// `strategy`: the policy adopted with (blue-green's names other targets than the shipped one's).
    public func adopt(strategy: String? = nil) async throws -> AdoptedVault {
        AdoptedVault(cli: try await adoptedVault("vault", policies: try strategy.map { try policies(strategy: $0) } ?? policies))
    }

    /// `lockstep rotate` with `vault` (which holds the key in use).
    public func lockstep(strategy: String, vault: AdoptedVault) async throws -> RotationRun {
        let cli = vault.cli
        let output = Captured<String>("")
        var run = try await measure {
            let r = try await cli.run(["rotate", "litellm-master-key", "--reason", "benchmark", "--json"] + runArgs(strategy: strategy), show: false)
            output.set(r.stdout)
            return r.code == 0
        }
        // The wait for the key ring to reach every pod is the kubelet's, not Lockstep's.
        let json = (try? JSONSerialization.jsonObject(with: Data(output.get().utf8))) as? [String: Any]
        let steps = json?["steps"] as? [[String: Any]] ?? []
        let ring = steps.first { ($0["action"] as? String)?.hasPrefix("wait until every gateway pod accepts") == true }
        run.propagationSeconds = Double(ring?["millis"] as? Int ?? 0) / 1000
        return run
    }

    /// `lockstep revoke`: the CLI's `oldKeyRefusedAfterMillis`, and, probed directly, when every
    /// ready gateway pod refused the old key.
    public func revoke(strategy: String, vault: AdoptedVault, immediate: Bool = false) async throws -> RevokeRun {
        let cli = vault.cli
        try await steady()
        let before = await scenario.reports.snapshot(live: await backendPods())
        let old = try liveKey()
        let started = Date()
        let probe = Task { await everyReplicaRefuses(old, since: started) }
        let r = try await withTaskCancellationHandler {
            try await cli.run(["revoke", "litellm-master-key", "--reason", "benchmark", "--yes", "--json"] + (immediate ? ["--immediate"] : []) + runArgs(strategy: strategy), show: false)
        } onCancel: { probe.cancel() }
        let ended = Date()
        // A failed revoke rolled back: the old key works again, so there is nothing to wait for.
        if r.code != 0 { probe.cancel() }
        let replicas = await probe.value
        let json = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any]
        let cli_ = (json?["oldKeyRefusedAfterMillis"] as? Int).map { Double($0) / 1000 }
        try await Task.sleep(for: settle)
        let after = await settledReports(before)
        let tally = LoadTally(before: before, after: after, from: started, to: ended.addingTimeInterval(3))
        log("  revoke ok=\(r.code == 0) requests=\(tally.total) failed=\(tally.failed) (\(tally.statusSummary)) every pod refuses after \(replicas.map { String(format: "%.1fs", $0) } ?? "-")")
        return RevokeRun(cliSeconds: cli_, replicasSeconds: replicas, succeeded: r.code == 0, tally: tally)
    }

    private func runArgs(strategy: String) throws -> [String] {
        ["--kubeconfig", scenario.kubeconfig, "--policies", try policies(strategy: strategy), "--gateway-url", scenario.gatewayURL]
    }

    /// The repository's policies, with the master key's strategy set to `strategy`; blue-green:
    /// the layout's own policy (its colours' URLs are the scenario's).
    private func policies(strategy: String) throws -> String {
        let dir = scenario.directory.appendingPathComponent("policies-\(strategy)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        if strategy == "blue-green" {
            guard let green = scenario.greenURL else { throw ScenarioError("blue-green needs the blue-green layout (ScenarioOptions.blueGreen)") }
            try ScenarioObjects.blueGreenPolicy(blueURL: scenario.gatewayURL, greenURL: green)
                .write(to: dir.appendingPathComponent("litellm-master-key.yaml"), atomically: true, encoding: .utf8)
            return dir.path
        }
        let text = try String(contentsOfFile: policies + "/litellm-master-key.yaml", encoding: .utf8)
        // The shipped policy is key-ring; the other strategies read no keyRing section.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).compactMap { line -> String? in
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("strategy:") { return "  strategy: \(strategy)" }
            if strategy != "key-ring", line.trimmingCharacters(in: .whitespaces).hasPrefix("keyRing:") { return nil }
            return String(line)
        }
        try lines.joined(separator: "\n").write(to: dir.appendingPathComponent("litellm-master-key.yaml"), atomically: true, encoding: .utf8)
        return dir.path
    }

    private func adoptedVault(_ name: String, policies: String) async throws -> CLI {
        let dir = try workDirectory(name)
        let cli = CLI(binary: tools.lockstep, env: ["LOCKSTEP_VAULT": dir.appendingPathComponent("vault.db").path, "LOCKSTEP_KEY_FILE": dir.appendingPathComponent("vault.key").path],
                      directory: dir, transcript: Transcript { _ in })
        try await cli.require(["vault", "keygen", "--out", dir.appendingPathComponent("vault.key").path], show: false)
        try await cli.require(["vault", "init"], show: false)
        try await cli.require(["credential", "adopt", "litellm-master-key", "--kubeconfig", scenario.kubeconfig, "--policies", policies], show: false)
        return cli
    }

    /// Runs `body` under the rollout watch and the load window; settles first and after.
    private func measure(_ body: () async throws -> Bool) async throws -> RotationRun {
        try await steady()
        let before = await scenario.reports.snapshot(live: await backendPods())
        let watch = RolloutWatch(scenario, deployments)
        let memory = GatewayMemorySampler(scenario, namespace: ScenarioObjects.gatewayNamespace, names: scenario.gatewayDeployments)
        let t0 = Date(), c0 = ContinuousClock.now
        let ok = try await body()
        let wall = ContinuousClock.now - c0
        let t1 = Date()
        let rollouts = await watch.finish()
        let peak = await memory.finish()
        try await Task.sleep(for: settle)
        let after = await settledReports(before)
        let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        let run = RotationRun(tally: LoadTally(before: before, after: after, from: t0, to: t1.addingTimeInterval(3)), wallSeconds: seconds, rolloutSeconds: rollouts, succeeded: ok,
                              peakExtraGatewayMiB: peak)
        log(String(format: "  ok=%@ requests=%d failed=%d (%@) retried=%d+%d wall=%.1fs rollouts=%.1fs peak+%.0fMiB", ok ? "yes" : "NO", run.tally.total, run.tally.failed,
                   run.tally.statusSummary, run.tally.retried, run.tally.retriedAfterTimeout, run.wallSeconds, run.rolloutSeconds, peak))
        return run
    }

    /// Both Deployments rolled out, and no pod left terminating (bounded).
    private func steady() async throws {
        let ok = await eventually(timeout: .seconds(300)) { [scenario, deployments] in
            deployments.allSatisfy { scenario.rolledOut($0.0, $0.1) }
        }
        guard ok else { throw ScenarioError("the Deployments did not settle") }
        try await Task.sleep(for: settle)
    }

    /// The reports once the requests sent so far have ended and replaced pods wrote theirs (bounded).
    private func settledReports(_ before: [Int32: LoadReport]) async -> [Int32: LoadReport] {
        let (reports, settled) = await scenario.reports.settled(live: { [self] in await backendPods() }, known: Set(before.keys), timeout: .seconds(30))
        if !settled { log("  warning: some backend requests had not ended after 30 s; counted as they stood") }
        return reports
    }

    private func backendPods() async -> [PodInfo] { await scenario.sim.pods(namespace: ScenarioObjects.backendNamespace, name: ScenarioObjects.backendName) }

    private func liveKey() throws -> SecretBytes {
        guard let key = scenario.liveMasterKey() else { throw ScenarioError("no key in the backend's Secret") }
        return key
    }

    /// Polls every ready gateway pod (its own port) with `key` until all refuse it (bounded, 300 s).
    private func everyReplicaRefuses(_ key: SecretBytes, since: Date) async -> Double? {
        let deadline = ContinuousClock.now + .seconds(300)
        while ContinuousClock.now < deadline, !Task.isCancelled {
            let pods = await scenario.gatewayPods().filter(\.ready)
            var all = !pods.isEmpty
            for pod in pods where all {
                guard let port = pod.port else { all = false; break }
                all = (try? await LiteLLMGateway(client: LiteLLMClient(baseURL: "http://127.0.0.1:\(port)", timeout: .seconds(5))).accepts(key)) == false
            }
            if all { return Date().timeIntervalSince(since) }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return nil
    }

    private func workDirectory(_ name: String) throws -> URL {
        let dir = scenario.directory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// A vault that adopted the scenario's master key, driven through the CLI.
public struct AdoptedVault: Sendable {
    let cli: CLI
}

/// A value set from inside a measured closure and read after it.
final class Captured<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func set(_ v: Value) { lock.withLock { value = v } }
    func get() -> Value { lock.withLock { value } }
}
