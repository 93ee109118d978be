import LockstepCrypto
import Testing

@Suite struct BLAKE2bVectorTests {
    @Test func rfc7693AppendixA() throws {
        // RFC 7693 Appendix A: BLAKE2b-512("abc").
        let digest = try BLAKE2b.hash(Array("abc".utf8), outputLength: 64)
        #expect(Hex.encode(digest) == "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923")
    }

    @Test func blake2b256OfAbc() throws {
        // BLAKE2b with a 32-byte digest (the audit chain's hash); also Python hashlib.blake2b(b"abc", digest_size=32).
        #expect(Hex.encode(try BLAKE2b.hash(Array("abc".utf8))) == "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319")
    }

    @Test func referenceKeyedKATs() throws {
        // blake2b-kat.txt from the BLAKE2 reference: key = 00..3f, input = 00..(n-1).
        let key = try secret((0..<64).map { UInt8($0) })
        #expect(Hex.encode(try BLAKE2b.keyedHash([], key: key, outputLength: 64)) == "10ebb67700b1868efb4417987acf4690ae9d972fb7a590c2f02871799aaa4786b5e996e8f0f4eb981fc214b005f42d2ff4233499391653df7aefcbc13fc51568")
        let input = (0..<255).map { UInt8($0) }
        #expect(Hex.encode(try BLAKE2b.keyedHash(input, key: key, outputLength: 64)) == "142709d62e28fcccd0af97fad0f8465b971e82201dc51070faa0372aa43e92484be1c1e73ba10906d5d1853db6a4106e0a7bf9800d373d6dee2d46d62ef2a461")
    }

    @Test func keyedHashOfSecretEqualsKeyedHashOfSameBytes() throws {
        let key = try SecretBytes.random(count: 32)
        let value = try secret("sk-live-value-123456")
        #expect(try BLAKE2b.keyedHash(secret: value, key: key) == BLAKE2b.keyedHash(Array("sk-live-value-123456".utf8), key: key))
        let otherKey = try SecretBytes.random(count: 32)
        #expect(try BLAKE2b.keyedHash(secret: value, key: key) != BLAKE2b.keyedHash(secret: value, key: otherKey))
    }

    @Test func rejectsBadLengths() {
        #expect(throws: CryptoError.self) { try BLAKE2b.hash([1, 2, 3], outputLength: 8) }
        #expect(throws: CryptoError.self) { try BLAKE2b.hash([1, 2, 3], outputLength: 65) }
    }
}
