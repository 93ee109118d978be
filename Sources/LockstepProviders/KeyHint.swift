import LockstepCrypto

/// A provider's hint of a key's value, `HEAD...TAIL` (its first and last characters: Anthropic's
/// `partial_key_hint`, OpenAI's `redacted_value`), the only thing of a value their admin APIs show.
enum KeyHint {
    /// Whether `value` starts with the hint's head and ends with its tail, compared in constant
    /// time; a hint without both parts, or longer than the value, fits nothing.
    static func fits(_ hint: String, _ value: SecretBytes) -> Bool {
        let parts = hint.components(separatedBy: "...")
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return false }
        let head = Array(parts[0].utf8), tail = Array(parts[1].utf8)
        return value.withUnsafeBytes { bytes in
            guard bytes.count >= head.count + tail.count else { return false }
            var diff: UInt8 = 0
            for (i, b) in head.enumerated() { diff |= bytes[i] ^ b }
            for (i, b) in tail.enumerated() { diff |= bytes[bytes.count - tail.count + i] ^ b }
            return diff == 0
        }
    }
}
