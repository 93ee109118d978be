import LockstepCore
import LockstepVault

/// Where every credential stands: the one computation behind `lockstep status`, the daemon's
/// scheduler, its metrics and its admin API. Reads metadata only (no key needed) except drift.
public enum CredentialStatusReader {
    /// Every credential in the vault or in a policy, sorted by name.
    public static func statuses(catalog: VaultCatalog, policies: [RotationPolicy], now: Timestamp) throws -> [CredentialStatus] {
        let records = Dictionary(uniqueKeysWithValues: try catalog.credentials().map { ($0.name, $0) })
        let runs = try catalog.runSummary()
        let byName = Dictionary(uniqueKeysWithValues: policies.map { ($0.credential.rawValue, $0) })
        return Set(records.keys).union(byName.keys).sorted().map { name in
            let current = records[name]?.current
            return CredentialStatus.evaluate(credential: name, policy: byName[name], currentVersion: current?.version,
                                             currentSince: current?.updatedAt, lastOutcome: runs[name]?.lastOutcome,
                                             runInProgress: runs[name]?.inProgress ?? false, now: now)
        }
    }

    /// Fills `drift` of each status that has a policy and a current version: the targets whose
    /// live value's fingerprint differs from the current version's (missing counts as different).
    public static func checkDrift(_ statuses: inout [CredentialStatus], vault: Vault, policies: [RotationPolicy], cluster: any ClusterPort) async throws {
        let byName = Dictionary(uniqueKeysWithValues: policies.map { ($0.credential.rawValue, $0) })
        let records = Dictionary(uniqueKeysWithValues: try vault.catalog.credentials().map { ($0.name, $0) })
        for i in statuses.indices {
            guard let policy = byName[statuses[i].credential], let current = records[statuses[i].credential]?.current else { continue }
            var differing: [SecretRef] = []
            for target in policy.targets {
                let live = try await cluster.readSecret(target)
                if try live.value.map({ try vault.fingerprint(of: $0) }) != current.fingerprint { differing.append(target) }
            }
            statuses[i].drift = differing
        }
    }
}
