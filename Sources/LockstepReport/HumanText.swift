import Foundation

/// Fixed text forms for the HTML report: the same figure always reads the same.
enum HumanText {
    /// `35d 2h`, `4h 0m`, `12m 3s`, `45s`: the largest unit and the next one.
    static func duration(seconds s: Int64) -> String {
        let units: [(String, Int64)] = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]
        let rest = max(0, s)
        guard let i = units.firstIndex(where: { rest >= $0.1 }), i < units.count - 1 else { return "\(rest)s" }
        let (big, size) = units[i], (small, smallSize) = units[i + 1]
        return "\(rest / size)\(big) \((rest % size) / smallSize)\(small)"
    }

    /// `1.250 s` (a no-break space before the unit, so that a table cell does not split it).
    static func millis(_ ms: Int64) -> String { String(format: "%.3f\u{00A0}s", Double(ms) / 1000) }

    /// `2026-01-31 09:00` (UTC): the minutes an auditor compares; the JSON keeps the milliseconds.
    static func time(_ rfc3339: String) -> String {
        let c = Array(rfc3339)
        guard c.count >= 16 else { return rfc3339 }
        return String(c[0..<10]) + " " + String(c[11..<16])
    }

    /// Text escaped for HTML element content and quoted attribute values.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// A coordinate with one decimal.
    static func coordinate(_ v: Double) -> String { String(format: "%.1f", v) }
}
