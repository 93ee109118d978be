import ArgumentParser
import Foundation
import LockstepApp
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

    /// The rotation service on `vault`, reaching the gateway through LiteLLM's client, timing
    /// each step on standard error.
    func service(vault: Vault) -> RotationService {
        var settings = RotationService.Settings()
        settings.engine.rolloutTimeout = .seconds(rolloutTimeout)
        settings.gatewayOverride = gatewayURL
        let started = ContinuousClock.now
        return RotationService(store: vault, gateway: { LiteLLMGateway(client: LiteLLMClient(baseURL: $0)) }, settings: settings, progress: { line in
            let t = ContinuousClock.now - started
            Console.note(String(format: "[%6.1fs] %@\n", Double(t.components.seconds) + Double(t.components.attoseconds) / 1e18, line))
        })
    }

    /// Runs `request` with the service: the checks first (nothing read or reached yet), then
    /// the new value from stdin when a new run takes one, then the run on the cluster.
    func run(_ request: RunRequest, valueFromStdin: Bool) async throws -> RunReport {
        let policy = try policy(request.credential)
        let vault = try Vault.open(at: try vault.path(), key: try key.source())
        let service = service(vault: vault)
        let claim = try service.claim(request.credential)
        defer { claim.release() }
        var request = request
        let prepared = try service.prepare(request, policy: policy, valueSupplied: valueFromStdin)
        if prepared.resuming == nil, valueFromStdin {
            if key.passphraseStdin { throw CLIFailure(message: "the passphrase and the new value cannot both come from standard input", hint: "use --key-file", code: Exit.usage) }
            request.manualValue = try SecretInput.readAll(prompt: "new value of \(request.credential)")
        }
        return try await cluster.withCluster { cluster in try await service.run(request, policy: policy, on: cluster, claim: claim) }
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
    if let problem = RunOutcome(wire: summary.outcome).problem(run: summary.run, credential: summary.credential, failure: summary.failure, wirePhase: summary.outcome) {
        throw problem
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
            let request = RunRequest(credential: name, kind: .rotate, actor: currentUserActor(), reason: reason, origin: .commandLine)
            try finish(try await options.run(request, valueFromStdin: valueFromStdin), json: json)
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
            let actor = incident.map { AuditActor(kind: .incident, id: $0) } ?? currentUserActor()
            let request = RunRequest(credential: name, kind: .revoke, actor: actor, reason: reason, incident: incident, immediate: immediate, origin: .commandLine)
            let report = try await options.run(request, valueFromStdin: valueFromStdin)
            try finish(report, json: json)
        }
    }
}
