import CSodium

/// Hex and Base64 for public bytes (fingerprints, hashes, signatures, public keys).
public enum Hex {
    public static func encode(_ bytes: [UInt8]) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes lowercase or uppercase hex; nil on odd length or a non-hex character.
    public static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Constant-time Base64 decoding of secret material straight into guarded memory
/// (`sodium_base642bin`), so a key file in Base64 never exists as a plain Swift array.
public enum SecretBase64 {
    public static func decode(_ text: UnsafeRawBufferPointer, expectedLength: Int) throws -> SecretBytes {
        try ensureSodium()
        let variant = Int32(sodium_base64_VARIANT_ORIGINAL)
        do {
            return try SecretBytes(count: expectedLength) { out throws in
                var written = 0
                let rc = sodium_base642bin(out.baseAddress!.assumingMemoryBound(to: UInt8.self), expectedLength,
                                           text.baseAddress?.assumingMemoryBound(to: CChar.self), text.count,
                                           " \t\r\n", &written, nil, variant)
                guard rc == 0, written == expectedLength else { throw CryptoError(.invalidInput, operation: "base64 key") }
            }
        } catch let e as CryptoError { throw e } catch { throw CryptoError(.invalidInput, operation: "base64 key") }
    }

    /// Base64 of secret bytes into a guarded buffer (for writing key files), without a NUL.
    public static func encode(_ secret: SecretBytes) throws -> SecretBytes {
        let variant = Int32(sodium_base64_VARIANT_ORIGINAL)
        let len = sodium_base64_encoded_len(secret.count, variant)  // includes the NUL
        let tmp = try wrap("sodium_bin2base64") {
            try SecretBytes(count: len) { out in
                secret.withUnsafeBytes { s in
                    _ = sodium_bin2base64(out.baseAddress!.assumingMemoryBound(to: CChar.self), len,
                                          s.baseAddress!.assumingMemoryBound(to: UInt8.self), s.count, variant)
                }
            }
        }
        return try wrap("sodium_bin2base64") {
            try tmp.withUnsafeBytes { try SecretBytes(copying: UnsafeRawBufferPointer(rebasing: $0[0..<(len - 1)])) }
        }
    }
}
