/// An operator-facing error of the bench tools: what went wrong, then what to do.
/// Messages name files, flags and variables, never key values.
public struct BenchError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public let message: String
    /// What to do about it.
    public let hint: String?

    /// An error with an optional hint.
    public init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }

    public var description: String { hint.map { "\(message)\nhint: \($0)" } ?? message }
}
