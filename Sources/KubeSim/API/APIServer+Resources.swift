import Foundation

extension APIServer {
    func key(_ path: Route.ResourcePath) throws -> ObjectKey {
        guard let name = path.name else { throw APIError.methodNotAllowed("") }
        return ObjectKey(type: path.type, namespace: path.namespace ?? "", name: name)
    }

    func get(_ request: APIRequest, _ path: Route.ResourcePath) throws -> APIResponse {
        let key = try key(path)
        guard let object = store.get(key) else { throw APIError.notFound(path.type, key.name) }
        if path.subresource == "scale" { return .json(Scale.from(object)) }
        if TableView.wanted(request) {
            return .json(tableView(request, path.type).table([object], resourceVersion: object.value(at: ["metadata", "resourceVersion"])?.stringValue))
        }
        return .json(object)
    }

    func list(_ request: APIRequest, _ path: Route.ResourcePath) throws -> APIResponse {
        let selector = try Selector(labelSelector: request.query["labelSelector"], fieldSelector: request.query["fieldSelector"])
        let (items, resourceVersion) = store.list(path.type, namespace: path.namespace, matching: selector.matches)
        if TableView.wanted(request) {
            return .json(tableView(request, path.type).table(items, resourceVersion: String(resourceVersion)))
        }
        return .json([
            "kind": .string(path.type.listKind), "apiVersion": .string(path.type.apiVersion),
            "metadata": ["resourceVersion": .string(String(resourceVersion))], "items": .array(items),
        ])
    }

    func tableView(_ request: APIRequest, _ type: ResourceType) -> TableView {
        TableView(type: type, includeObject: request.query["includeObject"] ?? "Metadata", now: Date())
    }

    func create(_ request: APIRequest, _ path: Route.ResourcePath) throws -> APIResponse {
        guard path.name == nil, path.subresource == nil else { throw APIError.methodNotAllowed(request.method) }
        let body = try request.parsedBody()
        let namespace = path.namespace ?? body.value(at: ["metadata", "namespace"])?.stringValue ?? "default"
        let context = WriteContext(manager: request.fieldManager, fieldsSet: ManagedFields.fieldSet(of: body))
        let created = try store.create(path.type, namespace: namespace, object: body, context: context)
        return .json(created, code: 201)
    }

    func update(_ request: APIRequest, _ path: Route.ResourcePath) throws -> APIResponse {
        let key = try key(path)
        var body = try request.parsedBody()
        if path.subresource == "scale" {
            let replicas = body.value(at: ["spec", "replicas"]) ?? 1
            let wanted = body.value(at: ["metadata", "resourceVersion"])
            body = .null
            let context = WriteContext(manager: request.fieldManager, fieldsSet: ["f:spec": ["f:replicas": [:]]], subresource: "scale")
            let updated = try store.modify(key, context: context) { old in
                var next = old ?? [:]
                next.setValue(replicas, at: ["spec", "replicas"])
                next.setValue(wanted, at: ["metadata", "resourceVersion"])
                return next
            }
            return .json(Scale.from(updated))
        }
        let context = WriteContext(manager: request.fieldManager, fieldsSet: ManagedFields.fieldSet(of: body), subresource: path.subresource)
        let updated = try store.modify(key, context: context) { _ in body }
        return .json(updated)
    }

    func delete(_ request: APIRequest, _ path: Route.ResourcePath) throws -> APIResponse {
        let key = try key(path)
        let options = request.body.isEmpty ? nil : try? JSONValue.parse(request.body)
        let precondition = options?.value(at: ["preconditions", "resourceVersion"])?.stringValue
        let deleted = try store.delete(key, precondition: precondition)
        var details = APIError.details(path.type, name: key.name)
        details["uid"] = deleted.value(at: ["metadata", "uid"])
        return .json(["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "details": details])
    }
}

/// The autoscaling/v1 Scale view of a Deployment.
enum Scale {
    static func from(_ deployment: JSONValue) -> JSONValue {
        var metadata: JSONValue = [:]
        for field in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
            metadata[field] = deployment.value(at: ["metadata", field])
        }
        let labels = deployment.value(at: ["spec", "selector", "matchLabels"])?.objectValue ?? [:]
        let selector = labels.keys.sorted().map { "\($0)=\(labels[$0]?.stringValue ?? "")" }.joined(separator: ",")
        return [
            "kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": metadata,
            "spec": ["replicas": deployment.value(at: ["spec", "replicas"]) ?? 0],
            "status": ["replicas": deployment.value(at: ["status", "replicas"]) ?? 0, "selector": .string(selector)],
        ]
    }
}
