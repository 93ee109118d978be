import Yams

/// Walks a YAML node tree for one policy, reading typed fields and collecting every problem
/// (not just the first) with its position. Unknown fields are problems, with a did-you-mean.
final class YAMLReader {
    let file: String
    private(set) var problems: [PolicyProblem] = []

    init(file: String) { self.file = file }

    /// A Yams parse error as a located problem. Never the error's own description: Yams puts
    /// the whole document into some of them (a duplicate key's context is the file).
    static func syntaxProblem(_ error: any Error, text: String, file: String) -> PolicyProblem {
        switch error {
        case let YamlError.scanner(_, problem, mark, _), let YamlError.parser(_, problem, mark, _), let YamlError.composer(_, problem, mark, _):
            return PolicyProblem(file: file, line: mark.line, column: mark.column, message: "YAML syntax: \(problem)", hint: "check indentation and quoting around this place")
        case let YamlError.duplicatedKeysInMapping(duplicates, context):
            let key = duplicates.first ?? ""
            let second = PolicyText.nextKey(key, after: context.mark, in: text)
            return PolicyProblem(file: file, line: second.line, column: second.column,
                                 message: "field \"\(key)\" appears twice in one mapping (first at \(context.mark.line):\(context.mark.column))",
                                 hint: "keep one of them; YAML tools disagree on which one counts")
        case let YamlError.reader(problem, offset, _, _):
            let at = offset.map { PolicyText.location(ofCharacter: $0, in: text) } ?? (line: 1, column: 1)
            return PolicyProblem(file: file, line: at.line, column: at.column, message: "YAML: \(problem)")
        default:
            return PolicyProblem(file: file, line: 1, column: 1, message: "YAML: the file cannot be read as YAML", hint: "check it with a YAML linter")
        }
    }

    func problem(_ node: Node?, _ message: String, hint: String? = nil) {
        let mark = node?.mark
        problems.append(PolicyProblem(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, message: message, hint: hint))
    }

    /// The members of a mapping, checking for unknown and duplicate keys. `path` names the
    /// mapping in messages (e.g. `spec.schedule`).
    func object(_ node: Node?, path: String, known: [String]) -> Object? {
        guard let node else { return nil }
        guard let mapping = node.mapping else {
            problem(node, "\(path) must be a mapping (key: value lines)")
            return nil
        }
        var members: [String: (key: Node, value: Node)] = [:]
        for (k, v) in mapping {
            guard let key = k.string else { problem(k, "a key in \(path) is not a string"); continue }
            if members[key] != nil {
                problem(k, "field \"\(key)\" appears twice in \(path)", hint: "keep one of them")
                continue
            }
            if !known.contains(key) {
                let hint = suggestion(for: key, among: known).map { "did you mean \"\($0)\"?" } ?? "known fields here: \(known.joined(separator: ", "))"
                problem(k, "unknown field \"\(key)\" in \(path)", hint: hint)
                continue
            }
            members[key] = (k, v)
        }
        return Object(reader: self, node: node, path: path, members: members)
    }

    struct Object {
        let reader: YAMLReader
        let node: Node
        let path: String
        let members: [String: (key: Node, value: Node)]

        func node(_ key: String) -> Node? { members[key]?.value }

        func required(_ key: String, hint: String? = nil) -> Node? {
            if let v = members[key]?.value { return v }
            reader.problem(node, "\(path) is missing the required field \"\(key)\"", hint: hint)
            return nil
        }

        func string(_ key: String, required: Bool = false, hint: String? = nil) -> String? {
            guard let v = required ? self.required(key, hint: hint) : node(key) else { return nil }
            guard let s = v.scalar?.string, !s.isEmpty else {
                reader.problem(v, "\(path).\(key) must be a non-empty string", hint: hint)
                return nil
            }
            return s
        }

        func bool(_ key: String, default value: Bool) -> Bool {
            guard let v = node(key) else { return value }
            switch v.scalar?.string.lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default:
                reader.problem(v, "\(path).\(key) must be true or false")
                return value
            }
        }

        func int(_ key: String, in range: ClosedRange<Int>) -> Int? {
            guard let v = node(key) else { return nil }
            guard let s = v.scalar?.string, let n = Int(s), range.contains(n) else {
                reader.problem(v, "\(path).\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
                return nil
            }
            return n
        }

        func sequence(_ key: String) -> [Node]? {
            guard let v = node(key) else { return nil }
            guard let seq = v.sequence else {
                reader.problem(v, "\(path).\(key) must be a list")
                return nil
            }
            return Array(seq)
        }
    }
}
