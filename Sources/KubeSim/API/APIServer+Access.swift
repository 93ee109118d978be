import Foundation

extension APIServer {
    /// SelfSubjectAccessReview: answers from the same rules that guard every request.
    func accessReview(_ request: APIRequest) throws -> APIResponse {
        var review = try request.parsedBody()
        let allowed: Bool
        if let attributes = review.value(at: ["spec", "resourceAttributes"]) {
            func field(_ name: String) -> String { attributes[name]?.stringValue ?? "" }
            let wanted = ResourceAttributes(
                verb: field("verb"), group: field("group"), resource: field("resource"),
                subresource: field("subresource"), namespace: field("namespace"), name: field("name"))
            allowed = configuration.rbac?.allows(request.user, wanted) ?? true
        } else {
            // Non-resource URLs: discovery and health paths are open to everyone, as on a real cluster.
            let path = review.value(at: ["spec", "nonResourceAttributes", "path"])?.stringValue ?? ""
            let open = ["/api", "/apis", "/version", "/healthz", "/livez", "/readyz", "/openapi"].contains { path.hasPrefix($0) }
            allowed = open || configuration.rbac == nil || request.user.isSuperuser
        }
        review["kind"] = "SelfSubjectAccessReview"
        review["apiVersion"] = "authorization.k8s.io/v1"
        if review["metadata"] == nil { review["metadata"] = [:] }
        review.setValue(.string(ObjectRules.timestamp(Date())), at: ["metadata", "creationTimestamp"])
        var status: JSONValue = ["allowed": .bool(allowed)]
        if allowed && configuration.rbac != nil { status["reason"] = "allowed by kubesim RBAC rules" }
        review["status"] = status
        return .json(review, code: 201)
    }

    /// `/kubesim/faults` (GET, POST, DELETE) and `/kubesim/services` (GET).
    func admin(_ request: APIRequest, path: [String]) throws -> APIResponse {
        let verb = ["GET": "get", "POST": "create", "DELETE": "delete"][request.method] ?? "update"
        try authorize(request.user, ResourceAttributes(verb: verb, group: "kubesim", resource: path.first ?? ""))
        switch (request.method, path) {
        case ("GET", ["faults"]): return .json(faults.snapshot)
        case ("POST", ["faults"]), ("PUT", ["faults"]):
            try faults.apply(try request.parsedBody())
            logger.info("faults changed")
            return .json(faults.snapshot)
        case ("DELETE", ["faults"]):
            faults.clear()
            return .json(faults.snapshot)
        default: throw APIError.pathNotFound()
        }
    }
}
