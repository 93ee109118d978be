import ArgumentParser
import LockstepDaemon
import LockstepVault

extension AuditCommand {
    /// The newest entries, for people (the signed form is `audit export`).
    struct Tail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "tail", abstract: "Print the newest audit entries (through the daemon when it runs). Needs no key.")

        @OptionGroup var vault: VaultPathOption
        @Option(name: .short, help: "How many entries.")
        var n: Int = 20
        @Flag(name: .long, help: "Machine-readable output.")
        var json = false
        @OptionGroup var daemon: DaemonOption

        func run() async throws {
            try await runAsyncCLI {
                let lines: [AdminWire.AuditLine]
                if let client = daemon.client() {
                    lines = try await client.auditTail(n)
                } else {
                    lines = try AuditLogStore.open(vaultAt: try vault.path()).entries().suffix(max(1, n)).map(AdminWire.AuditLine.init)
                }
                if json { return try printJSON(lines) }
                try printTable(header: ["SEQ", "TIME", "ACTOR", "ACTION", "CREDENTIAL", "OUTCOME", "DETAIL"],
                           rows: lines.map { [String($0.seq), $0.time, $0.actor, $0.action, $0.credential ?? "-", $0.outcome, $0.detail ?? ""] })
            }
        }
    }
}
