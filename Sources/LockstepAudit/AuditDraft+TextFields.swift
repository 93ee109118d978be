import LockstepCore

extension AuditDraft {
    /// Every field of the entry that holds text a caller chose, named as an operator would look
    /// it up in an export (`detail`, `actor.id`, `targets[1].name`, …). `action` and `outcome`
    /// are not listed: they come from a fixed vocabulary. The vault screens each of these
    /// against its stored values before the entry is written.
    public var textFields: [(field: String, text: String)] {
        var out: [(field: String, text: String)] = [("actor.id", actor.id)]
        if let credential { out.append(("credential", credential)) }
        for (label, fingerprint) in fingerprints.sorted(by: { $0.key < $1.key }) {
            out.append(("fingerprints", label))
            out.append(("fingerprints", fingerprint))
        }
        for (i, t) in targets.enumerated() {
            out.append(("targets[\(i)].namespace", t.namespace))
            out.append(("targets[\(i)].name", t.name))
            if let key = t.key { out.append(("targets[\(i)].key", key)) }
            if let rv = t.resourceVersionBefore { out.append(("targets[\(i)].rvBefore", rv)) }
            if let rv = t.resourceVersionAfter { out.append(("targets[\(i)].rvAfter", rv)) }
        }
        if let detail { out.append(("detail", detail)) }
        return out
    }
}
