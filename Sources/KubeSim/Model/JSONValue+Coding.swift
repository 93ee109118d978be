import Foundation

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? container.decode(Int64.self) {
            self = .int(i)
        } else if let d = try? container.decode(Double.self) {
            self = .double(d)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else if let a = try? container.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let b): try container.encode(b)
        case .int(let i): try container.encode(i)
        case .double(let d): try container.encode(d)
        case .string(let s): try container.encode(s)
        case .array(let a): try container.encode(a)
        case .object(let o): try container.encode(o)
        }
    }

    /// Parses a JSON document.
    public static func parse(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    public static func parse(_ text: String) throws -> JSONValue {
        try parse(Data(text.utf8))
    }

    /// Compact JSON in a deterministic key order, so that equal documents serialise to equal bytes:
    /// API objects start with kind, apiVersion, metadata and end with status; `Status` bodies use the
    /// apiserver's exact field order; everything else is sorted.
    public var jsonString: String {
        var out = ""
        write(to: &out)
        return out
    }

    public var jsonData: Data { Data(jsonString.utf8) }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            if d.isFinite {
                out += d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
            } else {
                out += "null"
            }
        case .string(let s): Self.writeString(s, to: &out)
        case .array(let a):
            out += "["
            for (i, element) in a.enumerated() {
                if i > 0 { out += "," }
                element.write(to: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            for (i, key) in Self.orderedKeys(o).enumerated() {
                if i > 0 { out += "," }
                Self.writeString(key, to: &out)
                out += ":"
                o[key]!.write(to: &out)
            }
            out += "}"
        }
    }

    private static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    private static let statusOrder = ["kind", "apiVersion", "metadata", "status", "message", "reason", "details", "code"]
    private static let detailsOrder = ["name", "group", "kind", "uid", "causes", "retryAfterSeconds"]

    static func orderedKeys(_ o: [String: JSONValue]) -> [String] {
        func ordered(first: [String], last: [String] = []) -> [String] {
            let head = first.filter { o[$0] != nil }
            let tail = last.filter { o[$0] != nil && !first.contains($0) }
            return head + o.keys.filter { !head.contains($0) && !tail.contains($0) }.sorted() + tail
        }
        if o["apiVersion"] != nil, o["kind"]?.stringValue == "Status" { return ordered(first: statusOrder) }
        if o["apiVersion"] != nil, o["kind"] != nil { return ordered(first: ["kind", "apiVersion", "metadata"], last: ["status"]) }
        if o["kind"] != nil, o["apiVersion"] == nil, o.keys.allSatisfy(detailsOrder.contains) { return ordered(first: detailsOrder) }
        return o.keys.sorted()
    }
}
