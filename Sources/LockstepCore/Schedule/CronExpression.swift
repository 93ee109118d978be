/// A standard 5-field cron expression: minute hour day-of-month month day-of-week.
/// Fields take `*`, numbers, ranges `a-b`, lists `a,b`, steps `*/n` and `a-b/n`, month names
/// `jan`–`dec` and weekday names `sun`–`sat` (0 and 7 are Sunday). As in Vixie cron, when both
/// day-of-month and day-of-week are restricted, a day matches if either does.
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    public let minutes: Set<Int>
    public let hours: Set<Int>
    public let daysOfMonth: Set<Int>
    public let months: Set<Int>
    /// 0 = Sunday … 6 = Saturday.
    public let daysOfWeek: Set<Int>
    let domRestricted: Bool
    let dowRestricted: Bool
    public let description: String

    public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        public let field: String
        public let reason: String
        public var description: String { "\(field): \(reason)" }
    }

    public init(_ text: String) throws(ParseError) {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw ParseError(field: "expression", reason: "has \(fields.count) fields; a cron expression has 5: minute hour day-of-month month day-of-week")
        }
        let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
        minutes = try Self.field(fields[0], name: "minute", range: 0...59, names: [:])
        hours = try Self.field(fields[1], name: "hour", range: 0...23, names: [:])
        daysOfMonth = try Self.field(fields[2], name: "day-of-month", range: 1...31, names: [:])
        months = try Self.field(fields[3], name: "month", range: 1...12,
                                names: Dictionary(uniqueKeysWithValues: monthNames.enumerated().map { ($1, $0 + 1) }))
        let dow = try Self.field(fields[4], name: "day-of-week", range: 0...7,
                                 names: Dictionary(uniqueKeysWithValues: dayNames.enumerated().map { ($1, $0) }))
        daysOfWeek = Set(dow.map { $0 % 7 })
        domRestricted = !fields[2].hasPrefix("*")
        dowRestricted = !fields[4].hasPrefix("*")
        description = fields.joined(separator: " ")
    }

    private static func field(_ text: String, name: String, range: ClosedRange<Int>, names: [String: Int]) throws(ParseError) -> Set<Int> {
        var values = Set<Int>()
        for part in text.lowercased().split(separator: ",", omittingEmptySubsequences: false) {
            let stepParts = part.split(separator: "/", omittingEmptySubsequences: false)
            guard stepParts.count <= 2 else { throw ParseError(field: name, reason: "\"\(part)\" has more than one '/'") }
            var step = 1
            if stepParts.count == 2 {
                guard let s = Int(stepParts[1]), s > 0 else { throw ParseError(field: name, reason: "step \"\(stepParts[1])\" is not a positive number") }
                step = s
            }
            let base = String(stepParts[0])
            var lo: Int, hi: Int
            if base == "*" {
                lo = range.lowerBound; hi = range.upperBound
            } else {
                let bounds = base.split(separator: "-", omittingEmptySubsequences: false)
                guard bounds.count <= 2, let a = value(String(bounds[0]), names) else {
                    throw ParseError(field: name, reason: "\"\(base)\" is not a number\(names.isEmpty ? "" : " or name") in \(range.lowerBound)-\(range.upperBound)")
                }
                lo = a
                if bounds.count == 2 {
                    guard let b = value(String(bounds[1]), names) else { throw ParseError(field: name, reason: "\"\(bounds[1])\" is not a valid value") }
                    hi = b
                } else {
                    hi = stepParts.count == 2 ? range.upperBound : a
                }
            }
            guard range.contains(lo), range.contains(hi) else { throw ParseError(field: name, reason: "\(lo == hi ? "\(lo)" : "\(lo)-\(hi)") is outside \(range.lowerBound)-\(range.upperBound)") }
            guard lo <= hi else { throw ParseError(field: name, reason: "range \(lo)-\(hi) runs backwards") }
            values.formUnion(stride(from: lo, through: hi, by: step))
        }
        return values
    }

    private static func value(_ text: String, _ names: [String: Int]) -> Int? {
        Int(text) ?? names[text]
    }

    /// Whether local calendar fields match (weekday 0 = Sunday).
    public func matches(minute: Int, hour: Int, day: Int, month: Int, weekday: Int) -> Bool {
        guard minutes.contains(minute), hours.contains(hour), months.contains(month) else { return false }
        return dayMatches(day: day, weekday: weekday)
    }

    func dayMatches(day: Int, weekday: Int) -> Bool {
        switch (domRestricted, dowRestricted) {
        case (true, true): daysOfMonth.contains(day) || daysOfWeek.contains(weekday)
        case (true, false): daysOfMonth.contains(day)
        case (false, true): daysOfWeek.contains(weekday)
        case (false, false): true
        }
    }
}
