/// The report as one self-contained HTML file: inline CSS and SVG, no script, no external
/// asset, so that it opens offline, archives as one file and prints. Figures carry a
/// `data-figure` attribute so that a test (or an auditor's tool) can find them in the DOM.
public enum ReportHTML {
    public static func render(_ r: ComplianceReport) -> String {
        var h = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Lockstep rotation compliance report</title><style>\(ReportHTMLStyle.css)</style></head><body>

        """
        h += header(r) + summary(r.summary)
        for c in r.credentials { h += ReportHTMLCredential(credential: c, since: r.window.since, until: r.window.until).render() }
        if !r.notificationFailures.isEmpty {
            h += "<section><h2>Notification failures without a credential</h2>" + ReportHTMLCredential.events(r.notificationFailures) + "</section>\n"
        }
        h += "<footer>Built by <code>lockstep report</code> from the audit log alone (report format \(r.formatVersion)). "
            + "Regenerate it from the export and the audit public key to check it: see docs/auditors-guide.md.</footer>\n</body></html>\n"
        return h
    }

    static func header(_ r: ComplianceReport) -> String {
        let v = r.verification
        let given = v.headGiven.map { "the head you gave, <code data-figure=\"head-given\">\(e($0))</code>, is in it and matches" }
            ?? "no head was given: a truncated tail cannot be ruled out"
        return """
        <header><h1>Credential rotation compliance</h1>
        <p>Period: \(r.window.since.map { e(HumanText.time($0)) } ?? "from the first entry") to <span data-figure="until">\(e(HumanText.time(r.window.until)))</span> UTC (the report's "now").</p>
        <p class="verified" id="verification"><b data-figure="verification">\(e(v.result))</b>: <span data-figure="entries">\(v.entries)</span> entries, seq \(v.firstSeq)..\(v.lastSeq); every hash, signature and link of the chain checked under the audit public key <code data-figure="public-key">\(e(v.publicKey))</code>. Built from head <code data-figure="head">\(e(v.head))</code>; \(given).</p>
        </header>

        """
    }

    static func summary(_ s: ReportSummary) -> String {
        let oldest = s.oldestKey.map { "\(e($0.credential)) v\($0.version), \(HumanText.duration(seconds: $0.ageSeconds))" } ?? "none"
        var h = """
        <section id="summary"><h2>Summary</h2><table class="summary"><tr><th>Credentials</th><th>In policy</th><th>Out of policy</th><th>Without policy</th><th>Not adopted</th><th>Oldest key</th><th>Open incidents</th></tr>
        <tr><td class="n" data-figure="credentials">\(s.credentials)</td><td class="n" data-figure="in-policy">\(s.inPolicy)</td><td class="n" data-figure="out-of-policy">\(s.outOfPolicy)</td><td class="n" data-figure="without-policy">\(s.withoutPolicy)</td><td class="n" data-figure="not-adopted">\(s.notAdopted)</td><td data-figure="oldest-key">\(oldest)</td><td class="n" data-figure="open-incidents">\(s.openIncidents.count)</td></tr></table>

        """
        h += "<h3>Open incidents</h3>"
        if s.openIncidents.isEmpty { return h + "<p class=\"none\">None.</p></section>\n" }
        h += "<table><tr><th>Credential</th><th>Kind</th><th>Since</th><th>Detail</th></tr>"
        for i in s.openIncidents {
            h += "<tr class=\"incident\" data-kind=\"\(i.kind.rawValue)\"><td>\(e(i.credential))</td><td>\(i.kind.rawValue)</td><td>\(e(HumanText.time(i.since)))</td><td>\(e(i.detail))</td></tr>"
        }
        return h + "</table></section>\n"
    }

    static func e(_ s: String) -> String { HumanText.escape(s) }
}
