import ArgumentParser
import Foundation
import LockstepCore
import LockstepPolicy
import LockstepVault

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Per credential: current version, age against the policy's maximum, next due time, last outcome. Needs no key.",
        discussion: "States: ok, due, due-waiting-for-value (manual source), overdue, rotating, no-policy, not-adopted. Exit 0 even when something is due; scripts read --json.")

    @OptionGroup var vault: VaultPathOption
    @OptionGroup var policies: PolicyOption
    @Flag(name: .long, help: "Machine-readable output.")
    var json = false

    func run() throws {
        try runCLI {
            let loadedPolicies = try policies.all()
            let catalog = try VaultCatalog.open(vaultAt: try vault.path())
            let records = Dictionary(uniqueKeysWithValues: try catalog.credentials().map { ($0.name, $0) })
            let runs = try catalog.runSummary()
            let byName = Dictionary(uniqueKeysWithValues: loadedPolicies.map { ($0.credential.rawValue, $0) })
            let now = SystemClock().now()
            let statuses = Set(records.keys).union(byName.keys).sorted().map { name in
                let current = records[name]?.current
                return CredentialStatus.evaluate(credential: name, policy: byName[name], currentVersion: current?.version,
                                                 currentSince: current?.updatedAt, lastOutcome: runs[name]?.lastOutcome,
                                                 runInProgress: runs[name]?.inProgress ?? false, now: now)
            }
            if json { return try printJSON(statuses) }
            printTable(header: ["CREDENTIAL", "STATE", "CURRENT", "AGE", "MAX AGE", "NEXT DUE", "LAST OUTCOME"], rows: statuses.map { s in
                [s.credential, s.state.rawValue, s.currentVersion.map { "v\($0)" } ?? "-",
                 s.ageSeconds.map { age(from: Timestamp(millisecondsSinceEpoch: 0), to: Timestamp(millisecondsSinceEpoch: $0 * 1000)) } ?? "-",
                 s.maxAgeSeconds.map { PolicyDuration(seconds: $0).description } ?? "-",
                 s.nextDue?.rfc3339 ?? "-", s.lastOutcome ?? "-"]
            })
        }
    }
}
