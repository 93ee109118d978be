/// One key of one Kubernetes Secret (`namespace/name#key`): the typed reference the policy's
/// targets, drift reports and audit targets share. Written as its `reference` text only at the
/// edges (CLI output, the admin API's JSON, messages) and parsed back only from there.
public typealias SecretRef = RotationPolicy.SecretTarget

extension RotationPolicy.SecretTarget {
    /// `namespace/name#key`.
    public var reference: String { description }

    /// Parses `namespace/name#key`; nil when a part is missing or empty.
    public init?(reference: String) {
        let parts = reference.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return nil }
        let nameKey = parts[1].split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        guard nameKey.count == 2, !nameKey[0].isEmpty, !nameKey[1].isEmpty else { return nil }
        self.init(namespace: String(parts[0]), name: String(nameKey[0]), key: String(nameKey[1]))
    }
}
