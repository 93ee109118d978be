import Foundation

/// Static bearer tokens, in kube-apiserver's `--token-auth-file` format:
/// `token,user[,uid[,"group1,group2"]]` per line; blank lines and `#` comments are ignored.
public struct TokenFile: Sendable {
    /// Token → user, in file order (the first token is the kubeconfig's default).
    public let entries: [(token: String, user: UserInfo)]

    public init(entries: [(token: String, user: UserInfo)]) {
        self.entries = entries
    }

    public init(contentsOf url: URL) throws {
        try self.init(parsing: String(contentsOf: url, encoding: .utf8))
    }

    public init(parsing text: String) throws {
        var entries: [(String, UserInfo)] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = Self.splitCSV(line)
            guard fields.count >= 2, !fields[0].isEmpty, !fields[1].isEmpty else {
                throw KubeSimError.invalidConfiguration("tokens file line \(number + 1): expected token,user[,uid[,\"groups\"]]")
            }
            let groups = fields.count > 3 ? fields[3].split(separator: ",").map(String.init) : []
            entries.append((fields[0], UserInfo(name: fields[1], groups: groups + ["system:authenticated"])))
        }
        self.entries = entries
    }

    public func user(forToken token: String) -> UserInfo? {
        entries.first { $0.token == token }?.user
    }

    private static func splitCSV(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        for ch in line {
            if ch == "\"" { quoted.toggle() } else if ch == "," && !quoted {
                fields.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else { current.append(ch) }
        }
        fields.append(current.trimmingCharacters(in: .whitespaces))
        return fields
    }
}
