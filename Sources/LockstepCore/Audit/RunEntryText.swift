/// The run an audit entry's `detail` names, as its writers put it: `run ID: …` (the engine's
/// step entries) or `run ID; …` (the vault's own). A run id is `CREDENTIAL-MILLIS` and a
/// credential name has no `;` or `:`, so the id ends at the first of them. Read by the
/// auditor's report and by the incident report alike.
public enum RunEntryText {
    /// The run an entry belongs to, or nil for an entry outside any run.
    public static func runID(_ detail: String?) -> String? {
        guard let detail, detail.hasPrefix("run ") else { return nil }
        let id = detail.dropFirst(4).prefix { $0 != ";" && $0 != ":" }
        return id.isEmpty ? nil : String(id)
    }

    /// The detail without its `run ID: ` / `run ID; ` prefix.
    public static func message(_ detail: String?) -> String {
        guard let detail else { return "" }
        guard let id = runID(detail) else { return detail }
        var rest = detail.dropFirst(4 + id.count)
        if rest.first == ";" || rest.first == ":" { rest = rest.dropFirst() }
        return String(rest.drop { $0 == " " })
    }
}
