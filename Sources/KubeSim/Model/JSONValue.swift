import Foundation

/// A JSON document as KubeSim stores it: every API object is kept in this untyped form so that
/// fields KubeSim does not model survive a round trip, as they do on a real apiserver.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public subscript(key: String) -> JSONValue? {
        get {
            if case .object(let fields) = self { return fields[key] }
            return nil
        }
        set {
            guard case .object(var fields) = self else { return }
            fields[key] = newValue
            self = .object(fields)
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var intValue: Int? {
        switch self {
        case .int(let i): return Int(i)
        case .double(let d) where d == d.rounded(): return Int(d)
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The value at a path of object keys, or nil when any step is missing.
    public func value(at path: [String]) -> JSONValue? {
        var current: JSONValue? = self
        for key in path { current = current?[key] }
        return current
    }

    /// Sets (or with nil removes) the value at a path of object keys, creating objects on the way.
    public mutating func setValue(_ newValue: JSONValue?, at path: [String]) {
        guard let first = path.first else {
            self = newValue ?? .null
            return
        }
        guard case .object(var fields) = self else {
            if newValue == nil { return }
            self = .object([:])
            setValue(newValue, at: path)
            return
        }
        if path.count == 1 {
            fields[first] = newValue
        } else {
            var child = fields[first] ?? .object([:])
            if case .object = child {} else { child = .object([:]) }
            child.setValue(newValue, at: Array(path.dropFirst()))
            fields[first] = child
        }
        self = .object(fields)
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}
