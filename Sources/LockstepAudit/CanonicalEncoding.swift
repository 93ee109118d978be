import LockstepCore
import LockstepCrypto

/// The canonical byte encoding of an audit entry, specified in docs/audit-format.md.
/// Golden vectors in Tests/LockstepAuditTests/Fixtures pin it: it must never change for
/// format version 1, or every signature ever written stops verifying.
///
/// A JSON object without whitespace, keys in this fixed order, every key always present
/// (`null` when absent):
/// `v, seq, time, actor{kind,id}, action, credential, version, fingerprints{sorted}, targets[{namespace,name,key,rvBefore,rvAfter}], outcome, detail, prev`.
/// Strings: UTF-8; `"` and `\` escaped with a backslash; U+0000–U+001F and U+007F as `\u00xx`
/// (lowercase hex); nothing else escaped. Integers: decimal, no sign for non-negative, no leading
/// zeros. Time: RFC 3339 UTC with milliseconds. `prev`: 64 lowercase hex digits.
public enum CanonicalEncoding {
    public static func encode(_ e: AuditEntry) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(384)
        out.append(contentsOf: #"{"v":"#.utf8)
        appendInt(AuditEntry.formatVersion, to: &out)
        out.append(contentsOf: #","seq":"#.utf8)
        out.append(contentsOf: String(e.seq).utf8)
        out.append(contentsOf: #","time":"#.utf8)
        appendString(e.time.rfc3339, to: &out)
        out.append(contentsOf: #","actor":{"kind":"#.utf8)
        appendString(e.actor.kind.rawValue, to: &out)
        out.append(contentsOf: #","id":"#.utf8)
        appendString(e.actor.id, to: &out)
        out.append(contentsOf: #"},"action":"#.utf8)
        appendString(e.action.rawValue, to: &out)
        out.append(contentsOf: #","credential":"#.utf8)
        appendOptional(e.credential, to: &out)
        out.append(contentsOf: #","version":"#.utf8)
        if let v = e.version { appendInt(v, to: &out) } else { out.append(contentsOf: "null".utf8) }
        out.append(contentsOf: #","fingerprints":{"#.utf8)
        for (i, key) in e.fingerprints.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }).enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            appendString(e.fingerprints[key]!, to: &out)
        }
        out.append(contentsOf: #"},"targets":["#.utf8)
        for (i, t) in e.targets.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"namespace":"#.utf8)
            appendString(t.namespace, to: &out)
            out.append(contentsOf: #","name":"#.utf8)
            appendString(t.name, to: &out)
            out.append(contentsOf: #","key":"#.utf8)
            appendOptional(t.key, to: &out)
            out.append(contentsOf: #","rvBefore":"#.utf8)
            appendOptional(t.resourceVersionBefore, to: &out)
            out.append(contentsOf: #","rvAfter":"#.utf8)
            appendOptional(t.resourceVersionAfter, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: #"],"outcome":"#.utf8)
        appendString(e.outcome.rawValue, to: &out)
        out.append(contentsOf: #","detail":"#.utf8)
        appendOptional(e.detail, to: &out)
        out.append(contentsOf: #","prev":""#.utf8)
        out.append(contentsOf: Hex.encode(e.prev).utf8)
        out.append(contentsOf: #""}"#.utf8)
        return out
    }

    static func appendOptional(_ s: String?, to out: inout [UInt8]) {
        if let s { appendString(s, to: &out) } else { out.append(contentsOf: "null".utf8) }
    }

    static func appendInt(_ v: Int, to out: inout [UInt8]) {
        out.append(contentsOf: String(v).utf8)
    }

    static func appendString(_ s: String, to out: inout [UInt8]) {
        let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
                out.append(b)
            case 0x00...0x1f, 0x7f:
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hexDigits[Int(b >> 4)])
                out.append(hexDigits[Int(b & 0x0f)])
            default:
                out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
