/// RFC 7386 JSON merge patch: objects merge recursively, `null` deletes, everything else replaces.
enum MergePatch {
    static func apply(_ patch: JSONValue, to target: JSONValue?) -> JSONValue {
        guard case .object(let patchFields) = patch else { return patch }
        var result = target?.objectValue ?? [:]
        for (key, value) in patchFields {
            if value.isNull {
                result[key] = nil
            } else {
                result[key] = apply(value, to: result[key])
            }
        }
        return .object(result)
    }
}
