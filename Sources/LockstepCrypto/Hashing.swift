import CSodium

/// BLAKE2b (RFC 7693) through libsodium's `crypto_generichash`.
public enum BLAKE2b {
    public static let minOutputLength = Int(crypto_generichash_BYTES_MIN)
    public static let maxOutputLength = Int(crypto_generichash_BYTES_MAX)
    public static let maxKeyLength = Int(crypto_generichash_KEYBYTES_MAX)

    /// Unkeyed BLAKE2b with `outputLength` bytes (32 = BLAKE2b-256, used for the audit hash chain).
    public static func hash(_ message: [UInt8], outputLength: Int = 32) throws -> [UInt8] {
        try message.withUnsafeBytes { (m: UnsafeRawBufferPointer) throws -> [UInt8] in
            try hash(bytes: m, outputLength: outputLength, key: nil)
        }
    }

    /// BLAKE2b of raw bytes, keyed when `key` is given.
    public static func hash(bytes message: UnsafeRawBufferPointer, outputLength: Int, key: UnsafeRawBufferPointer?) throws -> [UInt8] {
        try ensureSodium()
        guard outputLength >= minOutputLength, outputLength <= maxOutputLength else { throw CryptoError(.invalidInput, operation: "BLAKE2b output length") }
        if let key, key.count > maxKeyLength { throw CryptoError(.invalidInput, operation: "BLAKE2b key length") }
        var out = [UInt8](repeating: 0, count: outputLength)
        let rc = crypto_generichash(&out, outputLength,
                                    message.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(message.count),
                                    key?.baseAddress?.assumingMemoryBound(to: UInt8.self), key?.count ?? 0)
        guard rc == 0 else { throw CryptoError(.primitiveFailed, operation: "crypto_generichash") }
        return out
    }

    /// Keyed BLAKE2b of a public message under a secret key.
    public static func keyedHash(_ message: [UInt8], key: SecretBytes, outputLength: Int = 32) throws -> [UInt8] {
        try key.withUnsafeBytes { (k: UnsafeRawBufferPointer) throws -> [UInt8] in
            try message.withUnsafeBytes { (m: UnsafeRawBufferPointer) throws -> [UInt8] in
                try hash(bytes: m, outputLength: outputLength, key: k)
            }
        }
    }

    /// Keyed BLAKE2b of a secret message under a secret key (fingerprints of credential values).
    public static func keyedHash(secret message: SecretBytes, key: SecretBytes, outputLength: Int = 32) throws -> [UInt8] {
        try key.withUnsafeBytes { (k: UnsafeRawBufferPointer) throws -> [UInt8] in
            try message.withUnsafeBytes { (m: UnsafeRawBufferPointer) throws -> [UInt8] in
                try hash(bytes: m, outputLength: outputLength, key: k)
            }
        }
    }
}
