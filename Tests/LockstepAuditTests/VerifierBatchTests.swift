import Foundation
@testable import LockstepAudit
import LockstepCore
import LockstepCrypto
import Testing

/// From a regular file the verifier checks whole batches (on every core); only a pipe makes it
/// check what it has before it reads on. A batch cut at the reader's 64 KiB buffer (about a
/// hundred lines) fits in one chunk of work and ran on one core: `audit verify` and `report`
/// took twice the time of the in-memory verification.
@Suite struct VerifierBatchTests {
    @Test func aFileIsCheckedInFullBatches() throws {
        let signer = try SigningKeyPair.generate()
        let count = 2 * AuditVerifier.batchLines + 10
        let chain = try makeChain(count, signer: signer)
        let dir = NSTemporaryDirectory() + "lockstep-batch-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/export.jsonl"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(chain.flatMap { AuditJSONLines.line($0) })))

        var reader = try AuditLineReader(path: path)
        let atHand = reader.nextLineIsAtHand
        #expect(atHand, "a regular file never makes a read wait")
        var batches: [Int] = []
        let report = AuditVerifier(publicKey: signer.publicKey).verify(reader: &reader, head: nil, anchor: nil, accepted: { _ in },
                                                                        batchChecked: { batches.append($0) })
        #expect(report.ok && report.entries == count)
        #expect(batches == [AuditVerifier.batchLines, AuditVerifier.batchLines, 10], "batches of \(batches.prefix(5))…")
    }

    @Test func aPipeWithNothingBufferedIsNotAtHand() throws {
        let dir = NSTemporaryDirectory() + "lockstep-batch-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fifo = dir + "/export.fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let writer = open(fifo, O_RDWR) // held open, so that opening for reading does not wait
        #expect(writer >= 0)
        defer { close(writer) }
        let reader = try AuditLineReader(path: fifo)
        let atHand = reader.nextLineIsAtHand
        #expect(!atHand, "nothing written yet: the next read would wait")
    }
}
