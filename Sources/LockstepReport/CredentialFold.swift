import LockstepAudit
import LockstepCore

/// What the fold keeps about one credential: its versions, its open runs, the runs and events
/// that fall in the window. Nothing else of an entry is kept once it has been applied.
struct CredentialFold: Sendable {
    struct Version: Sendable {
        var version: Int
        var fingerprint: String?
        var created: Timestamp
        var currentFrom: Timestamp?
        var currentUntil: Timestamp?
        var end: VersionLifetime.End
    }

    struct Run: Sendable {
        var record: RunRecord
        var startedAt: Timestamp
        var lastAt: Timestamp
        /// A step that changes the cluster was recorded: a failure after it is not "nothing changed".
        var changed = false
        var refusedAt: Timestamp?
    }

    let name: String
    private(set) var versions: [Int: Version] = [:]
    private(set) var current: Int?
    private(set) var openRuns: [String: Run] = [:]
    private(set) var runs: [RunRecord] = []
    /// Listed runs by id, with their start: a key retired at its provider is written after the
    /// run was promoted (its end), and still belongs to it.
    private var closed: [String: (index: Int, startedAt: Timestamp)] = [:]
    private(set) var drift: [ReportEvent] = []
    private(set) var notifications: [ReportEvent] = []
    /// The last drift seen, until a run succeeds after it.
    private(set) var unresolvedDrift: ReportEvent?

    init(name: String) { self.name = name }

    /// Applies the next entry (seq order). `listed`: the entry is inside the window, so the
    /// events it makes are kept for the report; state changes apply either way.
    mutating func apply(_ e: AuditEntry, listed: Bool, since: Timestamp?) {
        let runID = RunDetail.runID(e.detail)
        if let runID { openRuns[runID]?.lastAt = e.time }
        switch e.action {
        case AuditAction.credentialImported:
            let v = e.version ?? 1
            versions[v] = Version(version: v, fingerprint: e.fingerprints["current"], created: e.time, currentFrom: e.time, currentUntil: nil, end: .current)
            current = v
        case AuditAction.rotationStarted:
            guard let runID else { break }
            let started = RunDetail.started(e.detail)
            openRuns[runID] = Run(record: RunRecord(id: runID, kind: started.kind, strategy: started.strategy, actor: Self.actor(e.actor), reason: started.reason,
                                                    started: e.time.rfc3339, outcome: .unfinished, failures: [], startSeq: e.seq),
                                  startedAt: e.time, lastAt: e.time)
        case AuditAction.versionCreated:
            guard let v = e.version else { break }
            versions[v] = Version(version: v, fingerprint: e.fingerprints["new"], created: e.time, end: .pending)
            if let runID { openRuns[runID]?.record.newVersion = v }
        case AuditAction.rotationFinished, AuditAction.credentialRevoked:
            guard let v = e.version else { break }
            promote(v, at: e.time, fingerprint: e.fingerprints["new"], revoked: e.action == AuditAction.credentialRevoked)
            if let runID { close(runID, e, .succeeded, since: since) }
            unresolvedDrift = nil
        case AuditAction.rotationRolledBack:
            if let v = e.version { versions[v]?.end = .failed; versions[v]?.currentUntil = e.time }
            if let runID {
                // The cause is usually the failed step already listed: then only the rollback is added.
                let cause = RunDetail.cause(e.detail)
                let repeated = openRuns[runID]?.record.failures.last == cause
                openRuns[runID]?.record.failures.append(repeated ? "rolled back: the old value restored and verified" : "rolled back: \(cause)")
                close(runID, e, .rolledBack, since: since)
            }
        case AuditAction.checkFailed:
            if let runID { openRuns[runID]?.record.failures.append(RunDetail.message(e.detail)) }
        case AuditAction.checkPassed:
            if let runID, RunDetail.oldKeyRefused(e.detail) { openRuns[runID]?.refusedAt = e.time }
        case AuditAction.providerKeyRetired:
            // After promotion, the key that held the old value regenerated at its provider: refused
            // there from now on (a revoke's time to refusal), or, failed, a leftover of the run.
            guard let runID, let (i, startedAt) = closed[runID] else { break }
            if e.outcome == .success, RunDetail.oldKeyRefused(e.detail), runs[i].kind == "revoke" {
                runs[i].timeToRefusalMillis = e.time.millisecondsSinceEpoch - startedAt.millisecondsSinceEpoch
            }
            if e.outcome == .failure { runs[i].failures.append(RunDetail.message(e.detail)) }
        case AuditAction.secretPatched, AuditAction.workloadRestarted:
            if let runID { openRuns[runID]?.changed = true }
        case AuditAction.driftDetected:
            let event = Self.event(e)
            unresolvedDrift = event
            if listed { drift.append(event) }
        case AuditAction.notificationFailed:
            if listed { notifications.append(Self.event(e)) }
        default:
            break
        }
    }

    private mutating func promote(_ v: Int, at t: Timestamp, fingerprint: String?, revoked: Bool) {
        if let old = current, old != v {
            versions[old]?.currentUntil = t
            versions[old]?.end = revoked ? .revoked : .rotated
        }
        var version = versions[v] ?? Version(version: v, fingerprint: fingerprint, created: t, end: .current)
        version.currentFrom = t
        version.end = .current
        version.fingerprint = version.fingerprint ?? fingerprint
        versions[v] = version
        current = v
    }

    private mutating func close(_ id: String, _ e: AuditEntry, _ outcome: RunRecord.Outcome, since: Timestamp?) {
        guard var run = openRuns.removeValue(forKey: id) else { return }
        run.lastAt = e.time
        run.record.endSeq = e.seq
        if let since, e.time < since { return } // ended before the window: not listed
        runs.append(Self.finished(run, outcome: outcome))
        closed[id] = (runs.count - 1, run.startedAt)
    }

    /// Runs still open at the end of the log: abandoned when a step failed before anything
    /// changed (the engine writes no end entry for those), else unfinished.
    func closingOpenRuns() -> [RunRecord] {
        let open = openRuns.values.sorted { $0.record.startSeq < $1.record.startSeq }
        return open.map { run in
            if !run.record.failures.isEmpty, !run.changed { return Self.finished(run, outcome: .abandoned) }
            var r = run.record
            r.timeToRefusalMillis = Self.refusal(run)
            return r
        }
    }

    private static func finished(_ run: Run, outcome: RunRecord.Outcome) -> RunRecord {
        var r = run.record
        r.outcome = outcome
        r.ended = run.lastAt.rfc3339
        r.durationMillis = run.lastAt.millisecondsSinceEpoch - run.startedAt.millisecondsSinceEpoch
        r.timeToRefusalMillis = refusal(run)
        return r
    }

    private static func refusal(_ run: Run) -> Int64? {
        guard run.record.kind == "revoke", let at = run.refusedAt else { return nil }
        return at.millisecondsSinceEpoch - run.startedAt.millisecondsSinceEpoch
    }

    static func actor(_ a: AuditActor) -> String { "\(a.kind.rawValue):\(a.id)" }

    static func event(_ e: AuditEntry) -> ReportEvent {
        ReportEvent(seq: e.seq, time: e.time.rfc3339, actor: actor(e.actor), version: e.version, targets: e.targets.map(target), detail: e.detail)
    }

    private static func target(_ t: AuditTarget) -> String { "\(t.namespace)/\(t.name)\(t.key.map { "#\($0)" } ?? "")" }
}
