import Foundation

extension CronExpression {
    /// The first instant strictly after `instant` whose local time in `timeZone` matches,
    /// searching at most five years. Local times skipped by a DST change never fire; a local
    /// time that occurs twice fires once, at its first occurrence.
    public func next(after instant: Date, in timeZone: TimeZone) -> Date? {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = timeZone
        let sortedHours = hours.sorted(), sortedMinutes = minutes.sorted()
        var day = cal.startOfDay(for: instant)
        for _ in 0..<(5 * 366) {
            let c = cal.dateComponents([.year, .month, .day, .weekday], from: day)
            if months.contains(c.month!), dayMatches(day: c.day!, weekday: c.weekday! - 1) {
                for h in sortedHours {
                    for m in sortedMinutes {
                        var comps = DateComponents(year: c.year, month: c.month, day: c.day, hour: h, minute: m, second: 0)
                        comps.timeZone = timeZone
                        guard let t = cal.date(from: comps), t > instant else { continue }
                        let back = cal.dateComponents([.day, .hour, .minute], from: t)
                        guard back.day == c.day, back.hour == h, back.minute == m else { continue } // skipped by DST
                        return t
                    }
                }
            }
            guard let next = cal.date(byAdding: .day, value: 1, to: day) else { return nil }
            day = cal.startOfDay(for: next)
        }
        return nil
    }
}
