import Foundation

/// One credential's section of the HTML report.
struct ReportHTMLCredential {
    let credential: CredentialReport
    let since: String?
    let until: String

    private func e(_ s: String) -> String { HumanText.escape(s) }
    private func d(_ s: Int64?) -> String { s.map { HumanText.duration(seconds: $0) } ?? "—" }
    private func t(_ s: String?) -> String { s.map { e(HumanText.time($0)) } ?? "—" }

    func render() -> String {
        let c = credential
        let policy = c.policy.map { "\(e($0.name)): every \(e($0.interval ?? "—")), maximum age \(e($0.maxAge ?? "—"))" } ?? "none"
        var h = """
        <section class="credential" id="credential-\(e(c.name))" data-status="\(c.status.rawValue)">
        <h2>\(e(c.name)) <span class="status s-\(c.status.rawValue)">\(c.status.rawValue.replacingOccurrences(of: "-", with: " "))</span></h2>
        <table><tr><th>Policy</th><th>Current version</th><th>Current age</th><th>Longest age</th><th>Maximum age</th><th>Time out of policy</th></tr>
        <tr><td>\(policy)</td><td class="n">\(c.currentVersion.map { "v\($0)" } ?? "—")</td><td class="n" data-figure="current-age">\(d(c.currentAgeSeconds))</td><td class="n" data-figure="longest-age">\(d(c.longestAgeSeconds))\(c.longestAgeVersion.map { " (v\($0))" } ?? "")</td><td class="n">\(d(c.policy?.maxAgeSeconds))</td><td class="n" data-figure="out-of-policy-time">\(d(c.outOfPolicy.isEmpty ? 0 : c.outOfPolicy.reduce(0) { $0 + $1.seconds }))</td></tr></table>

        """
        h += TimelineSVG(credential: c, since: since, until: until).render() + "\n"
        h += "<h3>Versions</h3>" + versions()
        if !c.outOfPolicy.isEmpty {
            h += "<h3>Periods out of policy</h3><table><tr><th>Version</th><th>From</th><th>To</th><th>Length</th></tr>"
            for p in c.outOfPolicy { h += "<tr class=\"over\"><td>v\(p.version)</td><td>\(t(p.from))</td><td>\(t(p.to))</td><td class=\"n\">\(d(p.seconds))</td></tr>" }
            h += "</table>"
        }
        h += "<h3>Rotations and revocations</h3>" + runs()
        h += "<h3>Drift</h3>" + Self.events(c.drift)
        h += "<h3>Failed notifications</h3>" + Self.events(c.notificationFailures)
        return h + "</section>\n"
    }

    private func versions() -> String {
        guard !credential.versions.isEmpty else { return "<p class=\"none\">No version in the log.</p>" }
        var h = "<table><tr><th>Version</th><th>Fingerprint</th><th>Created</th><th>Current from</th><th>Until</th><th>Ended</th><th>Time as current</th></tr>"
        for v in credential.versions {
            h += "<tr class=\"version\" data-version=\"\(v.version)\"><td>v\(v.version)</td><td><code>\(e(v.fingerprint ?? "—"))</code></td><td>\(t(v.created))</td><td>\(t(v.currentFrom))</td><td>\(t(v.currentUntil))</td><td>\(v.end.rawValue)</td><td class=\"n\">\(d(v.lifetimeSeconds))</td></tr>"
        }
        return h + "</table>"
    }

    private func runs() -> String {
        guard !credential.runs.isEmpty else { return "<p class=\"none\">None in this period.</p>" }
        var h = "<table><tr><th>Started</th><th>Kind</th><th>Outcome</th><th>Duration</th><th>Time to refusal</th><th>Actor</th><th>Reason</th><th>Failed steps</th></tr>"
        for r in credential.runs {
            h += "<tr class=\"run\" data-outcome=\"\(r.outcome.rawValue)\" data-kind=\"\(e(r.kind))\"><td>\(t(r.started))</td><td>\(e(r.kind))\(r.newVersion.map { " → v\($0)" } ?? "")</td>"
                + "<td class=\"o-\(r.outcome.rawValue)\">\(r.outcome.rawValue)</td><td class=\"n\">\(r.durationMillis.map(HumanText.millis) ?? "—")</td>"
                + "<td class=\"n\" data-figure=\"time-to-refusal\">\(r.timeToRefusalMillis.map(HumanText.millis) ?? "—")</td><td>\(e(r.actor))</td><td>\(e(r.reason ?? "—"))</td>"
                + "<td>\(r.failures.isEmpty ? "—" : r.failures.map(e).joined(separator: "<br>"))</td></tr>"
        }
        return h + "</table>"
    }

    static func events(_ list: [ReportEvent]) -> String {
        guard !list.isEmpty else { return "<p class=\"none\">None in this period.</p>" }
        var h = "<table><tr><th>Seq</th><th>Time</th><th>Actor</th><th>Targets</th><th>Detail</th></tr>"
        for ev in list {
            h += "<tr class=\"event\"><td class=\"n\">\(ev.seq)</td><td>\(HumanText.escape(HumanText.time(ev.time)))</td><td>\(HumanText.escape(ev.actor))</td>"
                + "<td>\(HumanText.escape(ev.targets.joined(separator: ", ")))</td><td>\(HumanText.escape(ev.detail ?? ""))</td></tr>"
        }
        return h + "</table>"
    }
}
