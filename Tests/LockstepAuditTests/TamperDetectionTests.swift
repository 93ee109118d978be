import Foundation
import LockstepAudit
import LockstepCore
import LockstepCrypto
import Testing

/// Every way of altering a log is detected and named at the first bad entry.
@Suite struct TamperDetectionTests {
    let signer: SigningKeyPair
    let chain: [AuditEntry]
    var verifier: AuditVerifier { AuditVerifier(publicKey: signer.publicKey) }

    init() throws {
        signer = try SigningKeyPair.generate()
        chain = try makeChain(20, signer: signer)
    }

    @Test func untouchedChainVerifies() {
        let report = verifier.verify(lines: jsonLines(chain), head: AuditHead(seq: 20, hash: chain[19].hash))
        #expect(report.ok && report.entries == 20 && report.lastSeq == 20 && report.anchor == nil)
    }

    /// Each mutation changes one field of entry seq 8 and keeps the recorded hash and signature.
    static let mutations: [(String, @Sendable (inout AuditEntry) -> Void)] = [
        ("time", { $0.time = Timestamp(millisecondsSinceEpoch: $0.time.millisecondsSinceEpoch + 1) }),
        ("actor.kind", { $0.actor.kind = .incident }),
        ("actor.id", { $0.actor.id += "x" }),
        ("action", { $0.action = AuditAction(rawValue: "credential.revoked") }),
        ("credential", { $0.credential = "other" }),
        ("credential to null", { $0.credential = nil }),
        ("version", { $0.version = ($0.version ?? 0) + 1 }),
        ("fingerprints", { $0.fingerprints["new"] = "b2k:00000000000000000000000000000000" }),
        ("fingerprint added", { $0.fingerprints["extra"] = "b2k:1" }),
        ("targets.name", { $0.targets[0].name = "elsewhere" }),
        ("targets.rvAfter", { $0.targets[0].resourceVersionAfter = "999" }),
        ("target removed", { $0.targets = [] }),
        ("outcome", { $0.outcome = .failure }),
        ("detail", { $0.detail = "nothing to see" }),
    ]

    @Test(arguments: 0..<mutations.count)
    func changingAnyFieldIsAHashMismatch(_ index: Int) {
        var tampered = chain
        Self.mutations[index].1(&tampered[7])
        let report = verifier.verify(lines: jsonLines(tampered))
        #expect(report.failure?.kind == .hashMismatch, "\(Self.mutations[index].0)")
        #expect(report.failure?.seq == 8)
    }

    @Test func aChangeAtAnyPositionIsNamedAtThatSeq() {
        for i in chain.indices {
            var tampered = chain
            tampered[i].detail = (tampered[i].detail ?? "") + "!"
            let f = verifier.verify(lines: jsonLines(tampered)).failure
            #expect(f?.kind == .hashMismatch && f?.seq == UInt64(i + 1), "entry \(i + 1)")
        }
    }

    @Test func changingAFieldAndRecomputingTheHashIsABadSignature() throws {
        var tampered = chain
        tampered[7].detail = "rewritten"
        tampered[7].hash = try BLAKE2b.hash(CanonicalEncoding.encode(tampered[7]), outputLength: 32)
        let report = verifier.verify(lines: jsonLines(tampered))
        #expect(report.failure?.kind == .badSignature && report.failure?.seq == 8)
    }

    @Test func changingPrevIsDetected() {
        var tampered = chain
        tampered[7].prev = AuditEntry.genesis
        #expect(verifier.verify(lines: jsonLines(tampered)).failure?.kind == .hashMismatch)
    }

    @Test func deletingAnEntryIsAGap() {
        var tampered = chain
        tampered.remove(at: 9)
        let f = verifier.verify(lines: jsonLines(tampered)).failure
        #expect(f?.kind == .gap && f?.seq == 11)
        #expect(f?.message.contains("1 entry is missing") == true)
    }

    @Test func insertingAForgedEntryIsDetected() throws {
        // An attacker without the key signs with their own key.
        let mallory = try SigningKeyPair.generate()
        var tampered = chain
        let forged = try AuditChain.seal(AuditDraft(actor: AuditActor(kind: .user, id: "mallory"), action: AuditAction(rawValue: "rotation.finished")),
                                         after: AuditHead(seq: 10, hash: chain[9].hash), time: chain[9].time, signer: mallory)
        tampered.insert(forged, at: 10)
        let f = verifier.verify(lines: jsonLines(tampered)).failure
        #expect(f?.kind == .badSignature && f?.seq == 11)
    }

