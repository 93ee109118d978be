import Foundation
import LockstepCore
import Yams

/// Reads and validates the daemon's YAML configuration, reporting every problem at once as
/// `file:line:column` with a hint, exactly like policy files.
public enum DaemonConfigLoader {
    public static func load(file: String) -> (config: DaemonConfiguration?, problems: [PolicyProblem]) {
        guard let bytes = FileManager.default.contents(atPath: file) else {
            return (nil, [PolicyProblem(file: file, line: 0, column: 0, message: "cannot read the configuration file", hint: "pass an existing, readable YAML file: lockstep serve --config FILE")])
        }
        let text: String
        switch PolicyText.decode(Array(bytes), file: file) {
        case .text(let t): text = t
        case .notUTF8(let problem): return (nil, [problem])
        }
        let base = (file as NSString).deletingLastPathComponent
        return parse(text, file: file, relativeTo: base.isEmpty ? FileManager.default.currentDirectoryPath : base)
    }

    public static func parse(_ text: String, file: String, relativeTo base: String) -> (config: DaemonConfiguration?, problems: [PolicyProblem]) {
        let reader = YAMLReader(file: file)
        if let control = PolicyText.firstControlCharacter(in: text, file: file) { return (nil, [control]) }
        do {
            guard let root = try Yams.compose(yaml: text) else {
                return (nil, [PolicyProblem(file: file, line: 1, column: 1, message: "the configuration is empty", hint: "see docs/daemon.md for an example")])
            }
            let config = DaemonConfigParser(r: reader, file: file, base: base).parse(root)
            return (reader.problems.isEmpty ? config : nil, reader.problems)
        } catch {
            return (nil, reader.problems + [YAMLReader.syntaxProblem(error, text: text, file: file)])
        }
    }
}
