import ArgumentParser
import Foundation
import LockstepAudit
import LockstepCore
import LockstepCrypto
import LockstepDaemon
import LockstepEngine
import LockstepLiteLLM
import LockstepPolicy
import LockstepVault

/// Options shared by `rotate` and `revoke`: the vault, policies, the cluster and the gateway.
struct RunOptions: ParsableArguments {
    @OptionGroup var vault: VaultPathOption
    @OptionGroup var key: VaultKeyOptions
    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var policies: PolicyOption
    @Option(name: .long, help: ArgumentHelp("Reach the gateway at URL instead of the policy's (e.g. through a port-forward).", valueName: "URL"))
    var gatewayURL: String?
    @Option(name: .long, help: "How long to wait for each rollout, in seconds.")
    var rolloutTimeout: Int = 600

    func policy(_ name: String) throws -> RotationPolicy { try policies.policy(name) }

    func engine(vault v: Vault, policy: RotationPolicy, cluster: any ClusterPort) throws -> RotationEngine {
        guard let url = gatewayURL ?? policy.gatewayAddress else {
            throw CLIFailure(message: "no gateway URL for \(policy.credential)", hint: "set spec.gateway.url in the policy or pass --gateway-url", code: Exit.usage)
        }
        var settings = RotationEngine.Settings()
        settings.rolloutTimeout = .seconds(rolloutTimeout)
        let started = ContinuousClock.now
        return RotationEngine(store: v, cluster: cluster, gateway: LiteLLMGateway(client: LiteLLMClient(baseURL: url)), settings: settings) { line in
            let t = ContinuousClock.now - started
            Console.note(String(format: "[%6.1fs] %@\n", Double(t.components.seconds) + Double(t.components.attoseconds) / 1e18, line))
        }
    }
}

/// Prints a run's timeline and turns its end into the documented exit code.
func finish(_ report: RunReport, json: Bool) throws {
    try finish(RunSummary(report), json: json)
}

/// `rotate`/`revoke` through the daemon: the new value (manual sources) goes as the request body.
func runThroughDaemon(_ client: AdminClient, _ request: AdminWire.RotateRequest, valueFromStdin: Bool, json: Bool) async throws {
    let summary = valueFromStdin
        ? try await client.supply(try SecretInput.readAll(prompt: "new value of \(request.credential)"), for: request)
        : try await client.rotate(request)
    try finish(summary, json: json)
}

func finish(_ summary: RunSummary, json: Bool) throws {
    if json {
        try printJSON(summary)
    } else {
        try Console.out("run \(summary.run): \(summary.outcome)\(summary.strategy.map { " (strategy \($0))" } ?? "")")
        for s in summary.steps { try Console.out("  \(s.at)  \(String(format: "%6d", s.millis)) ms  \(s.action): \(s.outcome)") }
        for w in summary.warnings { try Console.out("warning: \(w)") }
        if let ms = summary.oldKeyRefusedAfterMillis { try Console.out("old key refused \(String(format: "%.1f", Double(ms) / 1000)) s after the run started") }
    }
    switch RotationRun.Phase(rawValue: summary.outcome).map(Exit.init(outcome:)) ?? .rollbackStuck {
    case .success: return
    case .rolledBack:
        throw CLIFailure(message: "rotation failed and was rolled back: \(summary.failure ?? "?"); the old value is in place everywhere and verified",
                         hint: "`lockstep history \(summary.credential)` shows every step; fix the cause and rotate again", code: Exit.rolledBack)
    case .notStarted:
        throw CLIFailure(message: "rotation did not start: \(summary.failure ?? "?"); nothing was changed", hint: "fix the cause shown above and rotate again", code: Exit.notStarted)
    default:
        throw CLIFailure(message: "run \(summary.run) stopped in \(summary.outcome)", hint: "rotate again to resume it", code: Exit.rollbackStuck)
    }
}

