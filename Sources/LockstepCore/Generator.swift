import Foundation
import LockstepCrypto

/// New secret values: `prefix` followed by Base64url (no padding) of `randomBytes` random
/// bytes from `source` (libsodium's CSPRNG), built in guarded memory.
public enum Generator {
    public static func value(prefix: String, randomBytes: Int, from source: any RandomSource = SystemRandom()) throws -> SecretBytes {
        let random = try source.randomSecret(count: randomBytes)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        let prefixBytes = Array(prefix.utf8)
        let encodedLength = (randomBytes * 4 + 2) / 3
        return try SecretBytes(count: prefixBytes.count + encodedLength) { out in
            var o = 0
            for b in prefixBytes { out[o] = b; o += 1 }
            random.withUnsafeBytes { r in
                var i = 0
                while i < r.count {
                    let b0 = UInt32(r[i]), b1 = i + 1 < r.count ? UInt32(r[i + 1]) : 0, b2 = i + 2 < r.count ? UInt32(r[i + 2]) : 0
                    let n = b0 << 16 | b1 << 8 | b2
                    let chars = min(4, (r.count - i) * 4 / 3 + ((r.count - i) * 4 % 3 == 0 ? 0 : 1))
                    for k in 0..<chars { out[o] = alphabet[Int((n >> (18 - 6 * UInt32(k))) & 63)]; o += 1 }
                    i += 3
                }
            }
        }
    }
}
