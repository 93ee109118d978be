import CSodium

/// The obvious textual forms of a secret, each in guarded memory, for screens that must refuse
/// text quoting a secret (the vault's audit screen). A person who pastes a leaked key into a
/// reason pastes it as it is, or as a tool printed it: Base64 (the key file's form), hex,
/// percent-encoded from a URL, or without the provider's `sk-` prefix.
public enum SecretVariants {
    /// A variant shorter than this is not returned: short strings occur in ordinary text by chance.
    public static let minimumLength = SecretRegistry.minimumGuardedLength
    /// The body after an `sk-` prefix is screened on its own only when at least this long.
    public static let minimumBodyLength = 16

    /// `secret` as is, Base64 standard and URL-safe (with and without padding), hex lower and
    /// upper case, percent-encoded (RFC 3986 unreserved kept, upper and lower case escapes); and
    /// the same forms of the body after an `sk-` prefix when that body is long enough.
    public static func of(_ secret: SecretBytes) throws -> [SecretBytes] {
        var out = try forms(of: secret)
        let prefix = Array("sk-".utf8)
        let body: SecretBytes? = try secret.withUnsafeBytes { bytes in
            guard bytes.count - prefix.count >= minimumBodyLength, bytes.starts(with: prefix) else { return nil }
            return try SecretBytes(copying: UnsafeRawBufferPointer(rebasing: bytes[prefix.count...]))
        }
        if let body { out += try forms(of: body) }
        return out.filter { $0.count >= minimumLength }
    }

    private static func forms(of secret: SecretBytes) throws -> [SecretBytes] {
        var out = [secret]
        for variant in [sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
                        sodium_base64_VARIANT_URLSAFE, sodium_base64_VARIANT_URLSAFE_NO_PADDING] {
            out.append(try base64(secret, variant: Int32(variant)))
        }
        out.append(try hex(secret, upper: false))
        out.append(try hex(secret, upper: true))
        if try needsPercentEncoding(secret) {
            out.append(try percent(secret, upper: true))
            out.append(try percent(secret, upper: false))
        }
        return out
    }

    private static func base64(_ secret: SecretBytes, variant: Int32) throws -> SecretBytes {
        try ensureSodium()
        let len = sodium_base64_encoded_len(secret.count, variant) // includes the NUL
        let withNUL = try SecretBytes(count: len) { out in
            secret.withUnsafeBytes { s in
                _ = sodium_bin2base64(out.baseAddress!.assumingMemoryBound(to: CChar.self), len,
                                      s.baseAddress?.assumingMemoryBound(to: UInt8.self), s.count, variant)
            }
        }
        return try withNUL.withUnsafeBytes { try SecretBytes(copying: UnsafeRawBufferPointer(rebasing: $0[0..<(len - 1)])) }
    }

    /// Branch-free nibble to digit, as libsodium's `sodium_bin2hex` does.
    private static func digit(_ n: UInt8, upper: Bool) -> UInt8 {
        let v = Int(n)
        let below10 = (v - 10) >> 8 // -1 when n < 10, else 0
        return UInt8(truncatingIfNeeded: v + (upper ? 55 : 87) + (below10 & (upper ? -7 : -39)))
    }

    private static func hex(_ secret: SecretBytes, upper: Bool) throws -> SecretBytes {
        try SecretBytes(count: secret.count * 2) { out in
            secret.withUnsafeBytes { s in
                for (i, b) in s.enumerated() {
                    out[2 * i] = digit(b >> 4, upper: upper)
                    out[2 * i + 1] = digit(b & 0x0f, upper: upper)
                }
            }
        }
    }

    private static func isUnreserved(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b == 0x2d || b == 0x2e || b == 0x5f || b == 0x7e
    }

    private static func needsPercentEncoding(_ secret: SecretBytes) throws -> Bool {
        secret.withUnsafeBytes { s in s.contains { !isUnreserved($0) } }
    }

    private static func percent(_ secret: SecretBytes, upper: Bool) throws -> SecretBytes {
        let count = secret.withUnsafeBytes { s in s.reduce(0) { $0 + (isUnreserved($1) ? 1 : 3) } }
        return try SecretBytes(count: count) { out in
            secret.withUnsafeBytes { s in
                var i = 0
                for b in s {
                    if isUnreserved(b) { out[i] = b; i += 1; continue }
                    out[i] = 0x25
                    out[i + 1] = digit(b >> 4, upper: upper)
                    out[i + 2] = digit(b & 0x0f, upper: upper)
                    i += 3
                }
            }
        }
    }
}
