import ArgumentParser
import Foundation
import LockstepCore
import LockstepCrypto

@main
struct Lockstep: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lockstep",
        abstract: "Keeps LiteLLM gateway credentials encrypted, rotates them in lockstep, and audits every step.",
        discussion: "Exit codes are listed in the README (section \"Exit codes\").",
        version: "0.1.0 (libsodium \(sodiumVersion))",
        subcommands: [VaultCommand.self, CredentialCommand.self, AuditCommand.self, PolicyCommand.self, StatusCommand.self, PlanCommand.self, HistoryCommand.self, RotateCommand.self, RevokeCommand.self, ReportCommand.self, ServeCommand.self]
    )

    /// ArgumentParser's own `main` prints help, version and usage errors with `print`, which
    /// loses them on a full disk or a closed pipe and exits 0: here they go through `Console`
    /// like every other line, and a closed pipe is an error to report, not a SIGPIPE death.
    static func main() async {
        StandardStream.ignoreBrokenPipes()
        do {
            var command = try parseAsRoot()
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if !message.isEmpty {
                do {
                    try (code == .success ? StandardStream.output : StandardStream.error).write(message + "\n")
                } catch let lost {
                    fail(lost.description, hint: lost.hint, code: .io)
                }
            }
            Foundation.exit(code.rawValue)
        }
    }
}
