import Foundation
import Synchronization

/// The in-memory object store: every object, one global resourceVersion counter and a bounded
/// history of changes from which watches resume.
///
/// Invariant: every write that changes an object takes the next resourceVersion and appends exactly
/// one event to the history; a write that changes nothing takes none.
public final class ObjectStore: Sendable {
    struct Watcher {
        let type: ResourceType
        let namespace: String?
        let matches: @Sendable (JSONValue) -> Bool
        let continuation: AsyncStream<WatchEvent>.Continuation
    }

    struct State {
        var objects: [ObjectKey: JSONValue] = [:]
        var resourceVersion = 1
        var history: [WatchEvent] = []
        /// Highest resourceVersion whose event was dropped from the history.
        var evictedThrough = 0
        var watchers: [UUID: Watcher] = [:]
        var closed = false
    }

    let state = Mutex(State())
    let historyLimit: Int
    let faults: FaultInjector

    public init(historyLimit: Int = 1000, faults: FaultInjector = FaultInjector()) {
        self.historyLimit = max(1, historyLimit)
        self.faults = faults
    }

    /// The current global resourceVersion.
    public var resourceVersion: Int { state.withLock { $0.resourceVersion } }

    public func get(_ key: ObjectKey) -> JSONValue? {
        state.withLock { $0.objects[key] }
    }

    /// Objects of a type (in one namespace, or all when nil) that match, sorted by namespace and name,
    /// with the resourceVersion the list is consistent with.
    public func list(_ type: ResourceType, namespace: String?, matching: (JSONValue) -> Bool = { _ in true }) -> (items: [JSONValue], resourceVersion: Int) {
        state.withLock { s in
            let items = s.objects
                .filter { $0.key.type == type && (namespace == nil || $0.key.namespace == namespace) && matching($0.value) }
                .sorted { ($0.key.namespace, $0.key.name) < ($1.key.namespace, $1.key.name) }
                .map(\.value)
            return (items, s.resourceVersion)
        }
    }

    /// Creates an object; 409 AlreadyExists when the name is taken.
    @discardableResult
    public func create(_ type: ResourceType, namespace: String, object: JSONValue, context: WriteContext) throws -> JSONValue {
        var object = object
        let name = try Self.nameForCreate(&object)
        let key = ObjectKey(type: type, namespace: namespace, name: name)
        return try state.withLock { s in
            if s.objects[key] != nil { throw APIError.alreadyExists(type, name) }
            return try commit(&s, key: key, old: nil, proposed: object, context: context)
        }
    }

    /// Reads the current object, lets `transform` propose a new one, and commits it, atomically.
    /// With `createIfMissing` the transform receives nil for a missing object (server-side apply).
    @discardableResult
    public func modify(
        _ key: ObjectKey, context: WriteContext, createIfMissing: Bool = false,
        _ transform: (JSONValue?) throws -> JSONValue
    ) throws -> JSONValue {
        try state.withLock { s in
            let old = s.objects[key]
            if old == nil && !createIfMissing { throw APIError.notFound(key.type, key.name) }
            if old != nil && faults.takeConflict(key) { throw APIError.conflict(key.type, key.name) }
            let proposed = try transform(old)
            return try commit(&s, key: key, old: old, proposed: proposed, context: context)
        }
    }

    /// Deletes an object, optionally guarded by a resourceVersion precondition.
    @discardableResult
    public func delete(_ key: ObjectKey, precondition resourceVersion: String? = nil) throws -> JSONValue {
        try state.withLock { s in
            guard var old = s.objects[key] else { throw APIError.notFound(key.type, key.name) }
            if let resourceVersion, !resourceVersion.isEmpty,
               resourceVersion != old.value(at: ["metadata", "resourceVersion"])?.stringValue {
                throw APIError.conflict(key.type, key.name)
            }
            s.objects[key] = nil
            s.resourceVersion += 1
            old.setValue(.string(String(s.resourceVersion)), at: ["metadata", "resourceVersion"])
            record(&s, WatchEvent(kind: .deleted, object: old, key: key, resourceVersion: s.resourceVersion))
            return old
        }
    }

    static func nameForCreate(_ object: inout JSONValue) throws -> String {
        if let name = object.value(at: ["metadata", "name"])?.stringValue, !name.isEmpty { return name }
        if let prefix = object.value(at: ["metadata", "generateName"])?.stringValue, !prefix.isEmpty {
            let name = prefix + RandomName.suffix(5)
            object.setValue(.string(name), at: ["metadata", "name"])
            return name
        }
        throw APIError(code: 422, reason: "Invalid", message: "metadata.name: Required value: name or generateName is required")
    }
}
