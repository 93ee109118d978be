#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A UTC instant with millisecond precision, the resolution of audit times.
/// Its text form is RFC 3339 with exactly three fractional digits and `Z`: `2026-11-29T09:37:57.123Z`.
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) { self.millisecondsSinceEpoch = millisecondsSinceEpoch }

    public init(_ date: Date) {
        self.millisecondsSinceEpoch = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    public var date: Date { Date(timeIntervalSince1970: Double(millisecondsSinceEpoch) / 1000) }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.millisecondsSinceEpoch < b.millisecondsSinceEpoch }

    /// RFC 3339, UTC, milliseconds.
    public var rfc3339: String {
        let ms = Int(((millisecondsSinceEpoch % 1000) + 1000) % 1000)
        var seconds = time_t((millisecondsSinceEpoch - Int64(ms)) / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                      Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), ms)
    }

    public var description: String { rfc3339 }

    /// Parses RFC 3339 in UTC (`Z` or `+00:00`) or with an offset, with 0–9 fractional digits;
    /// also a bare date `YYYY-MM-DD` (midnight UTC). Returns nil for anything else.
    public init?(rfc3339 text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        let c = Array(t.utf8)
        func num(_ from: Int, _ len: Int) -> Int? {
            guard from + len <= c.count else { return nil }
            var v = 0
            for i in from..<(from + len) {
                guard c[i] >= 48, c[i] <= 57 else { return nil }
                v = v * 10 + Int(c[i] - 48)
            }
            return v
        }
        guard let y = num(0, 4), c.count >= 10, c[4] == 45, let mo = num(5, 2), c[7] == 45, let d = num(8, 2),
              (1...12).contains(mo), (1...31).contains(d) else { return nil }
        var h = 0, mi = 0, s = 0, ms = 0, offset = 0
        var i = 10
        if c.count > 10 {
            guard c[10] == 84 || c[10] == 116 || c[10] == 32, let hh = num(11, 2), c.count > 13, c[13] == 58,
                  let mm = num(14, 2), c.count > 16, c[16] == 58, let ss = num(17, 2),
                  hh < 24, mm < 60, ss < 61 else { return nil }
            h = hh; mi = mm; s = ss
            i = 19
            if i < c.count, c[i] == 46 {
                i += 1
                var digits = 0
                var frac = 0
                while i < c.count, c[i] >= 48, c[i] <= 57 {
                    if digits < 3 { frac = frac * 10 + Int(c[i] - 48) }
                    digits += 1
                    i += 1
                }
                guard digits > 0, digits <= 9 else { return nil }
                // Scaled to milliseconds; `digits..<3` alone would be an invalid range past 3 digits.
                for _ in 0..<max(0, 3 - digits) { frac *= 10 }
                ms = frac
            }
            guard i < c.count else { return nil }
            if c[i] == 90 || c[i] == 122 {
                i += 1
            } else if c[i] == 43 || c[i] == 45, let oh = num(i + 1, 2), i + 3 < c.count, c[i + 3] == 58, let om = num(i + 4, 2) {
                offset = (oh * 60 + om) * 60 * (c[i] == 43 ? 1 : -1)
                i += 6
            } else {
                return nil
            }
            guard i == c.count else { return nil }
        }
        var parts = tm()
        parts.tm_year = Int32(y - 1900); parts.tm_mon = Int32(mo - 1); parts.tm_mday = Int32(d)
        parts.tm_hour = Int32(h); parts.tm_min = Int32(mi); parts.tm_sec = Int32(s)
        let epoch = Int64(timegm(&parts)) - Int64(offset)
        self.millisecondsSinceEpoch = epoch * 1000 + Int64(ms)
    }
}

/// Where "now" comes from. Production uses `SystemClock`; tests inject a fixed or stepping clock.
public protocol WallClock: Sendable {
    func now() -> Timestamp
}

public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Timestamp { Timestamp(Date()) }
}