struct RotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Rotate NAME now: new value, patch every target in lockstep, roll, verify, or roll back. Resumes an interrupted run.",
        discussion: "Exit 0: rotated and verified. 20: failed and rolled back (old value everywhere, verified). 21: stopped during rollback, needs attention. 22: did not start, nothing changed (preflight, drift, bad value).")

    @Argument var name: String
    @OptionGroup var options: RunOptions
    @Option(name: .long, help: "Why (recorded in the audit log).")
    var reason: String?
    @Flag(name: .long, help: "Read the new value from standard input (manual sources: provider keys).")
    var valueFromStdin = false
    @Flag(name: .long, help: "Machine-readable report.")
    var json = false
    @OptionGroup var daemon: DaemonOption

    func run() async throws {
        try await runAsyncCLI {
            if let client = daemon.client() {
                return try await runThroughDaemon(client, .init(credential: name, kind: .rotate, reason: reason), valueFromStdin: valueFromStdin, json: json)
            }
            let policy = try options.policy(name)
            let vault = try Vault.open(at: try options.vault.path(), key: try options.key.source())
            try vault.refuseStoredValues(in: [("--reason", reason)])
            let actor = currentUserActor()
            var value: SecretBytes?
            let unfinished = try vault.unfinishedRuns().first(where: { $0.credential == name })
            if unfinished == nil, valueFromStdin {
                if options.key.passphraseStdin { throw CLIFailure(message: "the passphrase and the new value cannot both come from standard input", hint: "use --key-file", code: Exit.usage) }
                value = try SecretInput.readAll(prompt: "new value of \(name)")
            } else if unfinished == nil, policy.source == .manual {
                throw CLIFailure(message: "\(name) is due, waiting for a new value: only a person can mint it", hint: "get a new key from the provider, then `lockstep rotate \(name) --value-from-stdin`", code: Exit.usage)
            }
            let report = try await options.cluster.withCluster { cluster in
                let engine = try options.engine(vault: vault, policy: policy, cluster: cluster)
                if let unfinished {
                    Console.note("resuming interrupted run \(unfinished.id) (\(unfinished.phase.rawValue))\n")
                    return try await engine.resume(unfinished, policy: policy, actor: actor)
                }
                return try await engine.start(policy: policy, kind: .rotate, actor: actor, reason: reason, manualValue: value)
            }
            try finish(report, json: json)
        }
    }
}

struct RevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Incident path: rotate NAME at once; succeeds only when the old key is refused through the gateway.",
        discussion: "Prints the time of each step and how long until the old key was refused. Exit codes as for rotate.")

    @Argument var name: String
    @OptionGroup var options: RunOptions
    @Option(name: .long, help: "Why (required; recorded in the audit log).")
    var reason: String
    @Option(name: .long, help: "Incident id (the audit actor becomes incident:ID).")
    var incident: String?
    @Flag(name: .long, help: "Do not ask for confirmation.")
    var yes = false
    @Flag(name: .long, help: "Shortest time until the old key is refused, accepting failed requests: both sides restart at once, the gateway with maxSurge 100% (the policy's strategy is not used).")
    var immediate = false
    @Flag(name: .long, help: "Read the new value from standard input (manual sources).")
    var valueFromStdin = false
    @Flag(name: .long, help: "Machine-readable report.")
    var json = false
    @OptionGroup var daemon: DaemonOption

    func run() async throws {
        try await runAsyncCLI {
            if !yes {
                guard isatty(STDIN_FILENO) == 1, !valueFromStdin else {
                    throw CLIFailure(message: "revoke needs confirmation", hint: "pass --yes (scripts, pipes) or run it at a terminal", code: Exit.usage)
                }
                Console.note("revoke \(name): the current key stops working everywhere. Type the credential name to confirm: ")
                guard readLine()?.trimmingCharacters(in: .whitespaces) == name else {
                    throw CLIFailure(message: "not confirmed; nothing was changed", hint: nil, code: Exit.usage)
                }
            }
            if let client = daemon.client() {
                return try await runThroughDaemon(client, .init(credential: name, kind: .revoke, reason: reason, incident: incident, immediate: immediate),
                                                  valueFromStdin: valueFromStdin, json: json)
            }
            let policy = try options.policy(name)
            let vault = try Vault.open(at: try options.vault.path(), key: try options.key.source())
            // Up front, before the new value is read or the cluster is reached (exit 65).
            try vault.refuseStoredValues(in: [("--reason", reason), ("--incident", incident)])
            let value: SecretBytes? = valueFromStdin ? try SecretInput.readAll(prompt: "new value of \(name)") : nil
            if policy.source == .manual, value == nil {
                throw CLIFailure(message: "\(name) takes a manual value", hint: "get a new key from the provider, then `lockstep revoke \(name) --reason … --value-from-stdin --yes`", code: Exit.usage)
            }
            let actor = incident.map { AuditActor(kind: .incident, id: $0) } ?? currentUserActor()
            let report = try await options.cluster.withCluster { cluster in
                try await options.engine(vault: vault, policy: policy, cluster: cluster).start(policy: policy, kind: .revoke, actor: actor, reason: reason, manualValue: value,
                                                                                               immediate: immediate)
            }
            try finish(report, json: json)
        }
    }
}
