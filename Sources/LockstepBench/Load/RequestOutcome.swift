import AsyncHTTPClient
import Foundation
import NIOCore

/// What one request got: an HTTP status (2xx is success) or no HTTP answer at all.
public enum RequestOutcome: Sendable, Equatable {
    /// An HTTP answer; `errorType` is the gateway's `error.type` when the body has one.
    case http(status: Int, errorType: String?)
    /// No answer before the deadline.
    case timeout
    /// No HTTP answer: refused, reset or closed before the response.
    case connect

    /// Whether it counts as a success (2xx).
    public var isSuccess: Bool {
        if case .http(let status, _) = self { return (200..<300).contains(status) }
        return false
    }

    /// The report's status field: `"400"`, `"timeout"` or `"connect"`.
    public var statusLabel: String {
        switch self {
        case .http(let status, _): String(status)
        case .timeout: "timeout"
        case .connect: "connect"
        }
    }

    /// The gateway's error type, if any.
    public var errorType: String? {
        if case .http(_, let type) = self { return type }
        return nil
    }

    /// `error.type` of an OpenAI/LiteLLM error body (`{"error":{"type":"auth_error",...}}`);
    /// nil when the body is not JSON or has none. Nothing else of the body is kept.
    public static func errorType(ofBody body: [UInt8]) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let error = object["error"] as? [String: Any] else { return nil }
        if let type = error["type"] as? String, !type.isEmpty, type != "None" { return type }
        return nil
    }

    /// What a request that got no HTTP answer met, for the report: a fixed phrase or an error's
    /// type and errno, never its description (which can hold a URL).
    public static func connectionCause(_ error: any Error) -> String {
        switch error {
        case let e as HTTPClientError where e == .remoteConnectionClosed: return "closed by peer"
        case let e as HTTPClientError where e == .connectTimeout: return "connect timeout"
        case let e as HTTPClientError where e == .cancelled: return "cancelled"
        case let e as IOError:
            switch e.errnoCode {
            case ECONNREFUSED: return "refused"
            case ECONNRESET: return "reset by peer"
            case EPIPE: return "broken pipe"
            default: return "errno \(e.errnoCode)"
            }
        case let e as ChannelError where e == .ioOnClosedChannel || e == .eof || e == .outputClosed || e == .inputClosed: return "closed by peer"
        default: return String(describing: type(of: error))
        }
    }
}
