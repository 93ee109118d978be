import Foundation

/// The fields of a `v1` Pod that Lockstep reads: where to reach it and whether it serves.
public struct Pod: Codable, Sendable, Equatable {
    public struct Spec: Codable, Sendable, Equatable {
        public struct Container: Codable, Sendable, Equatable {
            public struct Port: Codable, Sendable, Equatable {
                public var name: String?
                public var containerPort: Int
            }
            public var name: String
            public var ports: [Port]?
        }
        public var containers: [Container]
    }

    public struct Status: Codable, Sendable, Equatable {
        public struct Condition: Codable, Sendable, Equatable {
            public var type: String
            public var status: String
        }
        public var podIP: String?
        public var conditions: [Condition]?
    }

    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?

    /// The Ready condition is True (the pod is in its Services' endpoints).
    public var isReady: Bool { status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } ?? false }

    /// The port a client reaches the first container at: the one named `http`, else the first declared.
    public var httpPort: Int? {
        let ports = spec?.containers.first?.ports ?? []
        return (ports.first { $0.name == "http" } ?? ports.first)?.containerPort
    }
}

struct PodList: Codable, Sendable {
    var items: [Pod]
}

extension KubernetesClient {
    /// The pods matching `labels` (a Deployment's `matchLabels`), in one list call.
    public func listPods(namespace: String, labels: [String: String]) async throws -> [Pod] {
        let selector = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        let call = APICall(method: .GET, path: "/api/v1/namespaces/\(Self.escape(namespace))/pods", query: [("labelSelector", selector)],
                           context: RequestContext(verb: "list", resource: "pods", group: "", namespace: namespace, name: nil, idempotent: true))
        return try await send(call, as: PodList.self).items
    }
}
