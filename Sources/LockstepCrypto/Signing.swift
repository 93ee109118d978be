import CSodium

/// An Ed25519 key pair (RFC 8032). The 64-byte secret key (seed || public key) lives in
/// `SecretBytes`; the public key is public.
public struct SigningKeyPair: Sendable {
    public static let seedLength = Int(crypto_sign_SEEDBYTES)
    public static let secretKeyLength = Int(crypto_sign_SECRETKEYBYTES)
    public static let publicKeyLength = Int(crypto_sign_PUBLICKEYBYTES)
    public static let signatureLength = Int(crypto_sign_BYTES)

    public let secretKey: SecretBytes
    public let publicKey: [UInt8]

    /// A new random key pair.
    public static func generate() throws -> SigningKeyPair {
        let seed = try wrap("randombytes_buf") { try SecretBytes.random(count: seedLength) }
        return try SigningKeyPair(seed: seed)
    }

    /// The key pair for a 32-byte seed (RFC 8032's "secret key").
    public init(seed: SecretBytes) throws {
        try ensureSodium()
        guard seed.count == Self.seedLength else { throw CryptoError(.invalidInput, operation: "Ed25519 seed length") }
        var pk = [UInt8](repeating: 0, count: Self.publicKeyLength)
        let sk = try wrap("crypto_sign_seed_keypair") {
            try SecretBytes(count: Self.secretKeyLength) { out throws in
                let rc = seed.withUnsafeBytes { s in
                    crypto_sign_seed_keypair(&pk, out.baseAddress!.assumingMemoryBound(to: UInt8.self), s.baseAddress!.assumingMemoryBound(to: UInt8.self))
                }
                guard rc == 0 else { throw CryptoError(.primitiveFailed, operation: "crypto_sign_seed_keypair") }
            }
        }
        self.secretKey = sk
        self.publicKey = pk
    }

    /// Rebuilds a key pair from a stored 64-byte secret key (whose second half is the public key).
    public init(secretKey: SecretBytes) throws {
        try ensureSodium()
        guard secretKey.count == Self.secretKeyLength else { throw CryptoError(.invalidInput, operation: "Ed25519 secret key length") }
        var pk = [UInt8](repeating: 0, count: Self.publicKeyLength)
        let rc = secretKey.withUnsafeBytes { s in
            crypto_sign_ed25519_sk_to_pk(&pk, s.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        guard rc == 0 else { throw CryptoError(.primitiveFailed, operation: "crypto_sign_ed25519_sk_to_pk") }
        self.secretKey = secretKey
        self.publicKey = pk
    }

    /// A detached signature over `message`.
    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        var sig = [UInt8](repeating: 0, count: Self.signatureLength)
        let rc = secretKey.withUnsafeBytes { s in
            crypto_sign_detached(&sig, nil, message, UInt64(message.count), s.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        guard rc == 0 else { throw CryptoError(.primitiveFailed, operation: "crypto_sign_detached") }
        return sig
    }

    /// Whether `signature` is a valid Ed25519 signature of `message` under `publicKey`.
    public static func verify(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard (try? ensureSodium()) != nil,
              signature.count == signatureLength, publicKey.count == publicKeyLength else { return false }
        return crypto_sign_verify_detached(signature, message, UInt64(message.count), publicKey) == 0
    }
}

/// Runs `body`, mapping any non-crypto error to a `CryptoError` naming `operation`.
func wrap<T>(_ operation: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as CryptoError { throw e } catch { throw CryptoError(.primitiveFailed, operation: operation) }
}
