import Foundation
import LockstepTesting
import KubeSim
import LockstepCrypto
import LockstepLiteLLM

/// What the demo found; the test asserts on it.
public struct DemoOutcome: Sendable {
    public var adopted = false, rotated = false, revoked = false, auditVerified = false
    /// The first master key (adopted, then rotated out) is refused by the gateway and every replica.
    public var initialKeyRefused = false
    public var backend = LoadTally()
    /// Every master key the Secrets held (initial, after rotate, after revoke): for leak checks only.
    public var keys: [SecretBytes] = []
    public var keyInOutput = true
}

/// Lockstep's main job on the embedded default: KubeSim with 2 real LiteLLM gateway pods and 2
/// lockstep-load backend pods under load, then the real `lockstep` CLI: vault keygen/init,
/// credential adopt, rotate, revoke, history, the audit log and its verification.
public struct Demo: Sendable {
    let tools: ScenarioTools
    let policies: String
    let directory: URL
    let transcript: Transcript

    public init(tools: ScenarioTools, policies: String, directory: URL, transcript: Transcript) {
        self.tools = tools
        self.policies = policies
        self.directory = directory
        self.transcript = transcript
    }

    public func run() async throws -> DemoOutcome {
        let say = transcript.say
        say("== the deployment: KubeSim (Kubernetes API on 127.0.0.1), gateway = real LiteLLM, backend = lockstep-load")
        var (outcome, scenario) = try await RunningScenario.with(ScenarioOptions(gateway: .litellm), tools: tools, directory: directory.appendingPathComponent("cluster"), log: say) {
            var outcome = DemoOutcome()
            try await steps($0, &outcome)
            return outcome
        }
        outcome.backend = LoadTally(before: [:], after: scenario.reports.finals(), from: .distantPast, to: .distantFuture)
        let b = outcome.backend
        say("\n== the backend's view (lockstep-load reports, every pod)")
        say("requests: \(b.total), failed: \(b.failed) (\(b.statusSummary))" + (b.failed > 0 ? String(format: ", failure window %.1f s", b.windowSeconds) : "")
            + "; \(b.retrySummary) (no answer is sent again as the OpenAI SDKs do; a refused key is never retried)")
        outcome.keyInOutput = transcript.contains(anyOf: outcome.keys)
        say(outcome.keyInOutput ? "LEAK: a master key appeared in this output" : "checked: none of the \(outcome.keys.count) master keys appears in this output")
        return outcome
    }

    private func steps(_ scenario: RunningScenario, _ outcome: inout DemoOutcome) async throws {
        let vault = directory.appendingPathComponent("vault.db").path, key = directory.appendingPathComponent("vault.key").path
        let cluster = ["--kubeconfig", scenario.kubeconfig, "--policies", policies]
        outcome.keys.append(scenario.initialMasterKey)
        transcript.say("\n== Lockstep (the CLI; LOCKSTEP_VAULT=vault.db, LOCKSTEP_KEY_FILE=vault.key)")
        let cli = CLI(binary: tools.lockstep, env: ["LOCKSTEP_VAULT": vault, "LOCKSTEP_KEY_FILE": key], directory: directory, transcript: transcript)
        try await cli.require(["vault", "keygen", "--out", key])
        try await cli.require(["vault", "init"])
        outcome.adopted = try await cli.run(["credential", "adopt", "litellm-master-key"] + cluster).code == 0
        let run = cluster + ["--gateway-url", scenario.gatewayURL]
        // The shipped policy's strategy and every step it takes, before anything runs.
        try await cli.require(["plan", "litellm-master-key", "--policies", policies, "--no-daemon"])
        outcome.rotated = try await cli.run(["rotate", "litellm-master-key", "--reason", "demo: scheduled rotation"] + run).code == 0
        if let k = liveMasterKey(scenario) { outcome.keys.append(k) }
        outcome.revoked = try await cli.run(["revoke", "litellm-master-key", "--reason", "demo", "--incident", "DEMO-1", "--yes"] + run).code == 0
        if let k = liveMasterKey(scenario) { outcome.keys.append(k) }
        outcome.initialKeyRefused = await refusedEverywhere(scenario.initialMasterKey, scenario)
        transcript.say("the first master key, through the Service and at each gateway pod: \(outcome.initialKeyRefused ? "refused" : "STILL ACCEPTED")")
        _ = try await cli.run(["history", "litellm-master-key"])
        outcome.auditVerified = try await audit(cli)
    }

