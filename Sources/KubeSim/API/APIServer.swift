import Foundation
import Logging
import Synchronization

/// The API server's state and request handling, independent of the HTTP framework.
final class APIServer: Sendable {
    let configuration: KubeSimConfiguration
    let store: ObjectStore
    let faults: FaultInjector
    let logger: Logger
    private let address = Mutex("127.0.0.1:0")
    /// Where `GET .../pods` reads from (the Deployment controller), set once it runs.
    let podSource = Locked<(@Sendable (String?) async -> [JSONValue])?>(nil)

    init(configuration: KubeSimConfiguration, store: ObjectStore, faults: FaultInjector, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.faults = faults
        self.logger = logger
    }

    var serverAddress: String {
        get { address.withLock { $0 } }
        set { address.withLock { $0 = newValue } }
    }

    /// Answers one request; every failure becomes a Status body.
    func handle(_ request: APIRequest) async -> APIResponse {
        do {
            return try await route(request)
        } catch let error as APIError {
            return .json(error.status, code: error.code)
        } catch {
            logger.error("unexpected error: \(error)")
            return .json(APIError.internalError("\(error)").status, code: 500)
        }
    }

    private func route(_ request: APIRequest) async throws -> APIResponse {
        switch Route(segments: request.segments) {
        case .root: return .json(Discovery.rootPaths)
        case .version: return .json(Discovery.version(configuration.serverVersion))
        case .health: return .text("ok")
        case .coreVersions: return .json(Discovery.coreVersions(serverAddress: serverAddress))
        case .groupList: return .json(Discovery.groupList)
        case .resourceList(let group, let version): return .json(Discovery.resourceList(group: group, version: version))
        case .namespaces(let name): return try namespaces(request, name: name)
        case .admin(let path): return try admin(request, path: path)
        case .notFound: throw APIError.pathNotFound()
        case .resource(let path):
            let latency = faults.latency
            if latency > .zero { try await Task.sleep(for: latency) }
            return try await resource(request, path)
        }
    }

    private func resource(_ request: APIRequest, _ path: Route.ResourcePath) async throws -> APIResponse {
        let verb = Self.verb(method: request.method, path: path, watch: request.flag("watch"))
        let attributes = ResourceAttributes(
            verb: verb, group: path.type.group, resource: path.type.plural, subresource: path.subresource ?? "",
            namespace: path.namespace ?? "", name: path.name ?? "")
        // Every authenticated user may review their own access, as with the system:basic-user role.
        if path.type != .selfSubjectAccessReviews { try authorize(request.user, attributes) }
        if let code = faults.takeServerError(verb: verb, resource: path.type.plural) {
            throw APIError.internalError("kubesim: injected server error", code: code)
        }
        if path.type == .pods { return try await pods(request, path, verb: verb) }
        switch verb {
        case "get": return try get(request, path)
        case "list": return try list(request, path)
        case "watch": return try watch(request, path)
        case "create":
            if path.type == .selfSubjectAccessReviews { return try accessReview(request) }
            return try create(request, path)
        case "update": return try update(request, path)
        case "patch": return try patch(request, path)
        case "delete": return try delete(request, path)
        default: throw APIError.methodNotAllowed(request.method)
        }
    }

    static func verb(method: String, path: Route.ResourcePath, watch: Bool) -> String {
        switch method {
        case "GET", "HEAD": watch ? "watch" : (path.name == nil ? "list" : "get")
        case "POST": "create"
        case "PUT": "update"
        case "PATCH": "patch"
        case "DELETE": path.name == nil ? "deletecollection" : "delete"
        default: method.lowercased()
        }
    }

    func authorize(_ user: UserInfo, _ attributes: ResourceAttributes) throws {
        guard let rbac = configuration.rbac else { return }
        if !rbac.allows(user, attributes) {
            logger.info("forbidden: \(user.name) \(attributes.verb) \(attributes.resource) \(attributes.namespace)/\(attributes.name)")
            throw attributes.forbidden(user: user.name)
        }
    }

    private func namespaces(_ request: APIRequest, name: String?) throws -> APIResponse {
        guard request.method == "GET" else { throw APIError.methodNotAllowed(request.method) }
        try authorize(request.user, ResourceAttributes(verb: name == nil ? "list" : "get", group: "", resource: "namespaces", name: name ?? ""))
        func namespace(_ n: String) -> JSONValue {
            ["kind": "Namespace", "apiVersion": "v1", "metadata": ["name": .string(n)], "spec": ["finalizers": ["kubernetes"]], "status": ["phase": "Active"]]
        }
        if let name { return .json(namespace(name)) }
        var names: Set<String> = ["default", "kube-system"]
        for type in ResourceType.stored { for item in store.list(type, namespace: nil).items {
            if let n = item.value(at: ["metadata", "namespace"])?.stringValue { names.insert(n) }
        } }
        return .json(["kind": "NamespaceList", "apiVersion": "v1", "metadata": ["resourceVersion": .string(String(store.resourceVersion))],
                      "items": .array(names.sorted().map(namespace))])
    }
}
