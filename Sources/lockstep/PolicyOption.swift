import ArgumentParser
import LockstepCore
import LockstepPolicy

/// `--policies DIR` (default `policies`), loaded and checked once per command.
struct PolicyOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Folder of policy files.", valueName: "DIR"))
    var policies: String = "policies"

    /// Every policy, or a usage failure pointing at `policy check` when any file has a problem.
    func all() throws -> [RotationPolicy] { try Self.load(policies) }

    /// Every policy in `folder`, or a usage failure pointing at `policy check` when any file has a problem.
    static func load(_ folder: String) throws -> [RotationPolicy] {
        let loaded = PolicyLoader.load(directory: folder)
        if !loaded.problems.isEmpty {
            throw CLIFailure(message: "the policies in \(folder) have \(loaded.problems.count) problem(s)", hint: "run `lockstep policy check \(folder)`", code: Exit.invalidInput)
        }
        return loaded.policies
    }

    /// The policy of credential `name`.
    func policy(_ name: String) throws -> RotationPolicy {
        let all = try all()
        guard let p = all.first(where: { $0.credential.rawValue == name }) else {
            throw CLIFailure(message: "no policy for \(name) in \(policies)", hint: "known: \(all.map(\.credential.rawValue).joined(separator: ", "))", code: Exit.notFound)
        }
        return p
    }
}
