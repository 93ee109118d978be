import ArgumentParser
import Foundation
import LockstepCore
import LockstepCrypto
import LockstepKubernetes
import LockstepVault

extension CredentialCommand {
    /// `credential adopt NAME`: imports the value the cluster uses today, read from every target
    /// Secret of NAME's policy, after checking that they all hold the same value.
    struct Adopt: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Adopt the value in use today, read from every target Secret of NAME's policy, as the current version.",
            discussion: """
                Every target must hold the same value; otherwise nothing is written and the targets that differ or lack \
                the key are named (exit 65 or 66). The value is checked as `credential import` checks it and never printed.
                """)

        @Argument(help: "Credential name; its policy names the target Secrets.")
        var name: String
        @OptionGroup var vault: VaultPathOption
        @OptionGroup var key: VaultKeyOptions
        @OptionGroup var cluster: ClusterOptions
        @OptionGroup var policies: PolicyOption

        func run() async throws {
            try await runAsyncCLI {
                let policy = try policies.policy(name)
                if policy.vaultOnly {
                    throw CLIFailure(message: "cannot adopt \(name): its policy names no target (it is held only by the vault)",
                                     hint: "import it: lockstep credential import \(name) --kind generic --value-file FILE (or --value-from-stdin)", code: Exit.usage)
                }
                // Open the vault first: a wrong key should fail before anything reads the cluster.
                let v = try Vault.open(at: try vault.path(), key: try key.source())
                let live = try await cluster.withCluster { port in
                    var read: [(RotationPolicy.SecretTarget, TargetRead)] = []
                    for target in policy.targets { read.append((target, await TargetRead(target, from: port))) }
                    return AdoptionReads(read)
                }
                let value = try live.agreedValue(credential: name)
                let sources = policy.targets.map(\.description)
                let record = try v.importCredential(policy.credential, value: value, kind: policy.kind.rawValue, adoptedFrom: sources, actor: currentUserActor())
                try Console.out("adopted \(policy.credential) from \(sources.count) target(s) (\(sources.joined(separator: ", "))) as version \(record.version) (current), fingerprint \(record.fingerprint)")
            }
        }
    }
}

/// What one target Secret gave: its value, no such Secret or key, or an error that says why not.
enum TargetRead: Sendable {
    case value(SecretBytes)
    case missing(String)
    case unreadable(String)

    init(_ target: RotationPolicy.SecretTarget, from port: any ClusterPort) async {
        do {
            let read = try await port.readSecret(target)
            self = read.value.map(TargetRead.value) ?? .missing("the Secret has no key \(target.key)")
        } catch let e as KubernetesError where e.code == .notFound {
            self = .missing("no such Secret")
        } catch {
            // Adapter errors name objects and quote the server, never a value.
            self = .unreadable("\(error)")
        }
    }
}

/// The reads of every target, in policy order; decides whether they agree.
struct AdoptionReads: Sendable {
    let reads: [(target: RotationPolicy.SecretTarget, read: TargetRead)]

    init(_ reads: [(RotationPolicy.SecretTarget, TargetRead)]) { self.reads = reads.map { (target: $0.0, read: $0.1) } }

    /// The one value all targets hold, or a failure naming the targets (never a value).
    func agreedValue(credential: String) throws -> SecretBytes {
        var problems: [String] = [], unreadable = false
        for r in reads {
            switch r.read {
            case .value: continue
            case .missing(let why): problems.append("\(r.target): \(why)")
            case .unreadable(let why): problems.append("\(r.target): \(why)"); unreadable = true
            }
        }
        if !problems.isEmpty {
            throw CLIFailure(message: "cannot adopt \(credential): \(problems.joined(separator: "; ")); nothing was written",
                             hint: "every target of the policy must hold the value in use; check the policy's targets and that the caller may get them",
                             code: unreadable ? Exit.failure : Exit.notFound)
        }
        let values = reads.compactMap { r -> SecretBytes? in if case .value(let v) = r.read { return v } else { return nil } }
        guard let first = values.first else {
            throw CLIFailure(message: "cannot adopt \(credential): its policy names no target", hint: "add targets to the policy", code: Exit.usage)
        }
        let differing = reads.indices.filter { !values[$0].constantTimeEquals(first) }.map { reads[$0].target.description }
        if !differing.isEmpty {
            throw CLIFailure(message: "cannot adopt \(credential): the targets disagree: \(differing.joined(separator: ", ")) differ(s) from \(reads[0].target); nothing was written",
                             hint: "make every target hold the key in use (the gateway's is the one that works), then adopt again; `lockstep credential import` takes a value you choose",
                             code: Exit.invalidInput)
        }
        return first
    }
}
