/// A failure inside the crypto layer. It names the operation that failed and never carries
/// key bytes, plaintext or anything derived from them.
public struct CryptoError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        /// libsodium could not be initialised.
        case initialisation
        /// Secure memory could not be allocated or protected.
        case memory
        /// A ciphertext, tag or associated data did not authenticate.
        case authenticationFailed
        /// An input had the wrong length or shape (named in `operation`).
        case invalidInput
        /// Key derivation failed (usually: not enough memory for the requested limits).
        case keyDerivation
        /// A libsodium primitive returned an error code.
        case primitiveFailed
    }

    public let code: Code
    /// The libsodium function or the API operation that failed, e.g. `crypto_pwhash`.
    public let operation: String

    public init(_ code: Code, operation: String) {
        self.code = code
        self.operation = operation
    }

    public var description: String {
        switch code {
        case .initialisation: "libsodium could not be initialised (\(operation))"
        case .memory: "secure memory operation failed (\(operation))"
        case .authenticationFailed: "authentication failed: the data was altered, or the key or context is wrong (\(operation))"
        case .invalidInput: "invalid input to \(operation)"
        case .keyDerivation: "key derivation failed (\(operation)); not enough memory for the stored limits?"
        case .primitiveFailed: "\(operation) failed"
        }
    }
}
