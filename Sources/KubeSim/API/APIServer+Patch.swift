import Foundation

extension APIServer {
    enum PatchType: String {
        case merge = "application/merge-patch+json"
        case strategic = "application/strategic-merge-patch+json"
        case json = "application/json-patch+json"
        case apply = "application/apply-patch+yaml"
    }

    func patch(_ request: APIRequest, _ path: Route.ResourcePath) throws -> APIResponse {
        let key = try key(path)
        guard let patchType = PatchType(rawValue: request.contentType) else {
            throw APIError.unsupportedMediaType(request.contentType)
        }
        let body = try request.parsedBody()
        let manager = request.fieldManager
        if patchType == .apply && (request.query["fieldManager"] ?? "").isEmpty {
            throw APIError(code: 422, reason: "Invalid",
                           message: "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch")
        }
        var fieldsSet = patchType == .json ? ManagedFields.fieldSet(ofJSONPatch: body) : ManagedFields.fieldSet(of: body)
        if path.subresource == "scale" {
            // A patch of the Scale object only ever changes spec.replicas.
            let replicas = body.value(at: ["spec", "replicas"])
            fieldsSet = ["f:spec": ["f:replicas": [:]]]
            let context = WriteContext(manager: manager, operation: patchType == .apply ? "Apply" : "Update", fieldsSet: fieldsSet, subresource: "scale")
            let updated = try store.modify(key, context: context) { old in
                var next = old ?? [:]
                if let replicas { next.setValue(replicas, at: ["spec", "replicas"]) }
                return next
            }
            return .json(Scale.from(updated))
        }
        let context = WriteContext(manager: manager, operation: patchType == .apply ? "Apply" : "Update",
                                   fieldsSet: fieldsSet, subresource: path.subresource)
        let updated = try store.modify(key, context: context, createIfMissing: patchType == .apply) { old in
            guard let old else { return body }
            let patched: JSONValue
            switch patchType {
            case .merge: patched = MergePatch.apply(body, to: old)
            case .strategic, .apply: patched = StrategicMergePatch.apply(body, to: old)
            case .json: patched = try JSONPatch.apply(body, to: old)
            }
            guard case .object = patched else { throw APIError.badRequest("the patch did not produce an object") }
            return patched
        }
        return .json(updated)
    }
}
