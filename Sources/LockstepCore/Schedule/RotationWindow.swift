import Foundation

/// When rotations may run: on some weekdays, between two local times, in an IANA time zone.
/// `to` may be on the next day (`crossesMidnight`), e.g. 22:00 to 02:00+1d; the day named is
/// the day the window opens. On a daylight-saving change the window follows the wall clock:
/// local times that do not exist that day are skipped, repeated ones count once.
public struct RotationWindow: Sendable, Equatable {
    /// 1 = Sunday … 7 = Saturday (Foundation's numbering).
    public let weekdays: Set<Int>
    /// Minutes after local midnight.
    public let from: Int
    public let to: Int
    public let crossesMidnight: Bool
    public let timeZone: TimeZone

    public init(weekdays: Set<Int>, from: Int, to: Int, crossesMidnight: Bool, timeZone: TimeZone) {
        self.weekdays = weekdays
        self.from = from
        self.to = to
        self.crossesMidnight = crossesMidnight
        self.timeZone = timeZone
    }

    var calendar: Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = timeZone
        return c
    }

    /// The open interval [start, end) of the window that opens on the local day containing `day`.
    func interval(openingOn day: Date) -> Range<Date>? {
        let cal = calendar
        let startOfDay = cal.startOfDay(for: day)
        guard weekdays.contains(cal.component(.weekday, from: startOfDay)) else { return nil }
        guard let start = localTime(minutes: from, on: startOfDay, cal),
              let endDay = crossesMidnight ? cal.date(byAdding: .day, value: 1, to: startOfDay) : startOfDay,
              let end = localTime(minutes: to, on: cal.startOfDay(for: endDay), cal),
              start < end else { return nil }
        return start..<end
    }

    /// The instant of local `minutes` after midnight on `startOfDay`; a wall time skipped by a
    /// DST change maps to the first instant after the gap.
    private func localTime(minutes: Int, on startOfDay: Date, _ cal: Calendar) -> Date? {
        var comps = cal.dateComponents([.year, .month, .day], from: startOfDay)
        comps.hour = minutes / 60
        comps.minute = minutes % 60
        comps.second = 0
        return cal.date(from: comps)
    }

    public func contains(_ instant: Date) -> Bool {
        let cal = calendar
        for offset in [0, -1] {
            guard let day = cal.date(byAdding: .day, value: offset, to: instant), let w = interval(openingOn: day) else { continue }
            if w.contains(instant) { return true }
        }
        return false
    }

    /// The first instant at or after `instant` inside the window (searches at most 400 days).
    public func nextOpen(atOrAfter instant: Date) -> Date? {
        if contains(instant) { return instant }
        let cal = calendar
        for offset in 0...400 {
            guard let day = cal.date(byAdding: .day, value: offset, to: instant), let w = interval(openingOn: day) else { continue }
            if w.upperBound > instant { return max(w.lowerBound, instant) }
        }
        return nil
    }
}
