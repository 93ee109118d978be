import CSodium

/// Parameters of an Argon2id derivation, stored beside its result so that the same key can be
/// derived again later (and limits can be raised for new vaults without breaking old ones).
public struct KDFParameters: Sendable, Equatable, Codable {
    /// Always `argon2id13` for now; stored so that a future algorithm is recognised, not misread.
    public var algorithm: String
    public var salt: [UInt8]
    public var opsLimit: UInt64
    public var memLimit: UInt64

    public init(algorithm: String = "argon2id13", salt: [UInt8], opsLimit: UInt64, memLimit: UInt64) {
        self.algorithm = algorithm
        self.salt = salt
        self.opsLimit = opsLimit
        self.memLimit = memLimit
    }

    /// Fresh parameters with a random salt and libsodium's MODERATE limits (3 passes, 256 MiB):
    /// about a second on these machines, acceptable once per CLI call.
    public static func moderate() throws -> KDFParameters {
        try ensureSodium()
        return KDFParameters(salt: SecureRandom.bytes(Argon2id.saltLength),
                             opsLimit: UInt64(crypto_pwhash_OPSLIMIT_MODERATE),
                             memLimit: UInt64(crypto_pwhash_MEMLIMIT_MODERATE))
    }

    /// Small limits (libsodium's INTERACTIVE: 2 passes, 64 MiB) for tests and demos.
    public static func interactive() throws -> KDFParameters {
        try ensureSodium()
        return KDFParameters(salt: SecureRandom.bytes(Argon2id.saltLength),
                             opsLimit: UInt64(crypto_pwhash_OPSLIMIT_INTERACTIVE),
                             memLimit: UInt64(crypto_pwhash_MEMLIMIT_INTERACTIVE))
    }
}

/// Argon2id key derivation (`crypto_pwhash`, ALG_ARGON2ID13, one lane).
public enum Argon2id {
    public static let saltLength = Int(crypto_pwhash_SALTBYTES)

    /// Derives `length` bytes from `passphrase` with `parameters`.
    public static func deriveKey(passphrase: SecretBytes, parameters: KDFParameters, length: Int = AEAD.keyLength) throws -> SecretBytes {
        try ensureSodium()
        guard parameters.algorithm == "argon2id13" else { throw CryptoError(.invalidInput, operation: "Argon2id algorithm \(parameters.algorithm)") }
        guard parameters.salt.count == saltLength else { throw CryptoError(.invalidInput, operation: "Argon2id salt length") }
        guard parameters.opsLimit >= UInt64(crypto_pwhash_opslimit_min()), parameters.opsLimit <= UInt64(crypto_pwhash_opslimit_max()),
              parameters.memLimit >= UInt64(crypto_pwhash_memlimit_min()), parameters.memLimit <= UInt64(crypto_pwhash_memlimit_max())
        else { throw CryptoError(.invalidInput, operation: "Argon2id limits") }
        do {
            return try SecretBytes(count: length) { out throws in
                let rc = passphrase.withUnsafeBytes { p -> Int32 in
                    // crypto_pwhash wants a non-optional pointer even for an empty passphrase.
                    let empty: CChar = 0
                    return withUnsafePointer(to: empty) { emptyPtr in
                        let pw = p.count > 0 ? p.baseAddress!.assumingMemoryBound(to: CChar.self) : emptyPtr
                        return crypto_pwhash(out.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(length),
                                             pw, UInt64(p.count), parameters.salt,
                                             parameters.opsLimit, Int(parameters.memLimit), crypto_pwhash_ALG_ARGON2ID13)
                    }
                }
                guard rc == 0 else { throw CryptoError(.keyDerivation, operation: "crypto_pwhash") }
            }
        } catch let error as CryptoError {
            throw error
        } catch {
            throw CryptoError(.keyDerivation, operation: "crypto_pwhash")
        }
    }
}

extension KDFParameters {
    /// libsodium's SENSITIVE limits (4 passes, 1 GiB): several seconds; for vaults opened rarely.
    public static func sensitive() throws -> KDFParameters {
        try ensureSodium()
        return KDFParameters(salt: SecureRandom.bytes(Argon2id.saltLength),
                             opsLimit: UInt64(crypto_pwhash_OPSLIMIT_SENSITIVE),
                             memLimit: UInt64(crypto_pwhash_MEMLIMIT_SENSITIVE))
    }
}
