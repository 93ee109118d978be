/// The name of a credential: 1–63 characters of lowercase letters, digits, `-`, `.` and `_`,
/// starting with a letter or digit. Names appear in audit entries, file names and Kubernetes
/// annotations, so they are restricted to what is safe in all three.
public struct CredentialName: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(_ text: String) throws(CoreError) {
        let bytes = Array(text.utf8)
        guard (1...63).contains(bytes.count) else {
            throw CoreError.invalidName(text, reason: "must be 1 to 63 characters long")
        }
        func allowed(_ b: UInt8) -> Bool {
            (b >= 97 && b <= 122) || (b >= 48 && b <= 57) || b == 45 || b == 46 || b == 95
        }
        guard bytes.allSatisfy(allowed) else {
            throw CoreError.invalidName(text, reason: "may contain only a-z, 0-9, '-', '.' and '_'")
        }
        guard let first = bytes.first, (first >= 97 && first <= 122) || (first >= 48 && first <= 57) else {
            throw CoreError.invalidName(text, reason: "must start with a letter or digit")
        }
        self.rawValue = text
    }

    public var description: String { rawValue }
    public static func < (a: CredentialName, b: CredentialName) -> Bool { a.rawValue < b.rawValue }
}

/// The lifecycle state of one version of a credential (DESIGN.md §3), after AWS Secrets
/// Manager's staging labels. At most one version of a credential is `current`.
public enum VersionState: String, Sendable, Codable, CaseIterable {
    case pending, current, previous, retired, failed, revoked
}

/// Where a version's value came from.
public enum VersionSource: String, Sendable, Codable {
    case imported, generated, manual
    /// Minted by the provider's admin API at Lockstep's request (an Azure key regenerated).
    case provider
}
