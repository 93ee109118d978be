import LockstepCrypto

/// Checks a new or imported secret value without ever putting it into an error.
/// LiteLLM refuses to start with an empty, whitespace-only or `sk-1234` master key, and a
/// trailing newline lets it start and then refuses every request (DESIGN.md §7).
public enum ValueRules {
    /// The most a Kubernetes Secret holds (1 MiB, all of its keys together): a longer value can
    /// never be delivered, so it is refused before anything is stored or changed.
    public static let maxLength = 1_048_576

    public static func validate(_ value: SecretBytes) throws(CoreError) {
        let problem: String? = value.withUnsafeBytes { bytes in
            if bytes.isEmpty { return "it is empty" }
            if bytes.count > maxLength { return "it is \(bytes.count) bytes, more than the 1 MiB (\(maxLength) bytes) a Kubernetes Secret can hold" }
            if bytes.last == 13 { return "it ends with a carriage return (CR) that is not part of a CR LF newline; Lockstep removes one trailing newline and nothing else" }
            func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 10 || b == 13 || b == 11 || b == 12 }
            if isSpace(bytes.first!) || isSpace(bytes.last!) { return "it starts or ends with whitespace or a newline" }
            if bytes.contains(where: { $0 == 10 || $0 == 13 || $0 == 0 }) { return "it contains a newline or NUL byte" }
            if bytes.elementsEqual("sk-1234".utf8) { return "it is LiteLLM's documented example key sk-1234" }
            return nil
        }
        if let problem { throw CoreError.invalidValue(reason: problem) }
    }
}
