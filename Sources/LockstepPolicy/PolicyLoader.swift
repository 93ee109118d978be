import Foundation
import LockstepCore
import Yams

/// Loads every policy from a folder of YAML files (`*.yaml`, `*.yml`; several documents per
/// file allowed) and reports every problem in every file, including a credential defined twice.
public enum PolicyLoader {
    public struct Result: Sendable {
        public var policies: [RotationPolicy]
        public var problems: [PolicyProblem]
        public var files: [String]
    }

    public static func load(directory: String) -> Result {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            return Result(policies: [], problems: [PolicyProblem(file: directory, line: 0, column: 0, message: "no such folder", hint: "pass the folder that holds the policy files (default: policies)")], files: [])
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        var result = Result(policies: [], problems: [], files: [])
        var firstDefinition: [CredentialName: String] = [:]
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            result.files.append(path)
            guard let bytes = FileManager.default.contents(atPath: path) else {
                result.problems.append(PolicyProblem(file: path, line: 0, column: 0, message: "cannot read the file", hint: "check its permissions"))
                continue
            }
            let parsed = parse(bytes: Array(bytes), file: path)
            result.problems += parsed.problems
            for (policy, line, column) in parsed.policies {
                if let first = firstDefinition[policy.credential] {
                    result.problems.append(PolicyProblem(file: path, line: line, column: column,
                                                         message: "credential \(policy.credential) is defined twice (first in \(first))",
                                                         hint: "one credential, one policy: merge them or rename one"))
                    continue
                }
                firstDefinition[policy.credential] = "\(path):\(line)"
                result.policies.append(policy)
            }
        }
        if names.isEmpty {
            result.problems.append(PolicyProblem(file: directory, line: 0, column: 0, message: "no policy files (*.yaml) in this folder", hint: "see docs/policies.md and the examples in policies/"))
        }
        return result
    }

    /// Parses every document of one file as read from disk: UTF-8 is checked first, and a byte
    /// that is not UTF-8 is a problem at its line and column.
    public static func parse(bytes: [UInt8], file: String) -> (policies: [(RotationPolicy, line: Int, column: Int)], problems: [PolicyProblem]) {
        switch PolicyText.decode(bytes, file: file) {
        case .text(let text): parse(text, file: file)
        case .notUTF8(let problem): ([], [problem])
        }
    }

    /// Parses every document of one file.
    public static func parse(_ text: String, file: String) -> (policies: [(RotationPolicy, line: Int, column: Int)], problems: [PolicyProblem]) {
        let reader = YAMLReader(file: file)
        var policies: [(RotationPolicy, line: Int, column: Int)] = []
        if let control = PolicyText.firstControlCharacter(in: text, file: file) { return ([], [control]) }
        do {
            // compose_all is lazy: a syntax error ends the sequence and is kept in `error`.
            var documents = try Yams.compose_all(yaml: text)
            while let root = documents.next() {
                if let policy = PolicyParser(r: reader).parse(root) {
                    policies.append((policy, line: root.mark?.line ?? 1, column: root.mark?.column ?? 1))
                }
            }
            if let error = documents.error { throw error }
        } catch {
            return (policies, reader.problems + [YAMLReader.syntaxProblem(error, text: text, file: file)])
        }
        return (policies, reader.problems)
    }
}
