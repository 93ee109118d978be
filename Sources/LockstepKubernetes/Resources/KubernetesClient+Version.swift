import Foundation

/// `GET /version`: the API server's build, and the cheapest proof that it is reachable and that
/// the credentials are accepted (the daemon's `/readyz`).
public struct ServerVersion: Sendable, Equatable, Decodable {
    public var major: String
    public var minor: String
    public var gitVersion: String
}

extension KubernetesClient {
    public func serverVersion() async throws -> ServerVersion {
        try await send(APICall(method: .GET, path: "/version",
                               context: RequestContext(verb: "get", resource: "version", group: "", namespace: nil, name: nil, idempotent: true)),
                       as: ServerVersion.self)
    }
}
