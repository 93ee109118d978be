import LockstepPolicy

/// `policy check`'s parser on mutated policy files: every problem located inside the file
/// (line 1 or later, not past its end, column 1 or later) and short (never the file dumped
/// into the message); no crash, no hang.
enum PolicyTarget {
    static let tokens = ["apiVersion: lockstep/v1\n", "kind: RotationPolicy\n", "spec:\n", "  schedule: {every: 30d}\n", "  maxAge: 1d\n", "metadata: {name: x}\n",
                         "strategy: key-ring\n", "---\n", "&a ", "*a", "!!binary ", "{", "}", "- ", ": ", "\"\\u0000\"", "\t"].map { Array($0.utf8) }

    static var target: FuzzTarget {
        FuzzTarget(name: "policy", tokens: tokens) { bytes in
            let result = PolicyLoader.parse(bytes: bytes, file: "fuzz.yaml")
            // Lines as YAML counts them: LF, CR LF and a lone CR each end one.
            let lines = bytes.enumerated().filter { i, b in b == 0x0A ? (i == 0 || bytes[i - 1] != 0x0D) : b == 0x0D }.count + 1
            for p in result.problems {
                if p.line < 1 || p.line > lines + 1 || p.column < 1 { return "problem at \(p.line):\(p.column) outside the file (\(lines) lines): \(p.message.prefix(120))" }
                if p.description.utf8.count > 600 { return "problem of \(p.description.utf8.count) bytes: input dumped into the message? \(p.message.prefix(120))" }
            }
            return nil
        }
    }
}
