import Foundation
@testable import LockstepAudit
import LockstepCore
import Testing

/// The parser-free decoder must read every line Lockstep writes exactly as `JSONDecoder` does,
/// and hand every other form (and every cut or bent line) to `JSONDecoder`, never a guess.
@Suite struct CanonicalLineDecoderTests {
    private static func line(_ e: AuditEntry) -> [UInt8] { Array(AuditJSONLines.line(e).dropLast()) }

    private static func entry(seq: UInt64 = 7, actor: AuditActor = AuditActor(kind: .incident, id: "INC-1"),
                              credential: String? = "litellm-master-key", version: Int? = 3,
                              fingerprints: [String: String] = ["new": "b2k:00ff", "old": "b2k:11ee"],
                              targets: [AuditTarget] = [AuditTarget(namespace: "ai", name: "litellm", key: "MASTER", resourceVersionBefore: "41", resourceVersionAfter: nil)],
                              outcome: AuditOutcome = .success, detail: String? = "reason: leaked") -> AuditEntry {
        let draft = AuditDraft(actor: actor, action: .credentialRevoked, credential: credential, version: version,
                               fingerprints: fingerprints, targets: targets, outcome: outcome, detail: detail)
        return AuditEntry(seq: seq, time: Timestamp(millisecondsSinceEpoch: 1_795_000_000_123), draft: draft,
                          prev: (0..<32).map { UInt8($0) }, hash: (0..<32).map { UInt8(255 - $0) }, signature: (0..<64).map { UInt8($0 * 3 % 256) })
    }

    @Test func readsTheGoldenLinesAsJSONDecoderDoes() throws {
        for e in try goldenEntries() {
            let line = Self.line(e)
            #expect(CanonicalLineDecoder.decode(line) == e)
            #expect(try AuditJSONLines.decodeAnyForm(line) == e)
        }
    }

    @Test(arguments: [
        entry(),
        entry(credential: nil, version: nil, fingerprints: [:], targets: [], detail: nil),
        entry(version: -2, outcome: .failure),
        entry(version: Int.max, outcome: .started),
        entry(seq: UInt64.max),
        entry(actor: AuditActor(kind: .user, id: "ren\u{E9}e \"r\" \\ \u{1F511}"), detail: "line1\nline2\ttab\u{0}nul\u{7F}del\u{1F}"),
        entry(fingerprints: ["b": "2", "a": "1", "\u{E9}": "3", "A": "4"],
              targets: [AuditTarget(namespace: "a", name: "b"), AuditTarget(namespace: "c\"", name: "d\\", key: "", resourceVersionBefore: "", resourceVersionAfter: "9")]),
    ])
    func readsEveryValueShapeAsJSONDecoderDoes(e: AuditEntry) throws {
        let line = Self.line(e)
        let fast = try #require(CanonicalLineDecoder.decode(line))
        #expect(fast == e)
        #expect(try AuditJSONLines.decodeAnyForm(line) == fast)
    }

    @Test func seededRandomEntriesDecodeAlikeBothWays() throws {
        var rng = SplitMix(seed: 0x5EED)
        let alphabet: [String] = ["a", "Z", "0", " ", "\"", "\\", "\n", "\u{1}", "\u{7F}", "\u{E9}", "\u{1F511}", "{", "}", ":", ",", "null"]
        func text() -> String { (0..<Int(rng.next() % 12)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }.joined() }
        func maybe() -> String? { rng.next() % 3 == 0 ? nil : text() }
        for n in 0..<400 {
            var fingerprints: [String: String] = [:]
            for _ in 0..<Int(rng.next() % 4) { fingerprints[text()] = text() }
            let targets = (0..<Int(rng.next() % 3)).map { _ in
                AuditTarget(namespace: text(), name: text(), key: maybe(), resourceVersionBefore: maybe(), resourceVersionAfter: maybe())
            }
            let e = Self.entry(seq: rng.next() >> UInt64(rng.next() % 64), actor: AuditActor(kind: AuditActor.Kind.allCases[n % 4], id: text()),
                               credential: maybe(), version: rng.next() % 4 == 0 ? nil : Int(truncatingIfNeeded: rng.next()),
                               fingerprints: fingerprints, targets: targets, outcome: AuditOutcome.allCases[n % 3], detail: maybe())
            let line = Self.line(e)
            #expect(CanonicalLineDecoder.decode(line) == e, "case \(n)")
            #expect(try AuditJSONLines.decodeAnyForm(line) == e, "case \(n)")
        }
    }

