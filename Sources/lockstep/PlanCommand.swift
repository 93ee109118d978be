import ArgumentParser
import Foundation
import LockstepApp
import LockstepCore
import LockstepDaemon
import LockstepPolicy
import LockstepVault

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "What a rotation of NAME would do, step by step, and what happens if a step fails. No side effect; needs no key.")

    @Argument var name: String
    @OptionGroup var vault: VaultPathOption
    @OptionGroup var policies: PolicyOption
    @Flag(name: .long, help: "Plan a revoke (the old key must end up refused).")
    var revoke = false
    @OptionGroup var daemon: DaemonOption

    func run() async throws {
        try await runAsyncCLI {
            if let client = daemon.client() {
                return try await client.plan(name, revoke: revoke).lines.forEach { try Console.out($0) }
            }
            let policy = try policies.policy(name)
            let record = try VaultCatalog.open(vaultAt: try vault.path()).credential(name)
            do {
                try PlanDescription.lines(policy: policy, record: record, revoke: revoke).forEach { try Console.out($0) }
            } catch is PlanDescription.NotAdopted {
                throw CLIFailure(message: "\(name) has no current version", hint: "adopt the value in use with `lockstep credential adopt \(name)` (or `credential import`)", code: Exit.notFound)
            }
        }
    }
}
