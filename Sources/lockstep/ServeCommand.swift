import ArgumentParser
import Foundation
import LockstepDaemon
import LockstepPolicy
import Logging

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the daemon: scheduler, admin socket, /healthz /readyz /metrics, leader lease, notifications.",
        discussion: """
        The configuration is described in docs/daemon.md. On SIGTERM or SIGINT the run in progress stops at its next \
        step boundary (it is journaled and resumes at the next start or on the next leader), the lease is released and \
        the process exits 0. Once listening it prints one line to standard output: `lockstep serve: ready …`.
        Exit 78: the configuration or the policies have problems (each printed as file:line:column with a hint).
        """)

    @Option(name: .long, help: ArgumentHelp("The daemon's YAML configuration.", valueName: "FILE"))
    var config: String
    @Flag(name: .long, help: "Check the configuration and the policies, then exit.")
    var check = false

    func run() async throws {
        try await runAsyncCLI {
            let (loaded, problems) = DaemonConfigLoader.load(file: config)
            for p in problems { Console.note("\(p)\n") }
            guard let loaded, problems.isEmpty else {
                throw CLIFailure(message: "\(config) has \(problems.count) problem(s)", hint: "fix them; docs/daemon.md describes every field", code: Exit.config)
            }
            let policyCheck = PolicyLoader.load(directory: loaded.policies)
            for p in policyCheck.problems { Console.note("\(p)\n") }
            guard policyCheck.problems.isEmpty else {
                throw CLIFailure(message: "the policies in \(loaded.policies) have \(policyCheck.problems.count) problem(s)", hint: "run `lockstep policy check \(loaded.policies)`", code: Exit.config)
            }
            if check {
                try Console.out("\(config): ok (\(policyCheck.policies.count) policies, lease \(loaded.lease.map { "\($0.namespace)/\($0.name)" } ?? "none"), \(loaded.notifications.count) notification sink(s))")
                return
            }
            let level = Logger.Level(rawValue: loaded.logging.level) ?? .info
            let json = loaded.logging.format == .json
            LoggingSystem.bootstrap { label in
                var handler: any LogHandler = json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            let logger = Logger(label: "lockstep.daemon")
            do {
                try await DaemonRuntime.run(loaded, logger: logger, onWaiting: { http in
                    Console.note("lockstep serve: waiting for the vault at \(loaded.vaultPath) (run `lockstep vault init`) http=\(http)\n", on: .output)
                }) { ready in
                    Console.note("lockstep serve: ready identity=\(ready.identity) socket=\(ready.socket) http=\(ready.http)\n", on: .output)
                }
            } catch let e as DaemonStartError {
                throw CLIFailure(message: e.message, hint: e.hint, code: Exit.config)
            }
        }
    }
}
