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