    @Test func insertingAGenuineEntryFromElsewhereBreaksTheChain() throws {
        // Even an entry signed with the real key (e.g. from another branch of history) does not fit.
        let other = try AuditChain.seal(AuditDraft(actor: AuditActor(kind: .user, id: "x"), action: AuditAction(rawValue: "check.passed")),
                                        after: AuditHead(seq: 10, hash: chain[8].hash), time: chain[9].time, signer: signer)
        var tampered = chain
        tampered[10] = other
        tampered[10].seq = 11
        tampered[10].hash = try BLAKE2b.hash(CanonicalEncoding.encode(tampered[10]), outputLength: 32)
        tampered[10].signature = try signer.sign(tampered[10].hash)
        let f = verifier.verify(lines: jsonLines(tampered)).failure
        #expect(f?.kind == .brokenChain && f?.seq == 11)
    }

    @Test func swappingTwoEntriesIsReordering() {
        var tampered = chain
        tampered.swapAt(4, 5)
        let f = verifier.verify(lines: jsonLines(tampered)).failure
        #expect(f?.kind == .gap || f?.kind == .reordered)
        #expect(f?.seq == 6)
        var swappedFar = chain
        swappedFar.swapAt(3, 12)
        #expect(verifier.verify(lines: jsonLines(swappedFar)).failure != nil)
        var duplicated = chain
        duplicated.insert(chain[5], at: 6)
        #expect(verifier.verify(lines: jsonLines(duplicated)).failure?.kind == .reordered)
    }

    @Test func truncatedTailIsCaughtOnlyWithTheHead() {
        let head = AuditHead(seq: 20, hash: chain[19].hash)
        let cut = Array(chain.prefix(17))
        #expect(verifier.verify(lines: jsonLines(cut)).ok, "without a head a clean prefix verifies (documented limit)")
        let f = verifier.verify(lines: jsonLines(cut), head: head).failure
        #expect(f?.kind == .truncated)
        #expect(f?.seq == 18)
        #expect(f?.message.contains("3 entries were cut off") == true)
    }

    @Test func headThatDoesNotMatchIsReported() {
        let f = verifier.verify(lines: jsonLines(chain), head: AuditHead(seq: 12, hash: chain[5].hash)).failure
        #expect(f?.kind == .headMismatch && f?.seq == 12)
    }

    @Test func reSigningTheWholeLogWithAnotherKeyIsABadSignatureAtSeq1() throws {
        let other = try SigningKeyPair.generate()
        let resigned = try makeChain(20, signer: other)
        let f = verifier.verify(lines: jsonLines(resigned)).failure
        #expect(f?.kind == .badSignature && f?.seq == 1)
    }

    @Test func segmentVerifiesAndNamesItsAnchor() {
        let segment = Array(chain[9...])
        let report = verifier.verify(lines: jsonLines(segment), anchor: AuditHead(seq: 9, hash: chain[8].hash))
        #expect(report.ok && report.isSegment)
        #expect(report.firstSeq == 10 && report.anchor == chain[8].hash)
    }

    @Test func malformedLinesAreNamedByLineNumber() {
        var lines = jsonLines(chain)
        lines[3] = ArraySlice(Array("{not json".utf8))
        let f = verifier.verify(lines: lines).failure
        #expect(f?.kind == .malformed && f?.line == 4)
        var extra = jsonLines(chain)
        var l = Array(extra[2])
        l.removeLast()
        l += Array(#","injected":"x"}"#.utf8)
        extra[2] = l[...]
        let g = verifier.verify(lines: extra).failure
        #expect(g?.kind == .malformed && g?.message.contains("injected") == true)
    }

    @Test func aReformattedLineIsRefused() {
        // Same meaning to a lenient reader, but not the canonical form: refused, since another
        // reader may take another meaning from a non-canonical line (StrictVerifyTests).
        var lines = jsonLines(chain)
        lines[4] = ArraySlice(Array(String(decoding: lines[4], as: UTF8.self).replacingOccurrences(of: "\"seq\":5,", with: "\"seq\": 5,").utf8))
        #expect(verifier.verify(lines: lines).failure?.kind == .malformed)
        // A replaced signature in an otherwise exact line is caught on the fast path.
        var forged = jsonLines(chain)
        var e = chain[6]
        e.signature = [UInt8](repeating: 1, count: 64)
        var l = AuditJSONLines.line(e)
        l.removeLast()
        forged[6] = l[...]
        #expect(verifier.verify(lines: forged).failure?.kind == .badSignature)
    }

    @Test func emptyLogWithHeadIsTruncation() {
        #expect(verifier.verify(lines: [], head: AuditHead(seq: 3, hash: chain[2].hash)).failure?.kind == .truncated)
    }

    @Test func tenThousandEntryExportVerifies() throws {
        let big = try makeChain(10_000, signer: signer)
        let report = verifier.verify(lines: jsonLines(big), head: AuditHead(seq: 10_000, hash: big.last!.hash))
        #expect(report.ok && report.entries == 10_000)
    }
}
