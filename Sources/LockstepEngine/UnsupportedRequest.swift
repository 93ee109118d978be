/// A request the policy's strategy cannot carry out (`revoke --immediate` with blue-green),
/// refused before anything is journaled or changed: a usage error (exit 64).
public struct UnsupportedRequest: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
