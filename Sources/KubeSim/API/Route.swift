/// A parsed request path.
enum Route: Equatable {
    case root
    case version
    case health
    case coreVersions
    case groupList
    case resourceList(group: String, version: String)
    case namespaces(name: String?)
    case resource(ResourcePath)
    case admin([String])
    case notFound

    struct ResourcePath: Equatable {
        let type: ResourceType
        /// nil: across all namespaces (or a cluster-scoped type).
        let namespace: String?
        let name: String?
        let subresource: String?
    }

    static let groups: [(group: String, version: String)] = [
        ("apps", "v1"), ("coordination.k8s.io", "v1"), ("authorization.k8s.io", "v1"),
    ]

    init(segments: [String]) {
        switch segments.first {
        case nil: self = .root
        case "version": self = segments.count == 1 ? .version : .notFound
        case "healthz", "readyz", "livez": self = .health
        case "kubesim": self = .admin(Array(segments.dropFirst()))
        case "api":
            if segments.count == 1 { self = .coreVersions; return }
            guard segments[1] == "v1" else { self = .notFound; return }
            self = Route.resource(group: "", version: "v1", rest: Array(segments.dropFirst(2)))
        case "apis":
            if segments.count == 1 { self = .groupList; return }
            guard segments.count >= 3, Route.groups.contains(where: { $0 == (segments[1], segments[2]) }) else {
                self = .notFound
                return
            }
            self = Route.resource(group: segments[1], version: segments[2], rest: Array(segments.dropFirst(3)))
        default: self = .notFound
        }
    }

    private static func resource(group: String, version: String, rest: [String]) -> Route {
        func find(_ plural: String) -> ResourceType? { ResourceType.find(group: group, version: version, plural: plural) }
        switch rest.count {
        case 0: return .resourceList(group: group, version: version)
        case 1 where group.isEmpty && rest[0] == "namespaces": return .namespaces(name: nil)
        case 2 where group.isEmpty && rest[0] == "namespaces": return .namespaces(name: rest[1])
        case 1, 2:
            guard let type = find(rest[0]), rest.count == 1 || !type.namespaced else { return .notFound }
            return .resource(ResourcePath(type: type, namespace: nil, name: rest.count == 2 ? rest[1] : nil, subresource: nil))
        case 3...5 where rest[0] == "namespaces":
            guard let type = find(rest[2]), type.namespaced else { return .notFound }
            let subresource = rest.count == 5 ? rest[4] : nil
            if let subresource, !type.subresources.contains(subresource) { return .notFound }
            return .resource(ResourcePath(type: type, namespace: rest[1], name: rest.count >= 4 ? rest[3] : nil, subresource: subresource))
        default: return .notFound
        }
    }
}
