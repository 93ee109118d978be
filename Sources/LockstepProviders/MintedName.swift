import Foundation

/// The name Lockstep gives what it mints at a provider: `PREFIX-20260105-090000` (UTC), so that a
/// person can tell in the provider's console whose it is and when it was made.
enum MintedName {
    static func stamped(_ prefix: String, at date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%@-%04d%02d%02d-%02d%02d%02d", prefix, c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }
}
