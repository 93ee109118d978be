/// A provider admin API's refusal or failure, classified by what the caller can do about it.
/// The message names the operation, the resource and the provider's error code; never a key,
/// a token or a client secret.
public struct ProviderError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable {
        /// 401: the admin credential itself was refused (wrong, expired, revoked).
        case unauthorized
        /// 403: accepted, but without the right for this operation.
        case forbidden
        /// 404: no such account or resource.
        case notFound
        /// 429 after the retries the policy allows.
        case throttled
        /// 5xx (or no answer) after the retries the policy allows.
        case unavailable
        /// The provider's state does not match the vault's (neither key is the current value).
        case mismatch
        /// Any other answer.
        case unexpected
    }

    public let code: Code
    public let status: Int?
    public let message: String

    public init(_ code: Code, status: Int?, _ message: String) {
        self.code = code
        self.status = status
        self.message = message
    }

    public var description: String { message }
}

extension ProviderError {
    /// The error for an admin API's answer `status` (not a success) to the call `said` names:
    /// what to do about a 401, a 403 or a 404 is the provider's to say; 429 and 5xx come after
    /// the retries the policy allowed.
    static func answer(_ status: Int, _ said: String, unauthorized: String, forbidden: String, notFound: String, throttled: String = "rate limited") -> ProviderError {
        switch status {
        case 401: ProviderError(.unauthorized, status: 401, "\(said): \(unauthorized)")
        case 403: ProviderError(.forbidden, status: 403, "\(said): \(forbidden)")
        case 404: ProviderError(.notFound, status: 404, "\(said): \(notFound)")
        case 429: ProviderError(.throttled, status: 429, "\(said): \(throttled), still after the retries")
        case 500...: ProviderError(.unavailable, status: status, "\(said): still failing after the retries")
        default: ProviderError(.unexpected, status: status, said)
        }
    }
}
