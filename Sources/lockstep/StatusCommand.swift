import ArgumentParser
import Foundation
import LockstepApp
import LockstepCore
import LockstepDaemon
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

    @OptionGroup var daemon: DaemonOption

    func run() async throws {
        try await runAsyncCLI {
            var statuses: [CredentialStatus]
            if let client = daemon.client() {
                let answer = try await client.status(drift: drift)
                statuses = answer.credentials
                if !json {
                    let l = answer.leadership
                    try Console.out("daemon \(l.identity): \(l.isLeader ? "leader" : "standby")\(l.holder.map { $0 == l.identity ? "" : " (leader: \($0))" } ?? "")\(l.lease.map { ", lease \($0)" } ?? "")")
                    for p in answer.policyProblems { try Console.out("policy problem (the last good set stays in force): \(p)") }
                }
            } else {
                let loadedPolicies = try policies.all()
                let path = try vault.path()
                statuses = try CredentialStatusReader.statuses(catalog: try VaultCatalog.open(vaultAt: path), policies: loadedPolicies, now: SystemClock().now())
                if drift {
                    // Drift only reads (fingerprints of live values): read access is enough.
                    let opened = try Vault.open(at: path, key: try key.source(), readOnly: true)
                    try await cluster.withCluster { port in
                        try await CredentialStatusReader.checkDrift(&statuses, vault: opened, policies: loadedPolicies, cluster: port)
                    }
                }
            }
            if json { return try printJSON(statuses) }
            try printTable(header: ["CREDENTIAL", "STATE", "CURRENT", "AGE", "MAX AGE", "NEXT DUE", "LAST OUTCOME", "DRIFT"], rows: statuses.map { s in
                [s.credential, s.state.rawValue, s.currentVersion.map { "v\($0)" } ?? "-",
                 s.ageSeconds.map { age(from: Timestamp(millisecondsSinceEpoch: 0), to: Timestamp(millisecondsSinceEpoch: $0 * 1000)) } ?? "-",
                 s.maxAgeSeconds.map { PolicyDuration(seconds: $0).description } ?? "-",
                 s.nextDue?.rfc3339 ?? "-", s.lastOutcome ?? "-",
                 s.drift.map { $0.isEmpty ? "none" : $0.map(\.reference).joined(separator: ", ") } ?? "-"]
            })
        }
    }
}
