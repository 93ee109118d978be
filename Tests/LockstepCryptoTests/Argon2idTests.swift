import Foundation
import LockstepCrypto
import Testing

/// Argon2id outputs computed by an independent implementation (Python `cryptography` on OpenSSL,
/// scripts/fixtures/argon2id_vectors.py) and committed as a fixture.
@Suite struct Argon2idTests {
    struct Vector: Decodable, Sendable, CustomTestStringConvertible {
        let passphrase: String
        let salt: String
        let opsLimit: UInt64
        let memLimit: UInt64
        let output: String
        var testDescription: String { "t=\(opsLimit) m=\(memLimit / 1024)KiB" }
    }

    static let vectors: [Vector] = {
        let data = try! Data(contentsOf: fixtureURL("argon2id.json"))
        return try! JSONDecoder().decode([Vector].self, from: data)
    }()

    @Test(arguments: vectors)
    func matchesIndependentImplementation(_ v: Vector) throws {
        let params = KDFParameters(salt: hex(v.salt), opsLimit: v.opsLimit, memLimit: v.memLimit)
        let key = try Argon2id.deriveKey(passphrase: secret(v.passphrase), parameters: params)
        #expect(key.constantTimeEquals(hex(v.output)))
    }

    @Test func fixtureIsNotEmpty() {
        #expect(Self.vectors.count >= 3)
    }

    @Test func differentPassphraseOrSaltGivesDifferentKey() throws {
        let params = KDFParameters(salt: [UInt8](repeating: 7, count: 16), opsLimit: 1, memLimit: 8192 * 1024)
        let a = try Argon2id.deriveKey(passphrase: secret("one"), parameters: params)
        let b = try Argon2id.deriveKey(passphrase: secret("two"), parameters: params)
        var salted = params
        salted.salt[0] = 8
        let c = try Argon2id.deriveKey(passphrase: secret("one"), parameters: salted)
        #expect(!a.constantTimeEquals(b))
        #expect(!a.constantTimeEquals(c))
    }

    @Test func rejectsBadParameters() throws {
        #expect(throws: CryptoError.self) {
            try Argon2id.deriveKey(passphrase: secret("x"), parameters: KDFParameters(salt: [1], opsLimit: 2, memLimit: 65536 * 1024))
        }
        #expect(throws: CryptoError.self) {
            try Argon2id.deriveKey(passphrase: secret("x"), parameters: KDFParameters(algorithm: "scrypt", salt: [UInt8](repeating: 0, count: 16), opsLimit: 2, memLimit: 65536 * 1024))
        }
    }
}
