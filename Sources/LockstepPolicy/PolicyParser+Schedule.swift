import Foundation
import LockstepCore
import Yams

extension PolicyParser {
    func parseSchedule(_ node: Node) -> RotationSchedule? {
        guard let s = r.object(node, path: "spec.schedule", known: ["every", "cron", "window", "jitter"]) else { return nil }
        let window = s.node("window").flatMap(parseWindow)
        let jitter = s.node("jitter").flatMap { duration($0, path: "spec.schedule.jitter") }
        switch (s.node("every"), s.node("cron")) {
        case (nil, nil):
            r.problem(node, "spec.schedule needs every or cron", hint: "every: 30d, or cron: \"0 3 * * 2\"")
            return nil
        case (.some, .some):
            r.problem(s.node("cron"), "spec.schedule has both every and cron", hint: "keep one: every counts from the last rotation, cron names wall-clock times")
            return nil
        case (let e?, nil):
            guard let every = duration(e, path: "spec.schedule.every") else { return nil }
            return RotationSchedule(trigger: .every(every), window: window, jitter: jitter)
        case (_, let c?):
            guard let text = c.scalar?.string else { r.problem(c, "spec.schedule.cron must be a string"); return nil }
            do {
                let cron = try CronExpression(text)
                return RotationSchedule(trigger: .cron(cron, window?.timeZone ?? TimeZone(identifier: "UTC")!), window: window, jitter: jitter)
            } catch {
                r.problem(c, "bad cron expression \"\(text)\": \(error)", hint: "five fields: minute hour day-of-month month day-of-week, e.g. \"0 3 * * tue\"")
                return nil
            }
        }
    }

    private func parseWindow(_ node: Node) -> RotationWindow? {
        guard let w = r.object(node, path: "spec.schedule.window", known: ["days", "from", "to", "timeZone"]) else { return nil }
        let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
        var days = Set<Int>()
        if let list = w.sequence("days") {
            for d in list {
                let text = d.scalar?.string.lowercased() ?? ""
                if let i = dayNames.firstIndex(of: String(text.prefix(3))), text.count == 3 || ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"].contains(text) {
                    days.insert(i + 1)
                } else {
                    r.problem(d, "unknown day \"\(d.scalar?.string ?? "")\" in spec.schedule.window.days", hint: "use Mon, Tue, Wed, Thu, Fri, Sat, Sun")
                }
            }
        } else {
            days = Set(1...7)
        }
        var timeZone = TimeZone(identifier: "UTC")!
        if let tzText = w.string("timeZone") {
            if let tz = TimeZone(identifier: tzText), tzText.contains("/") || tzText == "UTC" {
                timeZone = tz
            } else {
                r.problem(w.node("timeZone"), "unknown time zone \"\(tzText)\"", hint: "use an IANA name such as Europe/Zurich, America/New_York or UTC")
            }
        }
        guard let fromNode = w.required("from", hint: "from: \"02:00\""), let toNode = w.required("to", hint: "to: \"05:00\""),
              let from = clock(fromNode, path: "from", allowNextDay: false), let to = clock(toNode, path: "to", allowNextDay: true) else { return nil }
        if !to.nextDay, to.minutes <= from.minutes {
            r.problem(toNode, "the window ends (\(toNode.scalar?.string ?? "")) before it starts (\(fromNode.scalar?.string ?? ""))",
                      hint: "to end on the next day, write to: \"\(toNode.scalar?.string ?? "")+1d\"")
            return nil
        }
        if to.nextDay, to.minutes > from.minutes {
            r.problem(toNode, "a window may last at most 24 hours", hint: "end it at or before \(fromNode.scalar?.string ?? "")+1d")
            return nil
        }
        return RotationWindow(weekdays: days, from: from.minutes, to: to.minutes, crossesMidnight: to.nextDay, timeZone: timeZone)
    }

    private func clock(_ node: Node, path: String, allowNextDay: Bool) -> (minutes: Int, nextDay: Bool)? {
        var text = node.scalar?.string ?? ""
        var nextDay = false
        if allowNextDay, text.hasSuffix("+1d") {
            nextDay = true
            text.removeLast(3)
        }
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
              (0...24).contains(h), (0...59).contains(m), h < 24 || m == 0 else {
            r.problem(node, "spec.schedule.window.\(path) \"\(node.scalar?.string ?? "")\" is not a time of day", hint: "write HH:MM in 24-hour time, quoted: \"02:00\"")
            return nil
        }
        return (h * 60 + m, nextDay)
    }
}
