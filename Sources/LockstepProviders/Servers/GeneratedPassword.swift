import LockstepCore
import LockstepCrypto

/// A new server password: 32 random bytes as Base64url without padding (43 characters), so it
/// needs no escaping in a URL's userinfo, a Redis command or a SQL literal.
enum GeneratedPassword {
    static func make(from random: any RandomSource = SystemRandom()) throws -> SecretBytes {
        try Generator.value(prefix: "", randomBytes: 32, from: random)
    }
}
