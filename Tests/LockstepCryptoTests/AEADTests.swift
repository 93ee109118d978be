import LockstepCrypto
import Testing

@Suite struct AEADTests {
    // draft-irtf-cfrg-xchacha-03, Appendix A.3.1.
    static let key = "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
    static let nonce = "404142434445464748494a4b4c4d4e4f5051525354555657"
    static let aad = "50515253c0c1c2c3c4c5c6c7"
    static let plaintext = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."
    static let ciphertext = "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e"
    static let tag = "c0875924c1c7987947deafd8780acf49"

    @Test func draftXChaChaVector() throws {
        let key = try secret(hex(Self.key))
        let sealed = try Array(Self.plaintext.utf8).withUnsafeBytes {
            try AEAD.seal(bytes: $0, key: key, nonce: hex(Self.nonce), associatedData: hex(Self.aad))
        }
        #expect(Hex.encode(sealed) == Self.nonce + Self.ciphertext + Self.tag)
        let opened = try AEAD.open(sealed, key: key, associatedData: hex(Self.aad))
        #expect(opened.constantTimeEquals(Array(Self.plaintext.utf8)))
    }

    @Test func sealPicksAFreshNonceEachTime() throws {
        let key = try SecretBytes.random(count: AEAD.keyLength)
        let value = try secret("same plaintext")
        let a = try AEAD.seal(value, key: key, associatedData: [1])
        let b = try AEAD.seal(value, key: key, associatedData: [1])
        #expect(a.count == 14 + AEAD.overhead)
        #expect(Array(a[0..<AEAD.nonceLength]) != Array(b[0..<AEAD.nonceLength]))
    }

    @Test func everyFlippedByteIsDetected() throws {
        let key = try SecretBytes.random(count: AEAD.keyLength)
        let sealed = try AEAD.seal(try secret("a secret that must not change"), key: key, associatedData: Array("ctx".utf8))
        for i in sealed.indices {
            var bad = sealed
            bad[i] ^= 0x80
            #expect(throws: CryptoError(.authenticationFailed, operation: "crypto_aead_xchacha20poly1305_ietf_decrypt")) {
                try AEAD.open(bad, key: key, associatedData: Array("ctx".utf8))
            }
        }
    }

    @Test func wrongKeyWrongContextAndTruncationAreDetected() throws {
        let key = try SecretBytes.random(count: AEAD.keyLength)
        let sealed = try AEAD.seal(try secret("value"), key: key, associatedData: Array("row-1".utf8))
        #expect(throws: CryptoError.self) { try AEAD.open(sealed, key: try SecretBytes.random(count: 32), associatedData: Array("row-1".utf8)) }
        #expect(throws: CryptoError.self) { try AEAD.open(sealed, key: key, associatedData: Array("row-2".utf8)) }
        #expect(throws: CryptoError.self) { try AEAD.open(Array(sealed.dropLast()), key: key, associatedData: Array("row-1".utf8)) }
        #expect(throws: CryptoError.self) { try AEAD.open([1, 2, 3], key: key, associatedData: []) }
    }

    @Test func errorsNameTheOperationAndNoKeyBytes() throws {
        let keyBytes = (0..<32).map { UInt8($0 + 0x41) } // printable, so it would show if leaked
        let key = try secret(keyBytes)
        do {
            _ = try AEAD.open([UInt8](repeating: 0, count: 64), key: key, associatedData: [])
            Issue.record("expected failure")
        } catch {
            let text = "\(error)"
            #expect(text.contains("crypto_aead_xchacha20poly1305_ietf_decrypt"))
            #expect(!text.contains(String(decoding: keyBytes, as: UTF8.self)))
        }
    }
}
