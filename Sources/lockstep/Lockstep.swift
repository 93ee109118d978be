import ArgumentParser
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
}
