import Foundation

/// The object an Event is about.
public struct InvolvedObject: Sendable, Equatable, Codable {
    public var apiVersion: String
    public var kind: String
    public var namespace: String
    public var name: String
    public var uid: String?

    public init(apiVersion: String, kind: String, namespace: String, name: String, uid: String? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
    }
}

/// A core/v1 Event for operators (`kubectl describe`, `kubectl get events`).
public struct EventRecord: Sendable, Equatable {
    public enum Kind: String, Sendable { case normal = "Normal", warning = "Warning" }

    public var reason: String
    /// Never a credential: Events are readable by anyone who may list them in the namespace.
    public var message: String
    public var type: Kind
    public var involvedObject: InvolvedObject

    public init(reason: String, message: String, type: Kind = .normal, involvedObject: InvolvedObject) {
        self.reason = reason
        self.message = message
        self.type = type
        self.involvedObject = involvedObject
    }
}

extension KubernetesClient {
    /// Creates an Event in the involved object's namespace, from component `lockstep`. The name is
    /// `<object>.<hex time>`, as client-go's recorder names them. Not retried (a repeat would duplicate it).
    /// - Returns: the created Event's name.
    @discardableResult
    public func createEvent(_ record: EventRecord) async throws -> String {
        struct Wire: Encodable {
            struct Meta: Encodable { var name, namespace: String }
            struct Source: Encodable { var component: String }
            var apiVersion = "v1"
            var kind = "Event"
            var metadata: Meta
            var involvedObject: InvolvedObject
            var reason, message, type: String
            var source = Source(component: "lockstep")
            var reportingComponent = "lockstep"
            var firstTimestamp, lastTimestamp: String
            var count = 1
        }
        struct Created: Decodable { var metadata: ObjectMeta }
        let now = configuration.now()
        let namespace = record.involvedObject.namespace
        let name = "\(record.involvedObject.name).\(String(UInt64(now.timeIntervalSince1970 * 1e9), radix: 16))"
        let stamp = MicroTime.formatSeconds(now)
        let wire = Wire(metadata: .init(name: name, namespace: namespace), involvedObject: record.involvedObject,
                        reason: record.reason, message: record.message, type: record.type.rawValue, firstTimestamp: stamp, lastTimestamp: stamp)
        let call = APICall(method: .POST, path: "/api/v1/namespaces/\(Self.escape(namespace))/events", body: try JSONEncoder().encode(wire),
                           context: RequestContext(verb: "create", resource: "events", group: "", namespace: namespace, name: name, idempotent: false))
        return try await send(call, as: Created.self).metadata.name ?? name
    }
}
