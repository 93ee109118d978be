import ArgumentParser
import Foundation
import LockstepCore
import LockstepPolicy
import LockstepVault

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Per credential: current version, age against the policy's maximum, next due time, last outcome, and (with --drift) drift. Needs no key without --drift.",
        discussion: "States: ok, due, due-waiting-for-value (manual source), overdue, rotating, no-policy, not-adopted. --drift reads every target Secret and compares its value's fingerprint with the vault's current version (needs the vault key and the cluster). Exit 0 even when something is due or drifted; scripts read --json.")

    @OptionGroup var vault: VaultPathOption
    @OptionGroup var policies: PolicyOption
    @Flag(name: .long, help: "Check every target Secret against the vault (needs --key-file and the cluster).")
    var drift = false
    @OptionGroup var key: VaultKeyOptions
    @OptionGroup var cluster: ClusterOptions
    @Flag(name: .long, help: "Machine-readable output.")
    var json = false

    func run() async throws {
        try await runAsyncCLI {
            let loadedPolicies = try policies.all()
            let path = try vault.path()
            let catalog = try VaultCatalog.open(vaultAt: path)
            let records = Dictionary(uniqueKeysWithValues: try catalog.credentials().map { ($0.name, $0) })
            let runs = try catalog.runSummary()
            let byName = Dictionary(uniqueKeysWithValues: loadedPolicies.map { ($0.credential.rawValue, $0) })
            let now = SystemClock().now()
            var statuses = Set(records.keys).union(byName.keys).sorted().map { name in
                let current = records[name]?.current
                return CredentialStatus.evaluate(credential: name, policy: byName[name], currentVersion: current?.version,
                                                 currentSince: current?.updatedAt, lastOutcome: runs[name]?.lastOutcome,
                                                 runInProgress: runs[name]?.inProgress ?? false, now: now)
            }
            if drift {
                let opened = try Vault.open(at: path, key: try key.source())
                try await cluster.withCluster { port in
                    for i in statuses.indices {
                        guard let policy = byName[statuses[i].credential], let current = records[statuses[i].credential]?.current else { continue }
                        var differing: [String] = []
                        for target in policy.targets {
                            let live = try await port.readSecret(target)
                            if try live.value.map({ try opened.fingerprint(of: $0) }) != current.fingerprint { differing.append(target.description) }
                        }
                        statuses[i].drift = differing
                    }
                }
            }
            if json { return try printJSON(statuses) }
            printTable(header: ["CREDENTIAL", "STATE", "CURRENT", "AGE", "MAX AGE", "NEXT DUE", "LAST OUTCOME", "DRIFT"], rows: statuses.map { s in
                [s.credential, s.state.rawValue, s.currentVersion.map { "v\($0)" } ?? "-",
                 s.ageSeconds.map { age(from: Timestamp(millisecondsSinceEpoch: 0), to: Timestamp(millisecondsSinceEpoch: $0 * 1000)) } ?? "-",
                 s.maxAgeSeconds.map { PolicyDuration(seconds: $0).description } ?? "-",
                 s.nextDue?.rfc3339 ?? "-", s.lastOutcome ?? "-",
                 s.drift.map { $0.isEmpty ? "none" : $0.joined(separator: ", ") } ?? "-"]
            })
        }
    }
}
