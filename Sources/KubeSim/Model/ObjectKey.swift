/// Identifies one stored object.
public struct ObjectKey: Sendable, Hashable, CustomStringConvertible {
    public let type: ResourceType
    public let namespace: String
    public let name: String

    public init(type: ResourceType, namespace: String, name: String) {
        self.type = type
        self.namespace = type.namespaced ? namespace : ""
        self.name = name
    }

    public var description: String { "\(type.plural)/\(namespace)/\(name)" }
}
