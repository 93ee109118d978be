import LockstepCore

extension ReportSummary {
    init(_ credentials: [CredentialReport], folds: [String: CredentialFold], policies: [String: RotationPolicy], now: Timestamp) {
        func count(_ s: CredentialReport.Status) -> Int { credentials.filter { $0.status == s }.count }
        let oldest = credentials.compactMap { c -> OldestKey? in
            guard let v = c.currentVersion, let age = c.currentAgeSeconds else { return nil }
            return OldestKey(credential: c.name, version: v, ageSeconds: age)
        }.max { $0.ageSeconds < $1.ageSeconds || ($0.ageSeconds == $1.ageSeconds && $0.credential > $1.credential) }
        let incidents = credentials.flatMap { c in
            CredentialEvaluation(fold: folds[c.name] ?? CredentialFold(name: c.name), policy: policies[c.name], since: nil, now: now).openIncidents()
        }.sorted { ($0.since, $0.credential, $0.kind.rawValue) < ($1.since, $1.credential, $1.kind.rawValue) }
        self.init(credentials: credentials.count, inPolicy: count(.compliant), outOfPolicy: count(.outOfPolicy),
                  withoutPolicy: count(.noPolicy), notAdopted: count(.notAdopted), oldestKey: oldest, openIncidents: incidents)
    }
}
