import Foundation
import LockstepCore

/// SplitMix64: a seeded generator, so "property" tests are reproducible (seed in the failure).
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func utc(_ text: String) -> Date { Timestamp(rfc3339: text)!.date }

func calendar(_ tz: TimeZone) -> Calendar {
    var c = Calendar(identifier: .gregorian)
    c.timeZone = tz
    return c
}

/// An independent statement of "inside the window", from local wall-clock fields only.
func wallClockInside(_ w: RotationWindow, _ instant: Date) -> Bool {
    let cal = calendar(w.timeZone)
    let c = cal.dateComponents([.weekday, .hour, .minute], from: instant)
    let minute = c.hour! * 60 + c.minute!
    if !w.crossesMidnight { return w.weekdays.contains(c.weekday!) && minute >= w.from && minute < w.to }
    let previousWeekday = (c.weekday! + 5) % 7 + 1
    return (w.weekdays.contains(c.weekday!) && minute >= w.from) || (w.weekdays.contains(previousWeekday) && minute < w.to)
}
