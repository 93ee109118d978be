/// An error the API answers with a Kubernetes `Status` body, as the real apiserver does.
public struct APIError: Error, Sendable {
    public let code: Int
    public let reason: String
    public let message: String
    public let details: JSONValue?

    public init(code: Int, reason: String, message: String, details: JSONValue? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    /// The `Status` object of this error.
    public var status: JSONValue {
        var body: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": .string(message), "reason": .string(reason), "code": .int(Int64(code)),
        ]
        if let details { body["details"] = details }
        return body
    }

    static func details(_ type: ResourceType, name: String) -> JSONValue {
        var d: JSONValue = ["name": .string(name), "kind": .string(type.plural)]
        if !type.group.isEmpty { d["group"] = .string(type.group) }
        return d
    }

    private static func qualified(_ type: ResourceType) -> String {
        type.group.isEmpty ? type.plural : "\(type.plural).\(type.group)"
    }

    public static func notFound(_ type: ResourceType, _ name: String) -> APIError {
        APIError(code: 404, reason: "NotFound", message: "\(qualified(type)) \"\(name)\" not found",
                 details: details(type, name: name))
    }

    public static func alreadyExists(_ type: ResourceType, _ name: String) -> APIError {
        APIError(code: 409, reason: "AlreadyExists", message: "\(qualified(type)) \"\(name)\" already exists",
                 details: details(type, name: name))
    }

    public static func conflict(_ type: ResourceType, _ name: String) -> APIError {
        APIError(
            code: 409, reason: "Conflict",
            message: "Operation cannot be fulfilled on \(qualified(type)) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again",
            details: details(type, name: name))
    }

    public static func invalid(_ type: ResourceType, _ name: String, field: String, message: String) -> APIError {
        var d = details(type, name: name)
        d["kind"] = .string(type.kind)
        d["causes"] = [["reason": "FieldValueInvalid", "message": .string(message), "field": .string(field)]]
        return APIError(code: 422, reason: "Invalid",
                        message: "\(type.kind) \"\(name)\" is invalid: \(field): \(message)", details: d)
    }

    public static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    public static func expired(_ requested: Int, oldest: Int) -> APIError {
        APIError(code: 410, reason: "Expired", message: "too old resource version: \(requested) (\(oldest))")
    }

    public static let unauthorized = APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")

    public static func unsupportedMediaType(_ contentType: String) -> APIError {
        APIError(code: 415, reason: "UnsupportedMediaType",
                 message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json")
    }

    public static func methodNotAllowed(_ method: String) -> APIError {
        APIError(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource")
    }

    public static func pathNotFound() -> APIError {
        APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource",
                 details: ["causes": [["reason": "UnexpectedServerResponse", "message": "404 page not found"]]])
    }

    public static func internalError(_ message: String, code: Int = 500) -> APIError {
        APIError(code: code, reason: code == 503 ? "ServiceUnavailable" : "InternalError", message: message)
    }
}
