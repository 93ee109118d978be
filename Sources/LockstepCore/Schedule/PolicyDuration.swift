/// A duration as written in policies: one or more `<number><unit>` parts, units `w d h m s`,
/// e.g. `30d`, `1h30m`, `90s`. Always positive.
public struct PolicyDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let seconds: Int64

    public init(seconds: Int64) { self.seconds = seconds }

    public init?(_ text: String) {
        let units: [Character: Int64] = ["w": 604_800, "d": 86_400, "h": 3_600, "m": 60, "s": 1]
        var total: Int64 = 0
        var number: Int64?
        var lastUnit = Int64.max
        for ch in text {
            if let digit = ch.wholeNumberValue, ch.isASCII {
                let (m, o1) = (number ?? 0).multipliedReportingOverflow(by: 10)
                let (n, o2) = m.addingReportingOverflow(Int64(digit))
                guard !o1, !o2 else { return nil }
                number = n
            } else if let unit = units[ch], let n = number, unit < lastUnit {
                let (product, o1) = n.multipliedReportingOverflow(by: unit)
                let (sum, o2) = total.addingReportingOverflow(product)
                guard !o1, !o2 else { return nil }
                total = sum
                number = nil
                lastUnit = unit
            } else {
                return nil
            }
        }
        guard number == nil, total > 0 else { return nil }
        self.seconds = total
    }

    public static func < (a: PolicyDuration, b: PolicyDuration) -> Bool { a.seconds < b.seconds }

    public var description: String {
        var rest = seconds
        var out = ""
        for (unit, size) in [("d", Int64(86_400)), ("h", 3_600), ("m", 60), ("s", 1)] where rest >= size {
            out += "\(rest / size)\(unit)"
            rest %= size
        }
        return out.isEmpty ? "0s" : out
    }
}
