/// Strategic merge patch as the apiserver applies it to built-in types: like a merge patch, except
/// that lists with a patch merge key (containers, env, volumes, ... by `name`) merge element-wise.
///
/// Supported directives: `$patch: replace|delete` in maps and list elements, `$retainKeys`
/// (ignored: keys are kept), `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>`.
enum StrategicMergePatch {
    /// List field name → merge key, from the `patchMergeKey` tags of k8s.io/api core and apps types.
    static let mergeKeys: [String: String] = [
        "containers": "name", "initContainers": "name", "ephemeralContainers": "name",
        "env": "name", "volumes": "name", "imagePullSecrets": "name",
        "volumeMounts": "mountPath", "volumeDevices": "devicePath",
        "ports": "containerPort", "conditions": "type", "hostAliases": "ip",
        "topologySpreadConstraints": "topologyKey", "ownerReferences": "uid",
    ]

    static func apply(_ patch: JSONValue, to target: JSONValue?) -> JSONValue {
        guard case .object(var patchFields) = patch else { return patch }
        if patchFields["$patch"]?.stringValue == "replace" {
            patchFields["$patch"] = nil
            return .object(patchFields.filter { !$0.key.hasPrefix("$") })
        }
        if patchFields["$patch"]?.stringValue == "delete" { return .null }
        var result = target?.objectValue ?? [:]
        for (key, value) in patchFields {
            if key == "$retainKeys" || key == "$patch" || key.hasPrefix("$setElementOrder/") { continue }
            if key.hasPrefix("$deleteFromPrimitiveList/") {
                let field = String(key.dropFirst("$deleteFromPrimitiveList/".count))
                let removed = value.arrayValue ?? []
                if case .array(let items)? = result[field] { result[field] = .array(items.filter { !removed.contains($0) }) }
                continue
            }
            if value.isNull {
                result[key] = nil
            } else if case .array(let patchItems) = value, let mergeKey = mergeKeys[key],
                      case .array(let liveItems) = result[key] ?? .array([]) {
                result[key] = .array(mergeList(liveItems, patchItems, mergeKey: mergeKey))
            } else if case .object = value {
                let merged = apply(value, to: result[key])
                result[key] = merged.isNull ? nil : merged
            } else {
                result[key] = value
            }
        }
        return .object(result)
    }

    private static func mergeList(_ live: [JSONValue], _ patch: [JSONValue], mergeKey: String) -> [JSONValue] {
        if patch.contains(where: { $0["$patch"]?.stringValue == "replace" }) {
            return patch.filter { $0["$patch"] == nil }
        }
        var result = live
        for item in patch {
            guard let keyValue = item[mergeKey] else {
                result.append(item)
                continue
            }
            let index = result.firstIndex { $0[mergeKey] == keyValue }
            if item["$patch"]?.stringValue == "delete" {
                if let index { result.remove(at: index) }
            } else if let index {
                result[index] = apply(item, to: result[index])
            } else {
                result.append(apply(item, to: nil))
            }
        }
        return result
    }
}
