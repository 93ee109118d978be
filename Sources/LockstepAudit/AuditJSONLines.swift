import Foundation
import LockstepCore
import LockstepCrypto

/// The JSON Lines form of a signed entry: the canonical object with `hash` (hex) and `sig`
/// (Base64) appended as its last two members. One entry per line, `\n`-terminated.
public enum AuditJSONLines {
    public static func line(_ e: AuditEntry) -> [UInt8] {
        var out = CanonicalEncoding.encode(e)
        out.removeLast() // the closing brace
        out.append(contentsOf: #","hash":""#.utf8)
        out.append(contentsOf: Hex.encode(e.hash).utf8)
        out.append(contentsOf: #"","sig":""#.utf8)
        out.append(contentsOf: Data(e.signature).base64EncodedString().utf8)
        out.append(contentsOf: "\"}\n".utf8)
        return out
    }

    /// Decodes one line. Unknown or missing members, wrong types and malformed values throw
    /// `AuditParseError` with a reason; the verifier reports it against the line number.
    /// A line in the exact export form is read without a JSON parser (`CanonicalLineDecoder`);
    /// any other line goes to `JSONDecoder`, which says what is wrong with it.
    public static func decode(_ line: some Collection<UInt8>) throws -> AuditEntry {
        if let entry = CanonicalLineDecoder.decode(line) { return entry }
        return try decodeAnyForm(line)
    }

    /// Decodes any JSON form of an entry with `JSONDecoder`, or says what is wrong with it.
    static func decodeAnyForm(_ line: some Collection<UInt8>) throws -> AuditEntry {
        let wire: WireEntry
        do {
            wire = try JSONDecoder().decode(WireEntry.self, from: Data(line))
        } catch let e as AuditParseError {
            throw e
        } catch {
            throw AuditParseError(reason: "not a valid audit entry (\(Self.describe(error)))")
        }
        return try wire.entry()
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing field \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let ctx), DecodingError.valueNotFound(_, let ctx):
            "wrong type at \"\(ctx.codingPath.map(\.stringValue).joined(separator: "."))\""
        case DecodingError.dataCorrupted(let ctx): ctx.codingPath.isEmpty ? "not JSON" : "bad value at \"\(ctx.codingPath.map(\.stringValue).joined(separator: "."))\""
        default: "unreadable"
        }
    }
}

public struct AuditParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}

private struct WireActor: Decodable {
    let kind: AuditActor.Kind
    let id: String
    enum CodingKeys: String, CodingKey, CaseIterable { case kind, id }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try rejectUnknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue), what: "actor")
        kind = try c.decode(AuditActor.Kind.self, forKey: .kind)
        id = try c.decode(String.self, forKey: .id)
    }
}

private struct WireTarget: Decodable {
    let namespace: String, name: String, key: String?, rvBefore: String?, rvAfter: String?
    enum CodingKeys: String, CodingKey, CaseIterable { case namespace, name, key, rvBefore, rvAfter }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try rejectUnknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue), what: "target")
        namespace = try c.decode(String.self, forKey: .namespace)
        name = try c.decode(String.self, forKey: .name)
        key = try c.decodeIfPresent(String.self, forKey: .key)
        rvBefore = try c.decodeIfPresent(String.self, forKey: .rvBefore)
        rvAfter = try c.decodeIfPresent(String.self, forKey: .rvAfter)
    }
}

private struct WireEntry: Decodable {
    let v: Int, seq: UInt64, time: String, actor: WireActor, action: String
    let credential: String?, version: Int?, fingerprints: [String: String], targets: [WireTarget]
    let outcome: AuditOutcome, detail: String?, prev: String, hash: String, sig: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case v, seq, time, actor, action, credential, version, fingerprints, targets, outcome, detail, prev, hash, sig
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try rejectUnknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue), what: "entry")
        v = try c.decode(Int.self, forKey: .v)
        seq = try c.decode(UInt64.self, forKey: .seq)
        time = try c.decode(String.self, forKey: .time)
        actor = try c.decode(WireActor.self, forKey: .actor)
        action = try c.decode(String.self, forKey: .action)
        credential = try c.decodeIfPresent(String.self, forKey: .credential)
        version = try c.decodeIfPresent(Int.self, forKey: .version)
        fingerprints = try c.decode([String: String].self, forKey: .fingerprints)
        targets = try c.decode([WireTarget].self, forKey: .targets)
        outcome = try c.decode(AuditOutcome.self, forKey: .outcome)
        detail = try c.decodeIfPresent(String.self, forKey: .detail)
        prev = try c.decode(String.self, forKey: .prev)
        hash = try c.decode(String.self, forKey: .hash)
        sig = try c.decode(String.self, forKey: .sig)
    }

    func entry() throws -> AuditEntry {
        guard v == AuditEntry.formatVersion else { throw AuditParseError(reason: "unsupported format version \(v)") }
        guard let t = Timestamp(rfc3339: time) else { throw AuditParseError(reason: "bad time \"\(time)\"") }
        guard let p = Hex.decode(prev), p.count == 32 else { throw AuditParseError(reason: "bad prev hash") }
        guard let h = Hex.decode(hash), h.count == 32 else { throw AuditParseError(reason: "bad hash") }
        guard let s = Data(base64Encoded: sig), s.count == 64 else { throw AuditParseError(reason: "bad signature encoding") }
        let draft = AuditDraft(
            actor: AuditActor(kind: actor.kind, id: actor.id), action: AuditAction(rawValue: action), credential: credential, version: version,
            fingerprints: fingerprints,
            targets: targets.map { AuditTarget(namespace: $0.namespace, name: $0.name, key: $0.key, resourceVersionBefore: $0.rvBefore, resourceVersionAfter: $0.rvAfter) },
            outcome: outcome, detail: detail)
        return AuditEntry(seq: seq, time: t, draft: draft, prev: p, hash: h, signature: Array(s))
    }
}

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

private func rejectUnknownKeys(_ decoder: any Decoder, known: [String], what: String) throws {
    let all = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
    if let extra = all.first(where: { !known.contains($0) }) {
        throw AuditParseError(reason: "unexpected field \"\(extra)\" in \(what)")
    }
}
