import Foundation

/// Kubernetes timestamps: `Time` (RFC 3339, seconds) and `MicroTime` (RFC 3339 with exactly six
/// fractional digits, as Lease acquireTime/renewTime and Event eventTime require).
public enum MicroTime {
    /// `2026-11-29T10:15:50.123456Z`.
    public static func format(_ date: Date) -> String {
        let (seconds, micros) = split(date)
        return formatSeconds(Date(timeIntervalSince1970: TimeInterval(seconds))).dropLast() + String(format: ".%06dZ", micros)
    }

    /// `2026-11-29T10:15:50Z`.
    public static func formatSeconds(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(split(date).0)))
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    /// Parses RFC 3339 with or without a fraction (any number of digits) and with `Z` or an offset.
    public static func parse(_ text: String) -> Date? {
        let pattern = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$/
        guard let m = text.wholeMatch(of: pattern) else { return nil }
        var components = DateComponents()
        components.year = Int(m.1)
        components.month = Int(m.2)
        components.day = Int(m.3)
        components.hour = Int(m.4)
        components.minute = Int(m.5)
        components.second = Int(m.6)
        guard let base = calendar.date(from: components) else { return nil }
        var fraction = 0.0
        if let digits = m.7 { fraction = (Double("0." + digits) ?? 0) }
        var offset = 0
        let zone = String(m.8)
        if zone.count == 6, let hours = Int(zone.dropFirst().prefix(2)), let minutes = Int(zone.suffix(2)) {
            offset = (hours * 3600 + minutes * 60) * (zone.hasPrefix("-") ? -1 : 1)
        }
        return base.addingTimeInterval(fraction - TimeInterval(offset))
    }

    private static let calendar: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }()

    /// Whole seconds since 1970 and microseconds, rounding down (also for dates before 1970).
    private static func split(_ date: Date) -> (Int64, Int) {
        let totalMicros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
        let seconds = totalMicros >= 0 ? totalMicros / 1_000_000 : (totalMicros - 999_999) / 1_000_000
        return (seconds, Int(totalMicros - seconds * 1_000_000))
    }
}
