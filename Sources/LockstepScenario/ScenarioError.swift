import Foundation

/// A scenario step that could not be carried out; the message names what, never a secret.
public struct ScenarioError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
