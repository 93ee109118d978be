import Foundation

extension ObjectStore {
    /// Validates, defaults and stores `proposed` as the new state of `key`. Called under the lock.
    func commit(_ s: inout State, key: ObjectKey, old: JSONValue?, proposed: JSONValue, context: WriteContext) throws -> JSONValue {
        guard case .object = proposed else { throw APIError.badRequest("the body of the request must be a JSON object") }
        var object = proposed
        let type = key.type
        try checkIdentity(&object, key: key)
        if let old {
            let wanted = object.value(at: ["metadata", "resourceVersion"])?.stringValue ?? ""
            let current = old.value(at: ["metadata", "resourceVersion"])?.stringValue ?? ""
            if !wanted.isEmpty && wanted != current { throw APIError.conflict(type, key.name) }
            for field in ["uid", "creationTimestamp", "generation"] {
                object.setValue(old.value(at: ["metadata", field]), at: ["metadata", field])
            }
            object.setValue(old.value(at: ["metadata", "managedFields"]), at: ["metadata", "managedFields"])
            applySubresourceRules(&object, old: old, subresource: context.subresource)
        } else {
            object.setValue(.string(UUID().uuidString.lowercased()), at: ["metadata", "uid"])
            object.setValue(.string(ObjectRules.timestamp(context.now)), at: ["metadata", "creationTimestamp"])
            if type.hasGeneration { object.setValue(1, at: ["metadata", "generation"]) }
            else { object.setValue(nil, at: ["metadata", "generation"]) }
            if type.kind == "Deployment" && context.subresource == nil { object["status"] = [:] }
        }
        try ObjectRules.normalize(&object, type: type, old: old)
        if let old, type.hasGeneration, object["spec"] != old["spec"] {
            let generation = old.value(at: ["metadata", "generation"])?.intValue ?? 1
            object.setValue(.int(Int64(generation + 1)), at: ["metadata", "generation"])
        }
        if let old, Self.comparable(object) == Self.comparable(old) { return old }
        if let fields = context.fieldsSet {
            ManagedFields.record(in: &object, manager: context.manager, operation: context.operation,
                                 apiVersion: type.apiVersion, fields: fields, subresource: context.subresource,
                                 time: ObjectRules.timestamp(context.now))
        }
        s.resourceVersion += 1
        object.setValue(.string(String(s.resourceVersion)), at: ["metadata", "resourceVersion"])
        s.objects[key] = object
        record(&s, WatchEvent(kind: old == nil ? .added : .modified, object: object, key: key, resourceVersion: s.resourceVersion))
        return object
    }

    private func checkIdentity(_ object: inout JSONValue, key: ObjectKey) throws {
        let type = key.type
        object["kind"] = .string(type.kind)
        object["apiVersion"] = .string(type.apiVersion)
        if object["metadata"]?.objectValue == nil { object["metadata"] = [:] }
        let name = object.value(at: ["metadata", "name"])?.stringValue ?? ""
        if name.isEmpty {
            object.setValue(.string(key.name), at: ["metadata", "name"])
        } else if name != key.name {
            throw APIError.badRequest("the name of the object (\(name)) does not match the name on the URL (\(key.name))")
        }
        guard type.namespaced else { return }
        let namespace = object.value(at: ["metadata", "namespace"])?.stringValue ?? ""
        if !namespace.isEmpty && namespace != key.namespace {
            throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        object.setValue(.string(key.namespace), at: ["metadata", "namespace"])
    }

    /// The main resource cannot change status; the status subresource changes only status.
    private func applySubresourceRules(_ object: inout JSONValue, old: JSONValue, subresource: String?) {
        guard old["status"] != nil || object["status"] != nil, old["kind"]?.stringValue == "Deployment" else { return }
        if subresource == "status" {
            var kept = old
            kept["status"] = object["status"]
            kept.setValue(object.value(at: ["metadata", "resourceVersion"]), at: ["metadata", "resourceVersion"])
            object = kept
        } else {
            object["status"] = old["status"]
        }
    }

    static func comparable(_ object: JSONValue) -> JSONValue {
        var o = object
        o.setValue(nil, at: ["metadata", "resourceVersion"])
        o.setValue(nil, at: ["metadata", "managedFields"])
        return o
    }

    func record(_ s: inout State, _ event: WatchEvent) {
        s.history.append(event)
        if s.history.count > historyLimit {
            let dropped = s.history.count - historyLimit
            s.evictedThrough = s.history[dropped - 1].resourceVersion
            s.history.removeFirst(dropped)
        }
        for watcher in s.watchers.values where watcher.type == event.key.type {
            if let ns = watcher.namespace, ns != event.key.namespace { continue }
            if watcher.matches(event.object) { watcher.continuation.yield(event) }
        }
    }
}
