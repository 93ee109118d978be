import Foundation

/// The answer of a SelfSubjectAccessReview.
public struct AccessReviewResult: Sendable, Equatable {
    public var allowed: Bool
    public var denied: Bool
    public var reason: String?
}

/// What to ask about: may I `verb` the object?
public struct ResourceAttributes: Sendable, Equatable, CustomStringConvertible {
    public var verb: String
    public var group: String
    public var resource: String
    /// `scale`, `status`, ...; empty for the resource itself.
    public var subresource: String
    public var namespace: String?
    public var name: String?

    public init(verb: String, group: String = "", resource: String, subresource: String = "", namespace: String? = nil, name: String? = nil) {
        self.verb = verb
        self.group = group
        self.resource = resource
        self.subresource = subresource
        self.namespace = namespace
        self.name = name
    }

    public var description: String {
        let qualified = (group.isEmpty ? resource : "\(resource).\(group)") + (subresource.isEmpty ? "" : "/\(subresource)")
        return "\(verb) \(qualified) \(namespace.map { "\($0)/" } ?? "")\(name ?? "*")"
    }
}

extension KubernetesClient {
    /// Asks the apiserver whether this identity may `verb` the object (SelfSubjectAccessReview), as
    /// `kubectl auth can-i` does. Every authenticated identity may ask about itself.
    public func canI(_ attributes: ResourceAttributes) async throws -> AccessReviewResult {
        struct Review: Codable {
            struct Spec: Codable { var resourceAttributes: Attributes }
            struct Attributes: Codable { var verb, group, resource: String; var subresource, namespace, name: String? }
            struct Status: Codable { var allowed: Bool; var denied: Bool?; var reason: String? }
            var apiVersion = "authorization.k8s.io/v1"
            var kind = "SelfSubjectAccessReview"
            var spec: Spec
            var status: Status?
        }
        let review = Review(spec: .init(resourceAttributes: .init(verb: attributes.verb, group: attributes.group, resource: attributes.resource,
                                                                  subresource: attributes.subresource.isEmpty ? nil : attributes.subresource,
                                                                  namespace: attributes.namespace, name: attributes.name)))
        // A review changes nothing on the server: safe to retry like a read.
        let call = APICall(method: .POST, path: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", body: try JSONEncoder().encode(review),
                           context: RequestContext(verb: "create", resource: "selfsubjectaccessreviews", group: "authorization.k8s.io",
                                                   namespace: nil, name: nil, idempotent: true))
        let answer = try await send(call, as: Review.self)
        return AccessReviewResult(allowed: answer.status?.allowed ?? false, denied: answer.status?.denied ?? false, reason: answer.status?.reason)
    }
}
