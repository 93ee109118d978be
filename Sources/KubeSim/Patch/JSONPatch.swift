/// RFC 6902 JSON patch (add, remove, replace, move, copy, test).
enum JSONPatch {
    static func apply(_ patch: JSONValue, to target: JSONValue) throws -> JSONValue {
        guard case .array(let operations) = patch else { throw APIError.badRequest("json patch must be an array of operations") }
        var document = target
        for operation in operations {
            guard let op = operation["op"]?.stringValue, let path = operation["path"]?.stringValue else {
                throw APIError.badRequest("json patch operation needs \"op\" and \"path\"")
            }
            let pointer = try parsePointer(path)
            switch op {
            case "add": document = try set(document, pointer, operation["value"] ?? .null, insert: true)
            case "replace":
                _ = try get(document, pointer)
                document = try set(document, pointer, operation["value"] ?? .null, insert: false)
            case "remove": document = try remove(document, pointer)
            case "move", "copy":
                let from = try parsePointer(operation["from"]?.stringValue ?? "")
                let value = try get(document, from)
                if op == "move" { document = try remove(document, from) }
                document = try set(document, pointer, value, insert: true)
            case "test":
                if try get(document, pointer) != (operation["value"] ?? .null) {
                    throw APIError(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request: testing value \(path) failed")
                }
            default: throw APIError.badRequest("Unexpected kind: \(op)")
            }
        }
        return document
    }

    static func parsePointer(_ path: String) throws -> [String] {
        if path.isEmpty { return [] }
        guard path.hasPrefix("/") else { throw APIError.badRequest("invalid JSON pointer \"\(path)\"") }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    private static func missing(_ pointer: [String]) -> APIError {
        APIError(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request: jsonpatch: path /\(pointer.joined(separator: "/")) does not exist")
    }

    static func get(_ doc: JSONValue, _ pointer: [String]) throws -> JSONValue {
        var current = doc
        for token in pointer {
            switch current {
            case .object(let o):
                guard let next = o[token] else { throw missing(pointer) }
                current = next
            case .array(let a):
                guard let i = Int(token), a.indices.contains(i) else { throw missing(pointer) }
                current = a[i]
            default: throw missing(pointer)
            }
        }
        return current
    }

    private static func set(_ doc: JSONValue, _ pointer: [String], _ value: JSONValue, insert: Bool) throws -> JSONValue {
        guard let token = pointer.first else { return value }
        let rest = Array(pointer.dropFirst())
        switch doc {
        case .object(var o):
            if rest.isEmpty { o[token] = value } else {
                guard let child = o[token] else { throw missing(pointer) }
                o[token] = try set(child, rest, value, insert: insert)
            }
            return .object(o)
        case .array(var a):
            if rest.isEmpty {
                if token == "-" && insert { a.append(value); return .array(a) }
                guard let i = Int(token), i >= 0, i <= a.count, insert || i < a.count else { throw missing(pointer) }
                if insert { a.insert(value, at: i) } else { a[i] = value }
                return .array(a)
            }
            guard let i = Int(token), a.indices.contains(i) else { throw missing(pointer) }
            a[i] = try set(a[i], rest, value, insert: insert)
            return .array(a)
        default: throw missing(pointer)
        }
    }

    private static func remove(_ doc: JSONValue, _ pointer: [String]) throws -> JSONValue {
        guard let token = pointer.first else { throw missing(pointer) }
        let rest = Array(pointer.dropFirst())
        switch doc {
        case .object(var o):
            guard let child = o[token] else { throw missing(pointer) }
            o[token] = rest.isEmpty ? nil : try remove(child, rest)
            return .object(o)
        case .array(var a):
            guard let i = Int(token), a.indices.contains(i) else { throw missing(pointer) }
            if rest.isEmpty { a.remove(at: i) } else { a[i] = try remove(a[i], rest) }
            return .array(a)
        default: throw missing(pointer)
        }
    }
}
