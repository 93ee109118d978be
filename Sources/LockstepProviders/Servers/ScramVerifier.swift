import Crypto
import _CryptoExtras
import Foundation
import LockstepCrypto

/// The SCRAM-SHA-256 verifier of a password, in the form PostgreSQL stores and accepts in
/// `ALTER ROLE … PASSWORD` (RFC 5802 and RFC 7677; PostgreSQL's `scram_build_secret`):
/// `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`. Sending the verifier instead of
/// the password (what `psql`'s `\password` does) keeps the password out of the server's
/// statement log, `pg_stat_activity` and any dump: it never leaves Lockstep.
enum ScramVerifier {
    /// PostgreSQL's default `scram_iterations` (below swift-crypto's checked minimum for PBKDF2, hence `unsafeUncheckedRounds`: the server verifies with the count the verifier names).
    static let iterations = 4096

    static func make(password: String, salt: [UInt8] = SecureRandom.bytes(16), iterations: Int = iterations) throws -> String {
        let salted = try KDF.Insecure.PBKDF2.deriveKey(from: Array(password.utf8), salt: salt, using: .sha256, outputByteCount: 32, unsafeUncheckedRounds: iterations)
        let clientKey = HMAC<SHA256>.authenticationCode(for: Array("Client Key".utf8), using: salted)
        let storedKey = SHA256.hash(data: Array(clientKey))
        let serverKey = HMAC<SHA256>.authenticationCode(for: Array("Server Key".utf8), using: salted)
        let b64 = { (bytes: [UInt8]) in Data(bytes).base64EncodedString() }
        return "SCRAM-SHA-256$\(iterations):\(b64(salt))$\(b64(Array(storedKey))):\(b64(Array(serverKey)))"
    }
}
