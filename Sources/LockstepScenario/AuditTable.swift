import Foundation

/// A JSON Lines audit export as a table a person reads: seq, time, actor, action, version,
/// outcome, detail. Hashes and signatures are left out here; `audit verify` checks them.
enum AuditTable {
    static func render(jsonl: String) -> String {
        var rows = [["SEQ", "TIME", "ACTOR", "ACTION", "VERSION", "OUTCOME", "DETAIL"]]
        for line in jsonl.split(separator: "\n") {
            guard let e = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else { continue }
            let actor = e["actor"] as? [String: Any]
            let detail = (e["detail"] as? String) ?? ""
            rows.append(["\(e["seq"] ?? "")", (e["time"] as? String) ?? "", "\(actor?["kind"] ?? ""):\(actor?["id"] ?? "")", (e["action"] as? String) ?? "",
                         (e["version"] as? Int).map { "v\($0)" } ?? "-", (e["outcome"] as? String) ?? "",
                         detail.count > 70 ? String(detail.prefix(69)) + "…" : detail])
        }
        let widths = rows[0].indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
