/// managedFields bookkeeping: which field manager set which fields, in the FieldsV1 format.
///
/// Simplification: ownership is recorded per manager from the fields each request carried; fields
/// are never taken away from other managers and apply never reports ownership conflicts.
enum ManagedFields {
    /// The FieldsV1 set of a request body (`f:<key>` for map keys, `k:{...}` for keyed list items).
    static func fieldSet(of value: JSONValue, fieldName: String? = nil) -> JSONValue {
        switch value {
        case .object(let fields):
            var set: [String: JSONValue] = [:]
            for (key, child) in fields where !key.hasPrefix("$") {
                if fieldName == nil && ["apiVersion", "kind"].contains(key) { continue }
                if key == "metadata" && fieldName == nil {
                    var meta = child
                    for k in ["resourceVersion", "uid", "creationTimestamp", "generation", "managedFields", "name", "namespace"] { meta[k] = nil }
                    let sub = fieldSet(of: meta, fieldName: key)
                    if sub != [:] { set["f:metadata"] = sub }
                    continue
                }
                set["f:" + key] = fieldSet(of: child, fieldName: key)
            }
            return .object(set)
        case .array(let items):
            guard let fieldName, let mergeKey = StrategicMergePatch.mergeKeys[fieldName] else { return [:] }
            var set: [String: JSONValue] = [:]
            for item in items {
                guard let keyValue = item[mergeKey] else { continue }
                var element = fieldSet(of: item, fieldName: nil).objectValue ?? [:]
                element["."] = [:]
                set["k:" + JSONValue.object([mergeKey: keyValue]).jsonString] = .object(element)
            }
            return .object(set)
        default:
            return [:]
        }
    }

    /// The FieldsV1 set a JSON patch touches (the object paths of its operations; list indexes dropped).
    static func fieldSet(ofJSONPatch patch: JSONValue) -> JSONValue {
        var set: JSONValue = [:]
        for operation in patch.arrayValue ?? [] {
            guard let path = operation["path"]?.stringValue, let tokens = try? JSONPatch.parsePointer(path) else { continue }
            let fields = tokens.filter { Int($0) == nil && $0 != "-" }.map { "f:" + $0 }
            if !fields.isEmpty && fields != ["f:metadata"] { set.setValue([:], at: fields) }
        }
        return set
    }

    static func record(
        in object: inout JSONValue, manager: String, operation: String, apiVersion: String,
        fields: JSONValue, subresource: String?, time: String
    ) {
        var entries = object.value(at: ["metadata", "managedFields"])?.arrayValue ?? []
        let index = entries.firstIndex {
            $0["manager"]?.stringValue == manager && $0["operation"]?.stringValue == operation
                && $0["subresource"]?.stringValue == subresource
        }
        var entry: JSONValue = [
            "manager": .string(manager), "operation": .string(operation), "apiVersion": .string(apiVersion),
            "time": .string(time), "fieldsType": "FieldsV1",
        ]
        if let subresource { entry["subresource"] = .string(subresource) }
        let previous = index.map { entries[$0]["fieldsV1"] ?? [:] } ?? [:]
        entry["fieldsV1"] = MergePatch.apply(fields, to: previous)
        if let index { entries[index] = entry } else { entries.append(entry) }
        object.setValue(.array(entries), at: ["metadata", "managedFields"])
    }
}