    /// Other JSON forms of the same entry: `JSONDecoder` reads them, the fast decoder refuses them.
    @Test(arguments: [
        (#""v":1,"seq":7"#, #""v":1, "seq":7"#),
        (#""outcome":"success""#, #""outcome" : "success""#),
        (#""reason: leaked""#, #""reason\u003a leaked""#),
        (#""reason: leaked""#, #""reason\/ leaked""#),
        (#""id":"INC-1""#, #""id":"INC\u002d1""#),
        (#""version":3"#, #""version":3.0"#),
        (#""version":3"#, #""version":03"#),
    ])
    func refusesOtherFormsOfTheSameEntry(from: String, to: String) throws {
        let canonical = String(decoding: Self.line(Self.entry()), as: UTF8.self)
        #expect(canonical.contains(from))
        let bent = Array(canonical.replacingOccurrences(of: from, with: to).utf8)
        #expect(CanonicalLineDecoder.decode(bent) == nil)
    }

    @Test func refusesReorderedDuplicatedAndPaddedLines() throws {
        let canonical = String(decoding: Self.line(Self.entry()), as: UTF8.self)
        let variants = [
            canonical + " ",
            " " + canonical,
            canonical.replacingOccurrences(of: #""new":"b2k:00ff","old":"b2k:11ee""#, with: #""old":"b2k:11ee","new":"b2k:00ff""#),
            canonical.replacingOccurrences(of: #""new":"b2k:00ff","old":"b2k:11ee""#, with: #""new":"b2k:00ff","new":"b2k:11ee""#),
            canonical.replacingOccurrences(of: #"{"v":1,"#, with: #"{"v":2,"#),
            canonical.replacingOccurrences(of: #""kind":"incident""#, with: #""kind":"robot""#),
        ]
        for v in variants { #expect(CanonicalLineDecoder.decode(Array(v.utf8)) == nil, "\(v.prefix(40))") }
    }

    /// Differential: 20,000 seeded mutations of real lines (a byte changed, inserted, deleted or
    /// duplicated). Whatever the fast decoder accepts, JSONDecoder must read as the same entry.
    @Test func whatItAcceptsJSONDecoderReadsTheSame() throws {
        var rng = SplitMix(seed: 0xD1FF)
        let seeds = try goldenEntries().map(Self.line) + [Self.line(Self.entry(actor: AuditActor(kind: .user, id: "\u{E9}\\\"\u{1}")))]
        let interesting: [UInt8] = Array(#"\"{}[],:0123456789-nulu"#.utf8) + [0x00, 0x1F, 0x7F, 0xC3, 0xA9, 0xFF]
        var accepted = 0
        for n in 0..<20_000 {
            var line = seeds[n % seeds.count]
            for _ in 0...Int(rng.next() % 3) {
                let at = Int(rng.next() % UInt64(line.count))
                let byte = rng.next() % 2 == 0 ? interesting[Int(rng.next() % UInt64(interesting.count))] : UInt8(truncatingIfNeeded: rng.next())
                switch rng.next() % 4 {
                case 0: line[at] = byte
                case 1: line.insert(byte, at: at)
                case 2: if line.count > 1 { line.remove(at: at) }
                default: line.insert(line[at], at: at)
                }
            }
            guard let fast = CanonicalLineDecoder.decode(line) else { continue }
            accepted += 1
            #expect((try? AuditJSONLines.decodeAnyForm(line)) == fast, "mutation \(n): \(String(decoding: line, as: UTF8.self))")
        }
        // Some mutations keep the form (a changed letter in a string): the check above is not vacuous.
        #expect(accepted > 1_000, "only \(accepted) mutations were accepted")
    }

    @Test func everyCutOfALineIsRefusedWithoutATrap() {
        let line = Self.line(Self.entry(actor: AuditActor(kind: .user, id: "\u{E9}\\\"\u{1}")))
        for n in 0..<line.count { #expect(CanonicalLineDecoder.decode(line[..<n]) == nil, "prefix \(n)") }
    }
}

/// A small deterministic generator (SplitMix64), so a failing case is the same on every run.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
