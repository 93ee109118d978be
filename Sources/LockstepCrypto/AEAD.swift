import CSodium

/// XChaCha20-Poly1305-IETF authenticated encryption with associated data.
///
/// The sealed form is `nonce (24 bytes) || ciphertext || tag (16 bytes)`. `seal` draws the nonce
/// from the CSPRNG itself: with 192-bit nonces random choice is safe for any number of messages
/// a vault will ever hold, and callers cannot get nonce reuse wrong.
public enum AEAD {
    public static let keyLength = Int(crypto_aead_xchacha20poly1305_ietf_KEYBYTES)
    public static let nonceLength = Int(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
    public static let tagLength = Int(crypto_aead_xchacha20poly1305_ietf_ABYTES)
    /// Bytes a sealed value adds to its plaintext.
    public static let overhead = nonceLength + tagLength

    /// Seals `plaintext` under `key`, binding `associatedData` (which is authenticated, not encrypted).
    public static func seal(_ plaintext: SecretBytes, key: SecretBytes, associatedData: [UInt8]) throws -> [UInt8] {
        try plaintext.withUnsafeBytes { (p: UnsafeRawBufferPointer) throws(any Error) -> [UInt8] in
            try seal(bytes: p, key: key, associatedData: associatedData)
        }
    }

    /// Seals public or transient bytes. Prefer the `SecretBytes` overload for secrets.
    public static func seal(bytes plaintext: UnsafeRawBufferPointer, key: SecretBytes, associatedData: [UInt8]) throws -> [UInt8] {
        try seal(bytes: plaintext, key: key, associatedData: associatedData) { nonce in randombytes_buf(nonce, nonceLength) }
    }

    /// Seals with a caller-chosen nonce. Only for known-answer tests: a nonce must never be used
    /// twice under one key, which `seal(_:key:associatedData:)` guarantees and this does not.
    public static func seal(bytes plaintext: UnsafeRawBufferPointer, key: SecretBytes, nonce: [UInt8], associatedData: [UInt8]) throws -> [UInt8] {
        guard nonce.count == nonceLength else { throw CryptoError(.invalidInput, operation: "AEAD.seal nonce length") }
        return try seal(bytes: plaintext, key: key, associatedData: associatedData) { dst in
            nonce.withUnsafeBytes { dst.copyMemory(from: $0.baseAddress!, byteCount: nonceLength) }
        }
    }

    /// Writes the nonce (via `fillNonce`) and the ciphertext straight into the returned array:
    /// one allocation per seal, no intermediate copies.
    private static func seal(bytes plaintext: UnsafeRawBufferPointer, key: SecretBytes, associatedData: [UInt8],
                             fillNonce: (UnsafeMutableRawPointer) -> Void) throws -> [UInt8] {
        try ensureSodium()
        guard key.count == keyLength else { throw CryptoError(.invalidInput, operation: "AEAD.seal key length") }
        let total = nonceLength + plaintext.count + tagLength
        var rc: Int32 = -1
        var written: UInt64 = 0
        let out = [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            let base = buffer.baseAddress!
            fillNonce(base)
            rc = key.withUnsafeBytes { k in
                crypto_aead_xchacha20poly1305_ietf_encrypt(
                    base + nonceLength, &written,
                    plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count),
                    associatedData, UInt64(associatedData.count),
                    nil, base, k.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
            initialized = total
        }
        guard rc == 0, Int(written) == plaintext.count + tagLength else {
            throw CryptoError(.primitiveFailed, operation: "crypto_aead_xchacha20poly1305_ietf_encrypt")
        }
        return out
    }

    /// Opens a sealed value. Any change to the nonce, ciphertext, tag, key or associated data
    /// throws `.authenticationFailed`; nothing of the plaintext is returned in that case.
    public static func open(_ sealed: [UInt8], key: SecretBytes, associatedData: [UInt8]) throws -> SecretBytes {
        try ensureSodium()
        guard key.count == keyLength else { throw CryptoError(.invalidInput, operation: "AEAD.open key length") }
        guard sealed.count >= overhead else { throw CryptoError(.authenticationFailed, operation: "AEAD.open (sealed value too short)") }
        let plainLength = sealed.count - overhead
        do {
            return try SecretBytes(count: plainLength) { (dst: UnsafeMutableRawBufferPointer) throws in
                var written: UInt64 = 0
                let rc = key.withUnsafeBytes { k in
                    sealed.withUnsafeBufferPointer { s in
                        crypto_aead_xchacha20poly1305_ietf_decrypt(
                            dst.baseAddress!.assumingMemoryBound(to: UInt8.self), &written, nil,
                            s.baseAddress! + nonceLength, UInt64(sealed.count - nonceLength),
                            associatedData, UInt64(associatedData.count),
                            s.baseAddress!, k.baseAddress!.assumingMemoryBound(to: UInt8.self))
                    }
                }
                guard rc == 0 else { throw CryptoError(.authenticationFailed, operation: "crypto_aead_xchacha20poly1305_ietf_decrypt") }
            }
        } catch let error as CryptoError {
            throw error
        } catch {
            throw CryptoError(.primitiveFailed, operation: "AEAD.open")
        }
    }
}
