/// Errors from the pure domain: invalid names, values and state transitions.
public enum CoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidName(String, reason: String)
    case invalidValue(reason: String)

    public var description: String {
        switch self {
        case let .invalidName(name, reason): "invalid credential name \"\(name)\": \(reason)"
        case let .invalidValue(reason): "invalid secret value: \(reason)"
        }
    }
}
