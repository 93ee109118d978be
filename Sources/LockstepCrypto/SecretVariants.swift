import CSodium
#if canImport(Glibc)
import Glibc
#endif

/// The obvious textual forms of a secret, for screens that must refuse text quoting a secret
/// (the vault's audit screen). A person who pastes a leaked key into a reason pastes it as it
/// is, or as a tool printed it: Base64 (the key file's form), hex, percent-encoded from a URL,
/// or without the provider's `sk-` prefix.
///
/// Each form is written in turn into one guarded scratch buffer (`sodium_malloc`, wiped by
/// `sodium_free`) and compared there: no form of the secret exists outside guarded memory, and a
/// screen over many stored values costs no allocation per form.
public enum SecretVariants {
    /// A form shorter than this is not compared: short strings occur in ordinary text by chance.
    public static let minimumLength = SecretRegistry.minimumGuardedLength
    /// The body after an `sk-` prefix is screened on its own only when at least this long.
    public static let minimumBodyLength = 16
    static let prefix: [UInt8] = Array("sk-".utf8)

    /// The shortest form `of:` compares for a secret of `count` bytes (for skipping a secret
    /// that cannot fit in any text before opening it).
    public static func shortestForm(count: Int) -> Int {
        count - prefix.count >= minimumBodyLength ? count - prefix.count : count
    }

    /// The index of the first of `texts` that contains `secret` in any of its forms: as is,
    /// Base64 standard and URL-safe (with and without padding), hex lower and upper case,
    /// percent-encoded (RFC 3986 unreserved kept; upper and lower case escapes); and the same
    /// forms of the body after an `sk-` prefix when that body is long enough.
    public static func firstText(containing secret: SecretBytes, in texts: [[UInt8]]) throws -> Int? {
        try ensureSodium()
        let longest = texts.map(\.count).max() ?? 0
        guard shortestForm(count: secret.count) <= longest else { return nil }
        let capacity = max(3 * secret.count, sodium_base64_encoded_len(secret.count, Int32(sodium_base64_VARIANT_ORIGINAL)), 1)
        guard let scratch = sodium_malloc(capacity) else { throw CryptoError(.memory, operation: "sodium_malloc") }
        defer { sodium_free(scratch) }
        let buffer = UnsafeMutableRawBufferPointer(start: scratch, count: capacity)
        return secret.withUnsafeBytes { value -> Int? in
            if let hit = search(value, in: texts, scratch: buffer) { return hit }
            guard value.count - prefix.count >= minimumBodyLength, value.starts(with: prefix) else { return nil }
            return search(UnsafeRawBufferPointer(rebasing: value[prefix.count...]), in: texts, scratch: buffer)
        }
    }

    /// Every form of `value`, each written into `scratch` and looked for in `texts`.
    private static func search(_ value: UnsafeRawBufferPointer, in texts: [[UInt8]], scratch: UnsafeMutableRawBufferPointer) -> Int? {
        func find(_ count: Int) -> Int? {
            guard count >= minimumLength else { return nil }
            let needle = UnsafeRawBufferPointer(rebasing: scratch[0..<count])
            return texts.firstIndex { text in text.count >= count && text.withUnsafeBytes { contains($0, needle) } }
        }
        if value.count >= minimumLength, let hit = texts.firstIndex(where: { text in text.withUnsafeBytes { contains($0, value) } }) { return hit }
        for variant in [sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
                        sodium_base64_VARIANT_URLSAFE, sodium_base64_VARIANT_URLSAFE_NO_PADDING] {
            let v = Int32(variant)
            let withNUL = sodium_base64_encoded_len(value.count, v)
            _ = sodium_bin2base64(scratch.baseAddress!.assumingMemoryBound(to: CChar.self), withNUL,
                                  value.baseAddress?.assumingMemoryBound(to: UInt8.self), value.count, v)
            if let hit = find(withNUL - 1) { return hit }
        }
        for upper in [false, true] {
            for (i, b) in value.enumerated() {
                scratch[2 * i] = digit(b >> 4, upper: upper)
                scratch[2 * i + 1] = digit(b & 0x0f, upper: upper)
            }
            if let hit = find(2 * value.count) { return hit }
        }
        guard value.contains(where: { !isUnreserved($0) }) else { return nil } // percent form = as is
        for upper in [true, false] {
            var n = 0
            for b in value {
                if isUnreserved(b) { scratch[n] = b; n += 1; continue }
                scratch[n] = 0x25
                scratch[n + 1] = digit(b >> 4, upper: upper)
                scratch[n + 2] = digit(b & 0x0f, upper: upper)
                n += 3
            }
            if let hit = find(n) { return hit }
        }
        return nil
    }

    private static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: UnsafeRawBufferPointer) -> Bool {
        guard needle.count > 0, haystack.count >= needle.count else { return false }
        let first = needle[0]
        for i in 0...(haystack.count - needle.count) where haystack[i] == first {
            if memcmp(haystack.baseAddress! + i, needle.baseAddress!, needle.count) == 0 { return true }
        }
        return false
    }

    /// Branch-free nibble to digit, as libsodium's `sodium_bin2hex` does.
    private static func digit(_ n: UInt8, upper: Bool) -> UInt8 {
        let v = Int(n)
        let below10 = (v - 10) >> 8 // -1 when n < 10, else 0
        return UInt8(truncatingIfNeeded: v + (upper ? 55 : 87) + (below10 & (upper ? -7 : -39)))
    }

    private static func isUnreserved(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b == 0x2d || b == 0x2e || b == 0x5f || b == 0x7e
    }
}

extension SecretBytes {
    /// The password of a URL value's userinfo (`scheme://user:PASSWORD@host/…`), as written, in
    /// guarded memory; nil when the value is no such URL. A person who pastes only the password
    /// of a stored `DATABASE_URL` into a reason has pasted a secret, so the screens look for it too.
    public func urlPassword() throws -> SecretBytes? {
        let range: Range<Int>? = withUnsafeBytes { b in
            let n = b.count
            var i = 0
            while i + 2 < n, !(b[i] == UInt8(ascii: ":") && b[i + 1] == UInt8(ascii: "/") && b[i + 2] == UInt8(ascii: "/")) { i += 1 }
            guard i + 2 < n else { return nil }
            let start = i + 3
            var end = start
            while end < n, ![UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#")].contains(b[end]) { end += 1 }
            guard let at = (start..<end).last(where: { b[$0] == UInt8(ascii: "@") }),
                  let colon = (start..<at).first(where: { b[$0] == UInt8(ascii: ":") }), colon + 1 < at else { return nil }
            return (colon + 1)..<at
        }
        guard let range else { return nil }
        return try withUnsafeBytes { b in try SecretBytes(copying: UnsafeRawBufferPointer(rebasing: b[range])) }
    }
}
