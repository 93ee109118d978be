import Foundation

/// The `Status` object the apiserver sends with every failure.
struct StatusBody: Decodable, Sendable {
    struct Details: Decodable, Sendable {
        var name: String?
        var group: String?
        var kind: String?
    }

    var kind: String?
    var status: String?
    var message: String?
    var reason: String?
    var details: Details?
    var code: Int?
}

/// The operation a request performs, for error messages and the retry decision.
struct RequestContext: Sendable {
    /// RBAC verb: get, list, watch, create, update, patch, delete.
    var verb: String
    /// Plural resource, e.g. `secrets`, `deployments`, `leases`.
    var resource: String
    var group: String
    var namespace: String?
    var name: String?
    /// Whether sending it twice has the effect of sending it once (reads, guarded or same-value writes).
    var idempotent: Bool

    /// `secret ns/name`, as messages name objects.
    var objectDescription: String {
        let singular = resource.hasSuffix("s") ? String(resource.dropLast()) : resource
        switch (namespace, name) {
        case let (ns?, n?): return "\(singular) \(ns)/\(n)"
        case let (nil, n?): return "\(singular) \(n)"
        case let (ns?, nil): return "\(resource) in \(ns)"
        case (nil, nil): return resource
        }
    }
}

extension KubernetesError {
    /// Turns an HTTP failure and its body into a typed error.
    static func from(status: Int, body: Data, context: RequestContext) -> KubernetesError {
        let decoded = try? JSONDecoder().decode(StatusBody.self, from: body)
        // A non-Status body (a proxy's HTML page) is not quoted: it could be anything.
        let message = decoded?.message ?? "HTTP \(status) without a Status body"
        let reason = decoded?.reason
        let object = context.objectDescription
        let code: Code
        switch status {
        case 400, 422: code = .invalid
        case 401: code = .unauthorized
        case 403:
            return KubernetesError(.forbidden, object: object, message: message, status: status, reason: reason,
                                   verb: context.verb, resource: context.group.isEmpty ? context.resource : "\(context.resource).\(context.group)",
                                   namespace: context.namespace)
        case 404: code = .notFound
        case 409: code = reason == "AlreadyExists" ? .alreadyExists : .conflict
        case 410: code = .gone
        case 429: code = .tooManyRequests
        case 504: code = .timeout
        case 500...599: code = reason == "Timeout" ? .timeout : .serverError
        default: code = .invalid
        }
        return KubernetesError(code, object: object, message: message, status: status, reason: reason, namespace: context.namespace)
    }
}
