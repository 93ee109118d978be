import LockstepCrypto

/// Checks a new or imported secret value without ever putting it into an error.
/// LiteLLM refuses to start with an empty, whitespace-only or `sk-1234` master key, and a
/// trailing newline lets it start and then refuses every request (DESIGN.md §7).
public enum ValueRules {
    public static func validate(_ value: SecretBytes) throws(CoreError) {
        let problem: String? = value.withUnsafeBytes { bytes in
            if bytes.isEmpty { return "it is empty" }
            func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 10 || b == 13 || b == 11 || b == 12 }
            if isSpace(bytes.first!) || isSpace(bytes.last!) { return "it starts or ends with whitespace or a newline" }
            if bytes.contains(where: { $0 == 10 || $0 == 13 || $0 == 0 }) { return "it contains a newline or NUL byte" }
            if bytes.elementsEqual("sk-1234".utf8) { return "it is LiteLLM's documented example key sk-1234" }
            return nil
        }
        if let problem { throw CoreError.invalidValue(reason: problem) }
    }
}
