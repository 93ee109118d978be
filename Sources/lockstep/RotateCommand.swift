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
        // A credential only the vault holds needs no cluster connection (nor a kubeconfig).
        if policy.vaultOnly { return try await service.run(request, policy: policy, on: NoCluster(), claim: claim) }
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
        abstract: "Incident path: rotate NAME at once; succeeds only when the old key is refused through the gateway. --all: every credential of a compromised gateway.",
        discussion: """
            Prints the time of each step and how long until the old key was refused. Exit codes as for rotate.
            revoke --all --incident ID --reason TEXT --yes revokes every credential of the policy folder (or of --gateway URL) under one \
            incident: the master key first, then the provider keys, one after another, each with its policy's zero-failure strategy, \
            each old value refused at its source (the gateway; the provider for keys Lockstep retires there). Keys only a person can mint \
            come from --value-file NAME=PATH. Run it again with the same id after a crash or once a person has acted: what is refused \
            already is skipped. Exit 0: every old value refused. 23: a person must act (the report says what). 20/21 as for rotate.
            """)

    @Argument(help: "The credential (leave out with --all).")
    var name: String?
    @OptionGroup var options: RunOptions
    @Option(name: .long, help: "Why (required; recorded in the audit log).")
    var reason: String
    @Option(name: .long, help: "Incident id (the audit actor becomes incident:ID; required with --all).")
    var incident: String?
    @Flag(name: .long, help: "Revoke every credential of the policy folder (or of --gateway) under one incident.")
    var all = false
    @Option(name: .long, help: ArgumentHelp("With --all: only the credentials whose policy's gateway URL is URL.", valueName: "URL"))
    var gateway: String?
    @Option(name: .long, help: ArgumentHelp("With --all: the new value of credential NAME (a key only a person can mint) from the file PATH; repeatable.", valueName: "NAME=PATH"))
    var valueFile: [String] = []
    @Flag(name: .long, help: "Do not ask for confirmation.")
    var yes = false
    @Flag(name: .long, help: "Shortest time until the old key is refused, accepting failed requests: both sides restart at once, the gateway with maxSurge 100% (the policy's strategy is not used).")
    var immediate = false
    @Flag(name: .long, help: "Read the new value from standard input (manual sources).")
    var valueFromStdin = false
    @Flag(name: .long, help: "Machine-readable report.")
    var json = false
    @OptionGroup var daemon: DaemonOption

    func validate() throws {
        if all {
            if name != nil { throw ValidationError("--all revokes every credential: leave out the name") }
            if incident == nil { throw ValidationError("--all needs --incident ID: the incident journals its runs under that id") }
            if immediate { throw ValidationError("--all keeps the backend serving and does not take --immediate; revoke one credential with --immediate instead") }
            if valueFromStdin { throw ValidationError("--all takes new values from files: --value-file NAME=PATH") }
        } else {
            if name == nil { throw ValidationError("name the credential to revoke, or pass --all") }
            if gateway != nil || !valueFile.isEmpty { throw ValidationError("--gateway and --value-file go with --all") }
        }
    }

    func run() async throws {
        try await runAsyncCLI {
            if !yes { try confirm() }
            guard let name else { return try await revokeAll() }
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

    /// At a terminal, the credential's name (or the incident id, with --all) typed back.
    private func confirm() throws {
        let word = name ?? incident ?? ""
        guard isatty(STDIN_FILENO) == 1, !valueFromStdin else {
            throw CLIFailure(message: "revoke needs confirmation", hint: "pass --yes (scripts, pipes) or run it at a terminal", code: Exit.usage)
        }
        let what = name.map { "revoke \($0): the current key stops working everywhere" } ?? "revoke --all: every credential's current value stops working"
        Console.note("\(what). Type \(name == nil ? "the incident id" : "the credential name") to confirm: ")
        guard readLine()?.trimmingCharacters(in: .whitespaces) == word else {
            throw CLIFailure(message: "not confirmed; nothing was changed", hint: nil, code: Exit.usage)
        }
    }

    private func revokeAll() async throws {
        let id = try IncidentID(incident ?? "")
        if let client = daemon.client() {
            guard valueFile.isEmpty else {
                throw CLIFailure(message: "--value-file is read by the command, not sent to the daemon", hint: "pass --no-daemon, or supply each key with `lockstep revoke NAME --value-from-stdin`", code: Exit.usage)
            }
            return try show(try await client.incident(.init(incident: id.rawValue, reason: reason, gateway: gateway)), json: json)
        }
        try await RevokeAll(options: options, incident: id, reason: reason, gateway: gateway, valueFiles: valueFile, json: json).run()
    }
}
