import Foundation

/// RFC 3339 timestamps in UTC with milliseconds (`2026-11-29T10:43:40.123Z`), as the load
/// report writes them.
public enum Timestamp {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// `date` as RFC 3339 with milliseconds, in UTC.
    public static func rfc3339(_ date: Date) -> String { date.formatted(style) }
}
