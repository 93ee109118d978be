import Foundation
import LockstepCore
import Testing

@Suite struct DurationAndCronTests {
    @Test func durations() {
        #expect(PolicyDuration("30d") == PolicyDuration(seconds: 2_592_000))
        #expect(PolicyDuration("1h30m")?.seconds == 5_400)
        #expect(PolicyDuration("2w") == PolicyDuration(seconds: 1_209_600))
        #expect(PolicyDuration("90s")?.description == "1m30s")
        for bad in ["", "30", "d", "30x", "1m1h", "-5d", "0s", "1.5h", "99999999999999999999d", "30 d"] {
            #expect(PolicyDuration(bad) == nil, "accepted \(bad)")
        }
    }

    @Test func cronParsesStandardForms() throws {
        let c = try CronExpression("*/15 2-4 1,15 jan-mar mon-fri")
        #expect(c.minutes == [0, 15, 30, 45])
        #expect(c.hours == [2, 3, 4])
        #expect(c.daysOfMonth == [1, 15])
        #expect(c.months == [1, 2, 3])
        #expect(c.daysOfWeek == [1, 2, 3, 4, 5])
        #expect(try CronExpression("0 0 * * 7").daysOfWeek == [0])
        #expect(try CronExpression("0 0 * * 1-5/2").daysOfWeek == [1, 3, 5])
    }

    @Test(arguments: ["61 * * * *", "* * *", "*/0 * * * *", "5-1 * * * *", "0 0 * * funday", "0 24 * * *", "0 0 0 * *", "0 0 * 13 *", "a b c d e", "1,,2 * * * *"])
    func cronRejects(_ text: String) {
        #expect(throws: CronExpression.ParseError.self) { try CronExpression(text) }
    }

    @Test func nextFiresInLocalTime() throws {
        let zurich = TimeZone(identifier: "Europe/Zurich")!
        // Tuesday 03:00 local after Sunday 2026-11-29 09:00 UTC → Tue 2026-12-01 03:00 CET = 02:00 UTC.
        #expect(try CronExpression("0 3 * * tue").next(after: utc("2026-11-29T09:00:00Z"), in: zurich) == utc("2026-12-01T02:00:00Z"))
    }

    @Test func nonexistentLocalTimeIsSkippedOnSpringForward() throws {
        // 2026-03-29: Zurich jumps from 02:00 to 03:00; 02:30 does not exist that day.
        let zurich = TimeZone(identifier: "Europe/Zurich")!
        let fire = try CronExpression("30 2 * * *").next(after: utc("2026-03-28T12:00:00Z"), in: zurich)
        #expect(fire == utc("2026-03-30T00:30:00Z")) // 02:30 CEST on the 30th
    }

    @Test func repeatedLocalTimeFiresOnceOnFallBack() throws {
        // 2026-10-25: Zurich goes from 03:00 CEST back to 02:00 CET; 02:30 occurs twice.
        let zurich = TimeZone(identifier: "Europe/Zurich")!
        let cron = try CronExpression("30 2 * * *")
        let first = cron.next(after: utc("2026-10-24T12:00:00Z"), in: zurich)
        #expect(first == utc("2026-10-25T00:30:00Z")) // the CEST occurrence
        let second = cron.next(after: first!, in: zurich)
        #expect(second == utc("2026-10-26T01:30:00Z")) // next day, CET: not the repeated 02:30
    }

    @Test func leapDayOnly() throws {
        #expect(try CronExpression("0 0 29 2 *").next(after: utc("2026-01-01T00:00:00Z"), in: TimeZone(identifier: "UTC")!) == utc("2028-02-29T00:00:00Z"))
    }

    @Test func dayOfMonthAndDayOfWeekAreOred() throws {
        let cron = try CronExpression("0 0 1 * mon")
        // After Tue 2026-12-01 00:00 UTC: next is Mon 2026-12-07 (a Monday), before Jan 1.
        #expect(cron.next(after: utc("2026-12-01T00:00:00Z"), in: TimeZone(identifier: "UTC")!) == utc("2026-12-07T00:00:00Z"))
    }

    @Test func propertyNextIsTheFirstMatchingMinute() throws {
        var rng = SeededRandom(seed: 0x10C5_7E9)
        let zones = ["Europe/Zurich", "America/New_York", "Australia/Lord_Howe", "UTC", "Asia/Kolkata"].map { TimeZone(identifier: $0)! }
        for iteration in 0..<60 {
            let minutes = Set((0..<Int.random(in: 1...4, using: &rng)).map { _ in Int.random(in: 0...59, using: &rng) })
            let hours = Set((0..<Int.random(in: 1...6, using: &rng)).map { _ in Int.random(in: 0...23, using: &rng) })
            let text = "\(minutes.sorted().map(String.init).joined(separator: ",")) \(hours.sorted().map(String.init).joined(separator: ",")) * * *"
            let cron = try CronExpression(text)
            let tz = zones[iteration % zones.count]
            // Random instants concentrated around DST changes in 2026.
            let anchors = ["2026-03-08T06:00:00Z", "2026-03-29T00:00:00Z", "2026-04-05T15:00:00Z", "2026-10-04T15:00:00Z", "2026-10-25T00:00:00Z", "2026-11-01T06:00:00Z"]
            let start = utc(anchors.randomElement(using: &rng)!).addingTimeInterval(Double(Int.random(in: -86_400...86_400, using: &rng)))
            let fire = try #require(cron.next(after: start, in: tz), "no fire for \(text) in \(tz.identifier)")
            let cal = calendar(tz)
            let c = cal.dateComponents([.hour, .minute, .second], from: fire)
            #expect(fire > start)
            #expect(cron.hours.contains(c.hour!) && cron.minutes.contains(c.minute!) && c.second == 0, "\(text) \(tz.identifier) fired at \(fire)")
            // No earlier whole minute after `start` matches (brute force over the gap).
            var t = Date(timeIntervalSince1970: (start.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60)
            while t < fire {
                let lc = cal.dateComponents([.hour, .minute], from: t)
                #expect(!(cron.hours.contains(lc.hour!) && cron.minutes.contains(lc.minute!)) || wallTimeRepeated(t, cal), "\(text) \(tz.identifier): \(t) matched before \(fire)")
                t = t.addingTimeInterval(60)
            }
        }
    }

    /// True for the second occurrence of a repeated wall time (fall-back hour), which fires no cron.
    private func wallTimeRepeated(_ t: Date, _ cal: Calendar) -> Bool {
        let offsetNow = cal.timeZone.secondsFromGMT(for: t)
        let offsetHourAgo = cal.timeZone.secondsFromGMT(for: t.addingTimeInterval(-3600))
        return offsetNow < offsetHourAgo
    }
}