    /// The audit log as an auditor gets it: public key, head, a readable export, offline verify.
    private func audit(_ cli: CLI) async throws -> Bool {
        let pub = try await cli.require(["audit", "public-key"], show: false).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let head = try await cli.require(["audit", "head"], show: false).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        transcript.say("\naudit public key: \(pub)\naudit head:       \(head)")
        let export = directory.appendingPathComponent("audit.jsonl").path
        try await cli.require(["audit", "export", "-o", export])
        transcript.say(AuditTable.render(jsonl: (try? String(contentsOfFile: export, encoding: .utf8)) ?? ""))
        let verified = try await cli.run(["audit", "verify", export, "--public-key", pub, "--head", head]).code == 0
        // Tamper check: one changed outcome in the export must make verification fail.
        let tampered = directory.appendingPathComponent("audit-tampered.jsonl").path
        var lines = ((try? String(contentsOfFile: export, encoding: .utf8)) ?? "").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.count > 2 { lines[1] = lines[1].replacingOccurrences(of: "\"success\"", with: "\"failure\"") }
        try lines.joined(separator: "\n").write(toFile: tampered, atomically: true, encoding: .utf8)
        transcript.say("\n(tamper check: entry 2's outcome edited in a copy of the export; verification must refuse it)")
        let refused = try await cli.run(["audit", "verify", tampered, "--public-key", pub, "--head", head]).code != 0
        return verified && refused
    }

    /// The master key the gateway's Secret holds now.
    private func liveMasterKey(_ scenario: RunningScenario) -> SecretBytes? { scenario.liveMasterKey() }

    /// Refused through the Service and by every gateway pod directly.
    private func refusedEverywhere(_ key: SecretBytes, _ scenario: RunningScenario) async -> Bool {
        var urls = [scenario.gatewayURL]
        for pod in await scenario.gatewayPods() {
            if let port = pod.port { urls.append("http://127.0.0.1:\(port)") }
        }
        for url in urls {
            guard (try? await LiteLLMGateway(client: LiteLLMClient(baseURL: url, timeout: .seconds(10))).accepts(key)) == false else { return false }
        }
        return urls.count > 1
    }
}

/// Runs the `lockstep` CLI and shows each command and what it printed.
struct CLI: Sendable {
    let binary: String
    let env: [String: String]
    let directory: URL
    let transcript: Transcript

    @discardableResult
    func run(_ args: [String], show: Bool = true) async throws -> ChildProcess.Result {
        if show { transcript.say("\n$ lockstep " + args.map(display).joined(separator: " ")) }
        let r = try await ChildProcess.run(binary, args, environment: env, directory: directory, timeout: .seconds(600))
        if show {
            for line in (r.stderr + r.stdout).split(separator: "\n", omittingEmptySubsequences: false).dropLast(r.stdout.hasSuffix("\n") || r.stdout.isEmpty ? 1 : 0) {
                transcript.say("  " + line)
            }
            if r.code != 0 { transcript.say("  (exit \(r.code))") }
        }
        return r
    }

    /// Runs and throws on a non-zero exit.
    @discardableResult
    func require(_ args: [String], show: Bool = true) async throws -> ChildProcess.Result {
        let r = try await run(args, show: show)
        guard r.code == 0 else { throw ScenarioError("lockstep \(args.first ?? "") \(args.dropFirst().first ?? "") exited \(r.code): \(r.stderr.suffix(600))") }
        return r
    }

    /// Paths shortened to their last component, so the commands read as an operator types them.
    private func display(_ arg: String) -> String { arg.hasPrefix("/") ? URL(fileURLWithPath: arg).lastPathComponent : arg }
}
