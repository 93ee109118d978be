import LockstepCore

/// Judges one credential's folded history against its policy at the report's "now".
struct CredentialEvaluation {
    let fold: CredentialFold
    let policy: RotationPolicy?
    let since: Timestamp?
    let now: Timestamp

    var maxAge: Int64? { policy?.maxAge.map { $0.seconds * 1000 } }

    func report() -> CredentialReport {
        let versions = fold.versions.values.sorted { $0.version < $1.version }
        let shown = versions.filter { v in (v.currentUntil ?? now) >= (since ?? v.created) }
        let current = fold.current.flatMap { fold.versions[$0] }
        let longest = shown.compactMap { v in age(v).map { (v.version, $0) } }.max { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 > $1.0) }
        let periods = shown.compactMap(outOfPolicy)
        return CredentialReport(
            name: fold.name, status: status(hasVersions: !versions.isEmpty, outOfPolicy: !periods.isEmpty), policy: policy.map(Self.summary),
            currentVersion: current?.version, currentAgeSeconds: current.flatMap { v in v.currentFrom.map { seconds(now.millisecondsSinceEpoch - $0.millisecondsSinceEpoch) } },
            longestAgeSeconds: longest.map { seconds($0.1) }, longestAgeVersion: longest?.0,
            versions: shown.map(lifetime), outOfPolicy: periods,
            runs: fold.runs + fold.closingOpenRuns(), drift: fold.drift, notificationFailures: fold.notifications)
    }

    private func status(hasVersions: Bool, outOfPolicy: Bool) -> CredentialReport.Status {
        if !hasVersions { return policy == nil ? .noPolicy : .notAdopted }
        guard maxAge != nil else { return .noPolicy }
        return outOfPolicy ? .outOfPolicy : .compliant
    }

    /// Milliseconds as current, up to its end or now, counted only if that end is inside the window.
    private func age(_ v: CredentialFold.Version) -> Int64? {
        guard let from = v.currentFrom else { return nil }
        let end = min(v.currentUntil ?? now, now)
        if let since, end < since { return nil }
        return end.millisecondsSinceEpoch - from.millisecondsSinceEpoch
    }

    private func outOfPolicy(_ v: CredentialFold.Version) -> OutOfPolicyPeriod? {
        guard let maxAge, let from = v.currentFrom else { return nil }
        let deadline = from.millisecondsSinceEpoch + maxAge
        let end = min(v.currentUntil ?? now, now).millisecondsSinceEpoch
        let start = max(deadline, since?.millisecondsSinceEpoch ?? deadline)
        guard end > start else { return nil }
        return OutOfPolicyPeriod(version: v.version, from: Timestamp(millisecondsSinceEpoch: start).rfc3339,
                                 to: Timestamp(millisecondsSinceEpoch: end).rfc3339, seconds: seconds(end - start))
    }

    private func lifetime(_ v: CredentialFold.Version) -> VersionLifetime {
        let life = v.currentFrom.map { seconds(min(v.currentUntil ?? now, now).millisecondsSinceEpoch - $0.millisecondsSinceEpoch) }
        return VersionLifetime(version: v.version, fingerprint: v.fingerprint, created: v.created.rfc3339, currentFrom: v.currentFrom?.rfc3339,
                               currentUntil: v.currentUntil?.rfc3339, end: v.end, lifetimeSeconds: life)
    }

    /// Still open at `now`: overdue, unfinished runs, drift not followed by a rotation.
    func openIncidents() -> [OpenIncident] {
        var out: [OpenIncident] = []
        if let maxAge, let v = fold.current.flatMap({ fold.versions[$0] }), let from = v.currentFrom,
           now.millisecondsSinceEpoch - from.millisecondsSinceEpoch > maxAge {
            out.append(OpenIncident(kind: .overdue, credential: fold.name, since: Timestamp(millisecondsSinceEpoch: from.millisecondsSinceEpoch + maxAge).rfc3339,
                                    detail: "v\(v.version) is older than the maximum age \(policy!.maxAge!)"))
        }
        for run in fold.closingOpenRuns() where run.outcome == .unfinished {
            out.append(OpenIncident(kind: .unfinishedRun, credential: fold.name, since: run.started,
                                    detail: "\(run.kind) run \(run.id) has no end entry" + (run.failures.isEmpty ? "" : " after a failed step")))
        }
        if let d = fold.unresolvedDrift {
            out.append(OpenIncident(kind: .drift, credential: fold.name, since: d.time, detail: "drift at seq \(d.seq) and no rotation since"))
        }
        return out
    }

    static func summary(_ p: RotationPolicy) -> PolicySummary {
        var interval: String?, intervalSeconds: Int64?
        switch p.schedule?.trigger {
        case .every(let d)?: interval = d.description; intervalSeconds = d.seconds
        case .cron(let c, let zone)?: interval = "cron \(c.description) (\(zone.identifier))"
        case nil: break
        }
        return PolicySummary(name: p.name, interval: interval, intervalSeconds: intervalSeconds, maxAge: p.maxAge?.description, maxAgeSeconds: p.maxAge?.seconds)
    }
}

/// Whole seconds of a span in milliseconds (rounded down: a key is 35 days old only once it is).
func seconds(_ millis: Int64) -> Int64 { millis >= 0 ? millis / 1000 : -((-millis + 999) / 1000) }
