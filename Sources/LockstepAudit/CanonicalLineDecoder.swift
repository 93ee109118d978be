import Foundation
import LockstepCore
import LockstepCrypto

/// Decodes a line in exactly the export form Lockstep writes (docs/audit-format.md: members in
/// their fixed order, no whitespace, only the canonical escapes) without a JSON parser, and
/// returns nil for anything else, which then goes to `JSONDecoder` and its precise errors.
///
/// Safe by construction: a decoded entry is returned only if encoding it again gives back the
/// line byte for byte, so it is the one entry that line can mean (the encoding is injective).
/// It exists for speed: Foundation's decoder was most of the report's cost beyond verification.
enum CanonicalLineDecoder {
    static func decode(_ line: some Collection<UInt8>) -> AuditEntry? {
        let bytes = Array(line)
        var c = Cursor(bytes: bytes)
        guard let entry = c.entry(), c.atEnd, AuditJSONLines.line(entry).dropLast().elementsEqual(bytes) else { return nil }
        return entry
    }

    private struct Cursor {
        let bytes: [UInt8]
        var i = 0

        var atEnd: Bool { i == bytes.count }

        mutating func literal(_ s: StaticString) -> Bool {
            let n = s.utf8CodeUnitCount
            guard i + n <= bytes.count else { return false }
            let matches = s.withUTF8Buffer { lit in
                (0..<n).allSatisfy { bytes[i + $0] == lit[$0] }
            }
            if matches { i += n }
            return matches
        }

        mutating func entry() -> AuditEntry? {
            guard literal(#"{"v":1,"seq":"#), let seq = unsigned(),
                  literal(#","time":"#), let timeText = string(), let time = Timestamp(rfc3339: timeText),
                  literal(#","actor":{"kind":"#), let kindText = string(), let kind = AuditActor.Kind(rawValue: kindText),
                  literal(#","id":"#), let actorID = string(),
                  literal(#"},"action":"#), let action = string(),
                  literal(#","credential":"#), let credential = optionalString(),
                  literal(#","version":"#), let version = optionalInt(),
                  literal(#","fingerprints":{"#), let fingerprints = fingerprintMap(),
                  literal(#","targets":["#), let targets = targetList(),
                  literal(#","outcome":"#), let outcomeText = string(), let outcome = AuditOutcome(rawValue: outcomeText),
                  literal(#","detail":"#), let detail = optionalString(),
                  literal(#","prev":"#), let prevText = string(), let prev = Hex.decode(prevText), prev.count == 32,
                  literal(#","hash":"#), let hashText = string(), let hash = Hex.decode(hashText), hash.count == 32,
                  literal(#","sig":"#), let sigText = string(), let sig = Data(base64Encoded: sigText), sig.count == 64,
                  literal("}") else { return nil }
            let draft = AuditDraft(actor: AuditActor(kind: kind, id: actorID), action: AuditAction(rawValue: action),
                                   credential: credential, version: version, fingerprints: fingerprints,
                                   targets: targets, outcome: outcome, detail: detail)
            return AuditEntry(seq: seq, time: time, draft: draft, prev: prev, hash: hash, signature: Array(sig))
        }

        /// `{` already read; `"k":"v",…}`.
        mutating func fingerprintMap() -> [String: String]? {
            var map: [String: String] = [:]
            if literal("}") { return map }
            repeat {
                guard let k = string(), literal(":"), let v = string(), map.updateValue(v, forKey: k) == nil else { return nil }
            } while literal(",")
            return literal("}") ? map : nil
        }

        /// `[` already read; `{target},…]`.
        mutating func targetList() -> [AuditTarget]? {
            var list: [AuditTarget] = []
            if literal("]") { return list }
            repeat {
                guard literal(#"{"namespace":"#), let namespace = string(), literal(#","name":"#), let name = string(),
                      literal(#","key":"#), let key = optionalString(), literal(#","rvBefore":"#), let before = optionalString(),
                      literal(#","rvAfter":"#), let after = optionalString(), literal("}") else { return nil }
                list.append(AuditTarget(namespace: namespace, name: name, key: key, resourceVersionBefore: before, resourceVersionAfter: after))
            } while literal(",")
            return literal("]") ? list : nil
        }

        mutating func optionalString() -> String?? {
            if literal("null") { return .some(nil) }
            return string().map { .some($0) }
        }

        mutating func optionalInt() -> Int?? {
            if literal("null") { return .some(nil) }
            let negative = literal("-")
            guard let magnitude = unsigned(), magnitude <= UInt64(Int.max) else { return nil }
            return .some(negative ? -Int(magnitude) : Int(magnitude))
        }

        mutating func unsigned() -> UInt64? {
            let start = i
            var value: UInt64 = 0
            while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(UInt64(bytes[i] - 48))
                guard !o1, !o2 else { return nil }
                value = s
                i += 1
            }
            return i > start ? value : nil
        }

        /// A string with only the canonical escapes: `\"`, `\\` and `\u00xx`.
        mutating func string() -> String? {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
            i += 1
            var out: [UInt8] = []
            while i < bytes.count {
                let b = bytes[i]
                switch b {
                case UInt8(ascii: "\""):
                    i += 1
                    return String(validating: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard i + 1 < bytes.count else { return nil }
                    let e = bytes[i + 1]
                    if e == UInt8(ascii: "\"") || e == UInt8(ascii: "\\") {
                        out.append(e)
                        i += 2
                    } else if e == UInt8(ascii: "u"), i + 5 < bytes.count, bytes[i + 2] == 48, bytes[i + 3] == 48,
                              let hi = hexValue(bytes[i + 4]), let lo = hexValue(bytes[i + 5]) {
                        out.append(hi << 4 | lo)
                        i += 6
                    } else {
                        return nil
                    }
                default:
                    out.append(b)
                    i += 1
                }
            }
            return nil
        }

        func hexValue(_ b: UInt8) -> UInt8? {
            switch b {
            case 48...57: b - 48
            case 97...102: b - 87
            default: nil
            }
        }
    }
}
