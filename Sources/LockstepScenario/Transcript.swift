import Foundation
import LockstepCrypto

/// Everything the demo shows, kept so that it can be searched for keys afterwards, and passed
/// on to `echo` (the terminal) as it comes.
public final class Transcript: @unchecked Sendable {
    private var text = ""
    private let lock = NSLock()
    private let echo: @Sendable (String) -> Void

    public init(echo: @escaping @Sendable (String) -> Void) { self.echo = echo }

    /// Adds `line` (a newline is appended) and echoes it.
    public func say(_ line: String) {
        lock.lock()
        text += line + "\n"
        lock.unlock()
        echo(line + "\n")
    }

    public var all: String {
        lock.lock()
        defer { lock.unlock() }
        return text
    }

    /// Whether any of `keys` appears in what was shown (compared inside guarded memory).
    public func contains(anyOf keys: [SecretBytes]) -> Bool {
        let bytes = Array(all.utf8)
        return bytes.withUnsafeBytes { buffer in keys.contains { $0.occurs(in: buffer) } }
    }
}
