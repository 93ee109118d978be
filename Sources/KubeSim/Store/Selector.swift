import Foundation

/// Label and field selectors as list and watch accept them.
public struct Selector: Sendable {
    enum Requirement: Sendable {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case notExists(String)
    }

    let labels: [Requirement]
    let fields: [Requirement]

    public static let everything = Selector(labels: [], fields: [])

    init(labels: [Requirement], fields: [Requirement]) {
        self.labels = labels
        self.fields = fields
    }

    public init(labelSelector: String?, fieldSelector: String?) throws {
        labels = try Self.parse(labelSelector ?? "", allowSets: true)
        fields = try Self.parse(fieldSelector ?? "", allowSets: false)
        for requirement in fields {
            let key = Self.key(of: requirement)
            guard Self.supportedFields.contains(key) else {
                throw APIError.badRequest("field label not supported: \(key)")
            }
        }
    }

    /// Field labels the apiserver supports for the kinds KubeSim serves (`type` for Secrets, the
    /// `involvedObject.*`, `reason`, `source` and `type` fields for Events, as `kubectl describe` uses).
    static let supportedFields: Set<String> = [
        "metadata.name", "metadata.namespace", "type", "reason", "source",
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
        "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
    ]

    public func matches(_ object: JSONValue) -> Bool {
        let objectLabels = object.value(at: ["metadata", "labels"])?.objectValue ?? [:]
        let labelsMatch = labels.allSatisfy { Self.check($0) { objectLabels[$0]?.stringValue } }
        return labelsMatch && fields.allSatisfy { Self.check($0) { path in
            object.value(at: path.split(separator: ".").map(String.init))?.stringValue
        } }
    }

    private static func key(of requirement: Requirement) -> String {
        switch requirement {
        case .equals(let k, _), .notEquals(let k, _), .isIn(let k, _), .notIn(let k, _), .exists(let k), .notExists(let k): k
        }
    }

    private static func check(_ requirement: Requirement, _ lookup: (String) -> String?) -> Bool {
        switch requirement {
        case .equals(let k, let v): lookup(k) == v
        case .notEquals(let k, let v): lookup(k) != v
        case .isIn(let k, let vs): lookup(k).map(vs.contains) ?? false
        case .notIn(let k, let vs): !(lookup(k).map(vs.contains) ?? false)
        case .exists(let k): lookup(k) != nil
        case .notExists(let k): lookup(k) == nil
        }
    }

    private static func parse(_ text: String, allowSets: Bool) throws -> [Requirement] {
        var requirements: [Requirement] = []
        for term in splitTerms(text) {
            let t = term.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { continue }
            if allowSets, let r = try parseSetTerm(t) {
                requirements.append(r)
            } else if let range = t.range(of: "!=") {
                requirements.append(.notEquals(trim(t[..<range.lowerBound]), trim(t[range.upperBound...])))
            } else if let range = t.range(of: "==") ?? t.range(of: "=") {
                requirements.append(.equals(trim(t[..<range.lowerBound]), trim(t[range.upperBound...])))
            } else if allowSets, t.hasPrefix("!") {
                requirements.append(.notExists(trim(t.dropFirst())))
            } else if allowSets {
                requirements.append(.exists(t))
            } else {
                throw APIError.badRequest("invalid selector: '\(text)'; can't understand '\(t)'")
            }
        }
        return requirements
    }

    private static func parseSetTerm(_ t: String) throws -> Requirement? {
        for (op, negated) in [(" notin ", true), (" in ", false)] {
            guard let range = t.range(of: op) else { continue }
            let key = trim(t[..<range.lowerBound])
            let list = trim(t[range.upperBound...]).trimmingCharacters(in: CharacterSet(charactersIn: "()"))
            let values = Set(list.split(separator: ",").map { trim($0) })
            return negated ? .notIn(key, values) : .isIn(key, values)
        }
        return nil
    }

    private static func splitTerms(_ text: String) -> [String] {
        var terms: [String] = []
        var current = ""
        var depth = 0
        for ch in text {
            if ch == "(" { depth += 1 } else if ch == ")" { depth -= 1 }
            if ch == "," && depth == 0 {
                terms.append(current)
                current = ""
            } else { current.append(ch) }
        }
        terms.append(current)
        return terms
    }

    private static func trim<S: StringProtocol>(_ s: S) -> String { s.trimmingCharacters(in: .whitespaces) }
}
