import Foundation
import LockstepCore
import Testing

@Suite struct WindowScheduleTests {
    let zurich = TimeZone(identifier: "Europe/Zurich")!

    @Test func everyThirtyDaysInsideATuesdayToThursdayNightWindow() {
        let window = RotationWindow(weekdays: [3, 4, 5], from: 120, to: 300, crossesMidnight: false, timeZone: zurich)
        let schedule = RotationSchedule(trigger: .every(PolicyDuration("30d")!), window: window)
        // Last rotation Sun 2026-11-01 10:00 UTC → +30d = Tue 2026-12-01 10:00 UTC (11:00 CET), after the window closed → Wed 02:00 CET.
        let due = schedule.nextDue(lastRotation: utc("2026-11-01T10:00:00Z"), credential: "k", now: utc("2026-11-29T00:00:00Z"))
        #expect(due == utc("2026-12-02T01:00:00Z"))
    }

    @Test func windowCrossingMidnight() {
        // Fri 22:00 to Sat 02:00 local.
        let window = RotationWindow(weekdays: [6], from: 22 * 60, to: 120, crossesMidnight: true, timeZone: zurich)
        #expect(window.contains(utc("2026-12-04T22:30:00Z"))) // Fri 23:30 CET
        #expect(window.contains(utc("2026-12-05T00:30:00Z"))) // Sat 01:30 CET, window opened Friday
        #expect(!window.contains(utc("2026-12-05T01:30:00Z"))) // Sat 02:30 CET
        #expect(!window.contains(utc("2026-12-05T22:30:00Z"))) // Sat 23:30: Saturday opens no window
        #expect(window.nextOpen(atOrAfter: utc("2026-12-05T01:30:00Z")) == utc("2026-12-11T21:00:00Z"))
    }

    @Test func noPreviousRotationMeansDueNowOrAtTheNextWindow() {
        let schedule = RotationSchedule(trigger: .every(PolicyDuration("7d")!))
        let now = utc("2026-11-29T10:00:00Z")
        #expect(schedule.nextDue(lastRotation: nil, credential: "k", now: now) == now)
    }

    @Test func jitterIsStablePerCredentialAndBounded() {
        let schedule = RotationSchedule(trigger: .every(PolicyDuration("1d")!), jitter: PolicyDuration("2h")!)
        let a = schedule.jitterOffset(for: "azure-api-key")
        #expect(a == schedule.jitterOffset(for: "azure-api-key"))
        let offsets = Set((0..<50).map { schedule.jitterOffset(for: "credential-\($0)") })
        #expect(offsets.allSatisfy { (0..<7200).contains($0) })
        #expect(offsets.count > 40)
    }

    @Test func cronWithWindowSkipsFiresOutsideIt() throws {
        let window = RotationWindow(weekdays: [1, 2, 3, 4, 5, 6, 7], from: 120, to: 300, crossesMidnight: false, timeZone: zurich)
        let schedule = RotationSchedule(trigger: .cron(try CronExpression("0 * * * *"), zurich), window: window)
        // Hourly cron, but only 02:00–05:00 local may run: after 06:00 CET the next is 02:00 CET the next day.
        #expect(schedule.nextDue(lastRotation: utc("2026-12-01T05:00:00Z"), credential: "k", now: utc("2026-12-01T05:00:00Z")) == utc("2026-12-02T01:00:00Z"))
    }

    @Test func propertyEveryWithWindowAcrossDSTAndLeapDays() {
        var rng = SeededRandom(seed: 0xD57)
        let zones = ["Europe/Zurich", "America/New_York", "Australia/Sydney", "Pacific/Chatham", "UTC"].map { TimeZone(identifier: $0)! }
        let anchors = ["2026-03-01T00:00:00Z", "2026-09-28T00:00:00Z", "2026-10-01T00:00:00Z", "2028-02-01T00:00:00Z", "2027-03-25T00:00:00Z"]
        for iteration in 0..<300 {
            let tz = zones[iteration % zones.count]
            let weekdays = Set((0..<Int.random(in: 1...4, using: &rng)).map { _ in Int.random(in: 1...7, using: &rng) })
            let from = Int.random(in: 0..<(24 * 60), using: &rng)
            let crosses = Bool.random(using: &rng)
            let to = crosses ? Int.random(in: 0..<from.clamped(1...), using: &rng) : Int.random(in: (from + 1)...(24 * 60), using: &rng)
            let window = RotationWindow(weekdays: weekdays, from: from, to: crosses ? max(to, 0) : to, crossesMidnight: crosses, timeZone: tz)
            let every = PolicyDuration(seconds: Int64.random(in: 3_600...(40 * 86_400), using: &rng))
            let schedule = RotationSchedule(trigger: .every(every), window: window, jitter: Bool.random(using: &rng) ? PolicyDuration("3h") : nil)
            let last = utc(anchors.randomElement(using: &rng)!).addingTimeInterval(Double(Int.random(in: 0...(40 * 86_400), using: &rng)))
            let name = "cred-\(iteration)"
            guard let due = schedule.nextDue(lastRotation: last, credential: name, now: last) else {
                Issue.record("no due time for \(window) every \(every)")
                continue
            }
            let earliest = last.addingTimeInterval(TimeInterval(every.seconds + schedule.jitterOffset(for: name)))
            #expect(due >= earliest, "iteration \(iteration): due before the period ended")
            #expect(wallClockInside(window, due), "iteration \(iteration): \(due) outside the window in \(tz.identifier)")
            // Earliest: either the candidate itself, or the window opened at `due` (a minute before was closed or before the candidate).
            let minuteBefore = due.addingTimeInterval(-60)
            #expect(due == earliest || minuteBefore < earliest || !wallClockInside(window, minuteBefore), "iteration \(iteration): a minute earlier was allowed")
        }
    }
}

private extension Int {
    func clamped(_ r: PartialRangeFrom<Int>) -> Int { Swift.max(self, r.lowerBound) }
}
