import Foundation
import Yams

extension JSONValue {
    /// Parses every document of a (multi-document) YAML stream; JSON is YAML, so this reads both.
    public static func parseYAMLDocuments(_ text: String) throws -> [JSONValue] {
        var documents: [JSONValue] = []
        for node in try Yams.compose_all(yaml: text) {
            let value = JSONValue(yamlNode: node)
            if !value.isNull { documents.append(value) }
        }
        return documents
    }

    /// Parses a single YAML (or JSON) document.
    public static func parseYAML(_ text: String) throws -> JSONValue {
        guard let node = try Yams.compose(yaml: text) else { return .null }
        return JSONValue(yamlNode: node)
    }

    init(yamlNode node: Node) {
        switch node {
        case .scalar(let scalar):
            self = Self.fromScalar(scalar, tag: node.tag)
        case .sequence(let sequence):
            self = .array(sequence.map { JSONValue(yamlNode: $0) })
        case .mapping(let mapping):
            var fields: [String: JSONValue] = [:]
            for (key, value) in mapping {
                fields[key.string ?? ""] = JSONValue(yamlNode: value)
            }
            self = .object(fields)
        case .alias:
            self = .null
        }
    }

    private static func fromScalar(_ scalar: Node.Scalar, tag: Tag) -> JSONValue {
        // A quoted scalar is always a string; a plain one is typed by the YAML core schema.
        if scalar.style != .plain { return .string(scalar.string) }
        switch Tag.Name(rawValue: tag.rawValue) {
        case .null: return .null
        case .bool: return Bool.construct(from: scalar).map(JSONValue.bool) ?? .string(scalar.string)
        case .int: return Int64(scalar.string).map(JSONValue.int) ?? Int.construct(from: scalar).map { .int(Int64($0)) } ?? .string(scalar.string)
        case .float: return Double.construct(from: scalar).map(JSONValue.double) ?? .string(scalar.string)
        default: return .string(scalar.string)
        }
    }
}
