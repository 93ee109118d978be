/// An authenticated caller.
public struct UserInfo: Sendable, Hashable {
    public let name: String
    public let groups: [String]

    public init(name: String, groups: [String] = []) {
        self.name = name
        self.groups = groups
    }

    /// Members of `system:masters` pass every authorization check, as on a real cluster.
    public var isSuperuser: Bool { groups.contains("system:masters") }

    /// The user of the client certificate KubeSim issues for its own kubeconfig.
    public static let admin = UserInfo(name: "kubesim-admin", groups: ["system:masters", "system:authenticated"])
}
