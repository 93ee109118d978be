import LockstepAudit

/// The report as one CSV table (RFC 4180, CRLF) for spreadsheets: one row per figure or event,
/// the `record` column saying which. The same figures as the JSON.
public enum ReportCSV {
    public static let header = "record,credential,name,value,version,id,start,end,seconds,milliseconds,time_to_refusal_ms,actor,reason,detail\r\n"

    /// One row; absent cells are empty.
    struct Row {
        var record: String
        var credential = "", name = "", value = "", version: Int? = nil, id = "", start: String? = nil, end: String? = nil
        var seconds: Int64? = nil, milliseconds: Int64? = nil, refusal: Int64? = nil, actor = "", reason: String? = nil, detail: String? = nil

        var text: String {
            func number<N: BinaryInteger>(_ n: N?) -> String { n.map { String($0) } ?? "" }
            var cells: [String] = [record, credential, name, value, number(version), id, start ?? "", end ?? ""]
            cells += [number(seconds), number(milliseconds), number(refusal), actor, reason ?? "", detail ?? ""]
            return cells.map(AuditCSV.quote).joined(separator: ",") + "\r\n"
        }
    }

    public static func render(_ r: ComplianceReport) -> String {
        var rows = header
        func add(_ row: Row) { rows += row.text }
        let v = r.verification
        for (name, value) in [("verification", v.result), ("head", v.head), ("entries", String(v.entries)), ("first-seq", String(v.firstSeq)),
                              ("last-seq", String(v.lastSeq)), ("public-key", v.publicKey), ("head-given", v.headGiven ?? ""),
                              ("since", r.window.since ?? ""), ("until", r.window.until)] {
            add(Row(record: "report", name: name, value: value))
        }
        let s = r.summary
        for (name, value) in [("credentials", s.credentials), ("in-policy", s.inPolicy), ("out-of-policy", s.outOfPolicy),
                              ("without-policy", s.withoutPolicy), ("not-adopted", s.notAdopted), ("open-incidents", s.openIncidents.count)] {
            add(Row(record: "summary", name: name, value: String(value)))
        }
        if let o = s.oldestKey { add(Row(record: "summary", credential: o.credential, name: "oldest-key", version: o.version, seconds: o.ageSeconds)) }
        for i in s.openIncidents { add(Row(record: "incident", credential: i.credential, name: i.kind.rawValue, start: i.since, detail: i.detail)) }
        for c in r.credentials { credentialRows(c).forEach(add) }
        for e in r.notificationFailures { add(eventRow("notification-failed", "", e)) }
        return rows
    }

    static func credentialRows(_ c: CredentialReport) -> [Row] {
        let n = c.name
        var rows = [Row(record: "credential", credential: n, name: "status", value: c.status.rawValue)]
        if let p = c.policy {
            rows.append(Row(record: "credential", credential: n, name: "policy", value: p.name))
            rows.append(Row(record: "credential", credential: n, name: "interval", value: p.interval ?? "", seconds: p.intervalSeconds))
            rows.append(Row(record: "credential", credential: n, name: "max-age", value: p.maxAge ?? "", seconds: p.maxAgeSeconds))
        }
        rows.append(Row(record: "credential", credential: n, name: "current-age", version: c.currentVersion, seconds: c.currentAgeSeconds))
        rows.append(Row(record: "credential", credential: n, name: "longest-age", version: c.longestAgeVersion, seconds: c.longestAgeSeconds))
        for v in c.versions {
            rows.append(Row(record: "version", credential: n, name: v.end.rawValue, value: v.fingerprint ?? "", version: v.version,
                            start: v.currentFrom, end: v.currentUntil, seconds: v.lifetimeSeconds, detail: "created \(v.created)"))
        }
        for p in c.outOfPolicy {
            rows.append(Row(record: "out-of-policy", credential: n, version: p.version, start: p.from, end: p.to, seconds: p.seconds))
        }
        for run in c.runs {
            rows.append(Row(record: "run", credential: n, name: run.kind, value: run.outcome.rawValue, version: run.newVersion, id: run.id,
                            start: run.started, end: run.ended, milliseconds: run.durationMillis, refusal: run.timeToRefusalMillis,
                            actor: run.actor, reason: run.reason, detail: run.failures.isEmpty ? nil : run.failures.joined(separator: " | ")))
        }
        rows += c.drift.map { eventRow("drift", n, $0) }
        rows += c.notificationFailures.map { eventRow("notification-failed", n, $0) }
        return rows
    }

    static func eventRow(_ record: String, _ credential: String, _ e: ReportEvent) -> Row {
        Row(record: record, credential: credential, value: e.targets.joined(separator: ";"), version: e.version, id: String(e.seq),
            start: e.time, actor: e.actor, detail: e.detail)
    }
}
