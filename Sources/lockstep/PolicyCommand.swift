import ArgumentParser
import Foundation
import LockstepCore
import LockstepPolicy

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Validate rotation policies.",
        subcommands: [Check.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Report every problem in the policy files, as FILE:LINE:COLUMN with a hint.",
            discussion: "Exit 0 when every policy is valid, 65 when any problem was found.")

        @Argument(help: "Folder of policy files (*.yaml).")
        var directory: String = "policies"

        func run() throws {
            try runCLI {
                let result = PolicyLoader.load(directory: directory)
                if !result.problems.isEmpty {
                    for p in result.problems { Console.note("\(p)\n") }
                    let files = Set(result.problems.map(\.file)).count
                    throw CLIFailure(message: "\(result.problems.count) problem\(result.problems.count == 1 ? "" : "s") in \(files) file\(files == 1 ? "" : "s")",
                                     hint: "docs/policies.md describes every field", code: Exit.invalidInput)
                }
                try Console.out("ok: \(result.policies.count) polic\(result.policies.count == 1 ? "y" : "ies") in \(result.files.count) file\(result.files.count == 1 ? "" : "s"): \(result.policies.map(\.credential.rawValue).joined(separator: ", "))")
            }
        }
    }
}
