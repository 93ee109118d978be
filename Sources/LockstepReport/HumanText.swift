import Foundation

/// Fixed text forms for the HTML report: the same figure always reads the same.
enum HumanText {
    /// `35d 2h`, `4h 5m`, `12m 3s`, `45s`: the two largest units.
    static func duration(seconds s: Int64) -> String {
        let units: [(String, Int64)] = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]
        var rest = max(0, s)
        var parts: [String] = []
        for (unit, size) in units where rest >= size || (parts.isEmpty && size == 1) {
            parts.append("\(rest / size)\(unit)")
            rest %= size
            if parts.count == 2 { break }
        }
        return parts.joined(separator: " ")
    }

    /// `1.250 s`.
    static func millis(_ ms: Int64) -> String { String(format: "%.3f s", Double(ms) / 1000) }

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
