import Foundation
import LockstepCore

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
