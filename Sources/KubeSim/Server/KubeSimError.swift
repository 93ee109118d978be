/// Errors starting or configuring KubeSim (API answers use ``APIError``).
public enum KubeSimError: Error, CustomStringConvertible, Sendable {
    case invalidConfiguration(String)
    case startFailed(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let m): "invalid configuration: \(m)"
        case .startFailed(let m): "could not start: \(m)"
        }
    }
}
