import Foundation
import LockstepAudit
import LockstepCore
import LockstepCrypto
import Testing

/// What `audit verify` must refuse: lines another parser could read differently, heads it
/// cannot check, segments nobody asked for; and it must stop reading at the first fault.
@Suite struct StrictVerifyTests {
    let signer: SigningKeyPair
    let chain: [AuditEntry]
    var verifier: AuditVerifier { AuditVerifier(publicKey: signer.publicKey) }

    init() throws {
        signer = try SigningKeyPair.generate()
        chain = try makeChain(12, signer: signer)
    }

    func text(_ l: ArraySlice<UInt8>) -> String { String(decoding: l, as: UTF8.self) }

    @Test func aDuplicateMemberIsRefusedEvenWhenOneCopyIsTheSignedOne() {
        for dup in [#","detail":"forged""#, #","seq":999"#, #","actor":{"kind":"user","id":"mallory"}"#] {
            var lines = jsonLines(chain)
            // Another parser that keeps the first copy reads the forged value; ours the signed one.
            let t = text(lines[3]).replacingOccurrences(of: #"{"v":1"#, with: #"{"v":1"# + dup)
            lines[3] = ArraySlice(Array(t.utf8))
            let f = verifier.verify(lines: lines).failure
            #expect(f?.kind == .malformed && f?.line == 4, "duplicate \(dup) accepted")
        }
        // Inside a nested object too.
        var lines = jsonLines(chain)
        lines[2] = ArraySlice(Array(text(lines[2]).replacingOccurrences(of: #""namespace":"ns""#, with: #""namespace":"evil","namespace":"ns""#).utf8))
        #expect(verifier.verify(lines: lines).failure?.kind == .malformed)
    }

    @Test func onlyTheCanonicalExportFormVerifies() {
        for (from, to) in [("\"seq\":5,", "\"seq\": 5,"), ("\"v\":1,", "\"v\":1.0,"), ("\"outcome\":\"success\"", "\"outcome\":\"\\u0073uccess\"")] {
            var lines = jsonLines(chain)
            lines[4] = ArraySlice(Array(text(lines[4]).replacingOccurrences(of: from, with: to).utf8))
            #expect(verifier.verify(lines: lines).failure?.kind == .malformed, "\(to) accepted")
        }
    }

    @Test func aHeadTheExportCannotReachFails() {
        let lines = jsonLines(chain)
        // Beyond the end: truncation (as before).
        #expect(verifier.verify(lines: lines, head: AuditHead(seq: 13, hash: chain[11].hash)).failure?.kind == .truncated)
        // Before the first entry of a segment: it cannot be checked, so the run fails.
        let anchor = AuditHead(seq: 5, hash: chain[4].hash)
        let seg = Array(lines[5...])
        let before = verifier.verify(lines: seg, head: AuditHead(seq: 2, hash: chain[1].hash), anchor: anchor)
        #expect(before.failure?.kind == .headMismatch)
        #expect(before.headVerified == false)
        // Seq 0 is no entry.
        #expect(verifier.verify(lines: lines, head: AuditHead(seq: 0, hash: chain[0].hash)).failure != nil)
        // A head inside the export is checked and reported as such.
        let ok = verifier.verify(lines: lines, head: AuditHead(seq: 7, hash: chain[6].hash))
        #expect(ok.ok && ok.headVerified)
    }

    @Test func aSegmentVerifiesOnlyAgainstAnAnchorAskedFor() {
        let seg = Array(jsonLines(chain)[5...])
        let unasked = verifier.verify(lines: seg, head: AuditHead(seq: 12, hash: chain[11].hash))
        #expect(unasked.failure?.kind == .segment && unasked.failure?.seq == 6)
        let anchored = verifier.verify(lines: seg, head: AuditHead(seq: 12, hash: chain[11].hash), anchor: AuditHead(seq: 5, hash: chain[4].hash))
        #expect(anchored.ok && anchored.isSegment && anchored.headVerified)
        // The wrong anchor hash, or an anchor the segment does not follow.
        #expect(verifier.verify(lines: seg, anchor: AuditHead(seq: 5, hash: chain[3].hash)).failure?.kind == .brokenChain)
        #expect(verifier.verify(lines: seg, anchor: AuditHead(seq: 4, hash: chain[3].hash)).failure?.kind == .gap)
    }

    @Test func readingStopsAtTheFirstFaultAndLongLinesAreFaults() throws {
        let dir = NSTemporaryDirectory() + "lockstep-stream-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var data = Data()
        for l in jsonLines(Array(chain[0..<3])) { data.append(contentsOf: l); data.append(10) }
        data.append(contentsOf: Array("{not json\n".utf8))
        let junk = Data(repeating: UInt8(ascii: "x"), count: 1000) + Data([10])
        for _ in 0..<50_000 { data.append(junk) }
        let path = dir + "/junk.jsonl"
        #expect(FileManager.default.createFile(atPath: path, contents: data))
        var reader = try AuditLineReader(path: path)
        let report = verifier.verify(reader: &reader)
        #expect(report.failure?.kind == .malformed && report.failure?.line == 4)
        #expect(reader.linesRead < 5_000, "read \(reader.linesRead) lines after the first fault")

        var long = Data()
        for l in jsonLines(Array(chain[0..<2])) { long.append(contentsOf: l); long.append(10) }
        long.append(Data(repeating: UInt8(ascii: "y"), count: AuditLineReader.maximumLineLength + 1))
        long.append(10)
        let longPath = dir + "/long.jsonl"
        #expect(FileManager.default.createFile(atPath: longPath, contents: long))
        var longReader = try AuditLineReader(path: longPath)
        let longReport = verifier.verify(reader: &longReader)
        #expect(longReport.failure?.kind == .malformed && longReport.failure?.line == 3)
        #expect(longReport.failure?.message.contains("longer than") == true)
        #expect(longReader.bytesRead <= 2 * AuditLineReader.maximumLineLength)
    }
}
