import Foundation

/// Authorization rules per user, loaded from YAML:
///
/// ```yaml
/// users:
///   lockstep:
///     - verbs: [get, patch]
///       resources: [secrets]
///       resourceNames: [litellm-masterkey]   # optional: any name when left out
///       namespaces: [gateway]                # optional: any namespace when left out
///       apiGroups: [""]                      # optional: any group when left out
/// ```
/// `"*"` matches anything in every list. Without a rules file every authenticated user may do
/// everything; with one, a user without rules may do nothing (except discovery and access reviews).
public struct RBACRules: Sendable {
    public struct Rule: Sendable, Equatable {
        public var verbs: [String]
        public var resources: [String]
        public var resourceNames: [String]
        public var namespaces: [String]
        public var apiGroups: [String]

        public init(verbs: [String], resources: [String], resourceNames: [String] = [], namespaces: [String] = [], apiGroups: [String] = []) {
            self.verbs = verbs
            self.resources = resources
            self.resourceNames = resourceNames
            self.namespaces = namespaces
            self.apiGroups = apiGroups
        }

        func allows(_ a: ResourceAttributes) -> Bool {
            func has(_ list: [String], _ value: String) -> Bool { list.contains("*") || list.contains(value) }
            let resource = a.subresource.isEmpty ? a.resource : "\(a.resource)/\(a.subresource)"
            guard has(verbs, a.verb), has(resources, resource) else { return false }
            if !apiGroups.isEmpty && !has(apiGroups, a.group) { return false }
            if !namespaces.isEmpty && !has(namespaces, a.namespace) { return false }
            // As in Kubernetes RBAC, resourceNames cannot restrict requests that carry no name (list, watch, create).
            if !resourceNames.isEmpty && (a.name.isEmpty || !has(resourceNames, a.name)) { return false }
            return true
        }
    }

    public let users: [String: [Rule]]

    public init(users: [String: [Rule]]) {
        self.users = users
    }

    public init(contentsOf url: URL) throws {
        try self.init(yaml: String(contentsOf: url, encoding: .utf8))
    }

    public init(yaml: String) throws {
        let document = try JSONValue.parseYAML(yaml)
        guard case .object(let users)? = document["users"] else {
            throw KubeSimError.invalidConfiguration("RBAC file: expected a top-level \"users\" map")
        }
        var parsed: [String: [Rule]] = [:]
        for (user, rules) in users {
            parsed[user] = try (rules.arrayValue ?? []).map { rule in
                func list(_ key: String) -> [String] { rule[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
                guard !list("verbs").isEmpty, !list("resources").isEmpty else {
                    throw KubeSimError.invalidConfiguration("RBAC file: every rule of user \"\(user)\" needs verbs and resources")
                }
                return Rule(verbs: list("verbs"), resources: list("resources"), resourceNames: list("resourceNames"),
                            namespaces: list("namespaces"), apiGroups: list("apiGroups"))
            }
        }
        self.users = parsed
    }

    public func allows(_ user: UserInfo, _ attributes: ResourceAttributes) -> Bool {
        if user.isSuperuser { return true }
        return (users[user.name] ?? []).contains { $0.allows(attributes) }
    }
}

/// What a request does, in the terms RBAC and SelfSubjectAccessReview use.
public struct ResourceAttributes: Sendable, Equatable {
    public var verb: String
    public var group: String
    public var resource: String
    public var subresource: String
    public var namespace: String
    public var name: String

    public init(verb: String, group: String, resource: String, subresource: String = "", namespace: String = "", name: String = "") {
        self.verb = verb
        self.group = group
        self.resource = resource
        self.subresource = subresource
        self.namespace = namespace
        self.name = name
    }

    /// The apiserver's 403 message, e.g. `secrets "x" is forbidden: User "u" cannot patch resource
    /// "secrets" in API group "" in the namespace "ns"`.
    func forbiddenMessage(user: String) -> String {
        let qualified = group.isEmpty ? resource : "\(resource).\(group)"
        let subject = name.isEmpty ? qualified : "\(qualified) \"\(name)\""
        let resourceText = subresource.isEmpty ? resource : "\(resource)/\(subresource)"
        let scope = namespace.isEmpty ? "at the cluster scope" : "in the namespace \"\(namespace)\""
        return "\(subject) is forbidden: User \"\(user)\" cannot \(verb) resource \"\(resourceText)\" in API group \"\(group)\" \(scope)"
    }

    func forbidden(user: String) -> APIError {
        var details: JSONValue = ["kind": .string(resource)]
        if !name.isEmpty { details["name"] = .string(name) }
        if !group.isEmpty { details["group"] = .string(group) }
        return APIError(code: 403, reason: "Forbidden", message: forbiddenMessage(user: user), details: details)
    }
}
