/// A failure talking to the LiteLLM gateway. Messages quote the gateway's error type and a
/// scrubbed message, never a key.
public struct GatewayError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// No answer (connection refused, timeout).
        case unreachable
        /// The endpoint needs LiteLLM's database (virtual keys), which this gateway has not.
        case databaseRequired
        /// LiteLLM refused a custom virtual key's format (must start with `sk-`, ≥ 16 characters).
        case invalidKeyFormat
        /// The caller's key may not do this (wrong master key, or custom keys disabled).
        case forbidden
        /// Any other status.
        case unexpected
    }

    public let code: Code
    public let status: Int?
    public let errorType: String?
    public let message: String

    public var description: String {
        "gateway: \(message)" + (status.map { " (HTTP \($0)\(errorType.map { ", \($0)" } ?? ""))" } ?? "")
    }
}

/// What the gateway says about a key.
public enum KeyVerdict: Sendable, Equatable {
    /// The gateway authenticated the key.
    case accepted
    /// The gateway's auth refused it: 401 (any type) or 400 `no_db_connection` (a non-master
    /// key on a gateway without a database).
    case refused(status: Int, errorType: String?)
    /// Neither: an answer that is not about authentication (a provider or gateway failure).
    case inconclusive(status: Int, errorType: String?)
}

/// `GET /health?model=` figures. The counts tell (the status is 200, or 503 when no endpoint is healthy).
public struct ModelHealth: Sendable, Equatable {
    public let model: String
    public let healthyCount: Int
    public let unhealthyCount: Int
    public var isHealthy: Bool { healthyCount > 0 && unhealthyCount == 0 }
}
