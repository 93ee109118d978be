import CSodium

/// Randomness from libsodium's CSPRNG (`randombytes_buf`: getrandom(2) on Linux).
public enum SecureRandom {
    /// `count` random public bytes (nonces, salts, identifiers). For key material use `SecretBytes.random`.
    public static func bytes(_ count: Int) -> [UInt8] {
        _ = try? ensureSodium()
        var out = [UInt8](repeating: 0, count: count)
        if count > 0 { randombytes_buf(&out, count) }
        return out
    }
}
