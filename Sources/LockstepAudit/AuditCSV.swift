import Foundation
import LockstepCrypto

/// CSV export (RFC 4180) for spreadsheets. Verification uses the JSON Lines export; CSV is for reading.
public enum AuditCSV {
    public static let header = "seq,time,actor_kind,actor_id,action,credential,version,fingerprints,targets,outcome,detail,prev,hash,sig\r\n"

    public static func row(_ e: AuditEntry) -> String {
        let fps = e.fingerprints.keys.sorted().map { "\($0)=\(e.fingerprints[$0]!)" }.joined(separator: ";")
        let targets = e.targets.map { t in
            var s = "\(t.namespace)/\(t.name)"
            if let k = t.key { s += "#\(k)" }
            if t.resourceVersionBefore != nil || t.resourceVersionAfter != nil {
                s += "@\(t.resourceVersionBefore ?? "")->\(t.resourceVersionAfter ?? "")"
            }
            return s
        }.joined(separator: ";")
        let fields: [String] = [
            String(e.seq), e.time.rfc3339, e.actor.kind.rawValue, e.actor.id, e.action.rawValue, e.credential ?? "",
            e.version.map(String.init) ?? "", fps, targets, e.outcome.rawValue, e.detail ?? "",
            Hex.encode(e.prev), Hex.encode(e.hash), Data(e.signature).base64EncodedString(),
        ]
        return fields.map(quote).joined(separator: ",") + "\r\n"
    }

    /// One RFC 4180 field, with spreadsheet formulas neutralised.
    public static func quote(_ field: String) -> String {
        // Also neutralise spreadsheet formula injection: a cell starting with = + - @ is prefixed with '.
        var f = field
        if let first = f.first, "=+-@".contains(first) { f = "'" + f }
        guard f.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return f }
        return "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
