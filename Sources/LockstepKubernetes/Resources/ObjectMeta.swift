import Foundation

/// The metadata fields this client reads. Unknown fields are ignored when decoding.
public struct ObjectMeta: Codable, Sendable, Equatable {
    public var name: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var generation: Int64?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var ownerReferences: [OwnerReference]?
    public var managedFields: [ManagedFieldsEntry]?
    /// Set once the object is being deleted (a terminating pod).
    public var deletionTimestamp: String?

    public init(name: String? = nil, namespace: String? = nil, resourceVersion: String? = nil,
                labels: [String: String]? = nil, annotations: [String: String]? = nil) {
        self.name = name
        self.namespace = namespace
        self.resourceVersion = resourceVersion
        self.labels = labels
        self.annotations = annotations
    }
}

/// An owner of an object (the controller that created it, e.g. an ExternalSecret).
public struct OwnerReference: Codable, Sendable, Equatable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String?
    public var controller: Bool?

    public init(apiVersion: String, kind: String, name: String, uid: String? = nil, controller: Bool? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
    }
}

/// One managedFields entry: which field manager wrote which fields, and how.
public struct ManagedFieldsEntry: Codable, Sendable, Equatable {
    public var manager: String?
    public var operation: String?
    public var apiVersion: String?
    public var time: String?

    public init(manager: String?, operation: String? = nil) {
        self.manager = manager
        self.operation = operation
    }
}

/// The `metadata` of a list (its resourceVersion is where a watch starts).
struct ListMeta: Decodable, Sendable {
    var resourceVersion: String?
}

struct ObjectList<Item: Decodable & Sendable>: Decodable, Sendable {
    var metadata: ListMeta?
    var items: [Item]
}
