import Foundation

/// A failed Kubernetes API call, decoded from the server's `Status` body where there is one.
///
/// Messages name the object (`secret litellm-system/litellm-masterkey`) and quote the server, never a
/// credential: the apiserver does not echo tokens, and this client never puts one into an error.
public struct KubernetesError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a caller decides on it.
    public enum Code: String, Sendable, Equatable {
        /// 409 Conflict: the object changed since it was read. Re-read and decide; never retried here.
        case conflict
        /// 409 AlreadyExists on create.
        case alreadyExists
        case notFound
        /// 403: the caller lacks a permission; ``verb``, ``resource`` and ``namespace`` say which.
        case forbidden
        /// 401: the credential was refused (after one refresh of the token or exec credential).
        case unauthorized
        /// 422 or 400: the request was rejected as invalid.
        case invalid
        /// 504, a server-side timeout, or the client's request deadline.
        case timeout
        /// 429 after the retries ran out.
        case tooManyRequests
        /// 5xx after the retries ran out.
        case serverError
        /// 410: a watch's resourceVersion is too old (the caller re-lists).
        case gone
        /// The connection failed (refused, reset, TLS).
        case transport
        /// The server answered something this client cannot read.
        case decoding
        /// The configuration (kubeconfig, in-cluster files, exec plugin) is unusable.
        case configuration
        /// A rollout failed (ProgressDeadlineExceeded) or did not finish in time.
        case rollout
    }

    public let code: Code
    /// HTTP status, when the server answered.
    public let status: Int?
    /// The object the call was about, e.g. `secret gateway/litellm-masterkey`.
    public let object: String?
    /// The server's message (or this client's explanation).
    public let message: String
    /// For `.forbidden`: the verb, resource and namespace that were refused.
    public let verb: String?
    public let resource: String?
    public let namespace: String?
    /// The `reason` field of the Status body (e.g. `Conflict`, `Forbidden`, `ProgressDeadlineExceeded`).
    public let reason: String?

    public init(_ code: Code, object: String? = nil, message: String, status: Int? = nil, reason: String? = nil,
                verb: String? = nil, resource: String? = nil, namespace: String? = nil) {
        self.code = code
        self.object = object
        self.message = message
        self.status = status
        self.reason = reason
        self.verb = verb
        self.resource = resource
        self.namespace = namespace
    }

    public var description: String {
        var text = object.map { "\($0): " } ?? ""
        text += "\(code.rawValue)"
        if let status { text += " (HTTP \(status))" }
        text += ": \(message)"
        if let hint { text += " — \(hint)" }
        return text
    }

    /// What an operator can do about it.
    public var hint: String? {
        switch code {
        case .forbidden:
            if let verb, let resource {
                return "grant \(verb) on \(resource)\(namespace.map { " in namespace \($0)" } ?? "") to this identity (see docs/kubernetes.md)"
            }
            return "check the RBAC rules of this identity (see docs/kubernetes.md)"
        case .unauthorized: return "the credential was refused; check the token, client certificate or exec plugin"
        case .conflict: return "the object changed since it was read; re-read it and decide"
        default: return nil
        }
    }
}
