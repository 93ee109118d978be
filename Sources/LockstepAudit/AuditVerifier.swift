import Dispatch
import LockstepCore
import LockstepCrypto

/// What is wrong with an audit log, at the first entry where it goes wrong.
public struct AuditFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case malformed = "malformed entry"
        case hashMismatch = "hash mismatch"
        case badSignature = "bad signature"
        case brokenChain = "broken chain"
        case gap = "gap"
        case reordered = "reordering"
        case truncated = "truncation"
        case headMismatch = "head mismatch"
        case empty = "empty log"
        /// The export does not start at seq 1 and no anchor was asked for.
        case segment = "segment without anchor"
    }

    public let kind: Kind
    /// The seq of the first bad entry, when it is known (not for a line that does not parse).
    public let seq: UInt64?
    /// 1-based line (or row) number in the input.
    public let line: Int?
    public let message: String

    /// A failure found by a caller that checks more than the lines (the vault's stored columns).
    public init(kind: Kind, seq: UInt64?, line: Int?, message: String) {
        self.kind = kind
        self.seq = seq
        self.line = line
        self.message = message
    }

    public var description: String {
        let at = seq.map { "seq \($0)" } ?? line.map { "line \($0)" } ?? "log"
        return "\(at): \(kind.rawValue): \(message)"
    }
}

/// The result of verifying a log or a segment of one.
public struct AuditVerificationReport: Sendable, Equatable {
    public var entries: Int
    public var firstSeq: UInt64?
    public var lastSeq: UInt64?
    public var lastHash: [UInt8]?
    /// For a segment that does not start at seq 1: the hash it hangs from (entry firstSeq - 1).
    public var anchor: [UInt8]?
    /// Whether a head was given and the entry at its seq (or the anchor) has its hash. A run
    /// with a head fails unless this is true, so "matches the given head" is never a guess.
    public var headVerified = false
    public var failure: AuditFailure?

    public var ok: Bool { failure == nil }
    public var isSegment: Bool { (firstSeq ?? 1) != 1 }
}

/// Verifies audit entries against the audit public key alone: each entry's hash over its
/// canonical encoding, its Ed25519 signature, consecutive seqs and the hash chain, and, given a
/// head kept elsewhere, that nothing was cut off the end. Needs no secret.
public struct AuditVerifier: Sendable {
    public let publicKey: [UInt8]
    /// Whether per-entry checks (parse, hash, signature) may run on all cores.
    public let parallel: Bool

    public init(publicKey: [UInt8], parallel: Bool = true) {
        self.publicKey = publicKey
        self.parallel = parallel
    }

    /// Per-entry checks that do not depend on neighbours; run in parallel.
    private struct Checked: Sendable {
        var link: ChainLink?
        var failure: AuditFailure?
    }

    /// Verifies raw JSON Lines (one entry per element, without the newline). `anchor` is the
    /// `SEQ:HASH` of the entry a segment hangs from: without it the export must start at seq 1.
    public func verify(lines: [ArraySlice<UInt8>], head: AuditHead? = nil, anchor: AuditHead? = nil) -> AuditVerificationReport {
        var next = 0
        return verify(head: head, anchor: anchor, buffered: { true }) {
            guard next < lines.count else { return nil }
            next += 1
            return .line(Array(lines[next - 1]), number: next)
        }
    }

    /// Verifies an export as it is read, and reads no further than the batch holding the first fault.
    /// `accepted` gets every line that verified (alone and chained to the ones before), in order,
    /// so that a caller can fold the log in the same pass; it must discard what it folded when
    /// the result is a failure (a fault later in the log, a head not reached).
    public func verify(reader: inout AuditLineReader, head: AuditHead? = nil, anchor: AuditHead? = nil,
                       accepted: ([UInt8]) -> Void = { _ in }) -> AuditVerificationReport {
        verify(reader: &reader, head: head, anchor: anchor, accepted: accepted, batchChecked: { _ in })
    }

    /// The same, telling `batchChecked` the size of every batch it checked (for tests).
    func verify(reader: inout AuditLineReader, head: AuditHead?, anchor: AuditHead?,
                accepted: ([UInt8]) -> Void, batchChecked: (Int) -> Void) -> AuditVerificationReport {
        var readError: (any Error)?
        var lastLine = 0
        let report = verify(head: head, anchor: anchor, buffered: { reader.nextLineIsAtHand }, accepted: accepted,
                            batchChecked: batchChecked) { () -> AuditLineReader.Item? in
            do {
                let item = try reader.next()
                if case .line(_, let n)? = item { lastLine = n }
                return item
            } catch { readError = error; return nil }
        }
        guard let readError, report.failure == nil else { return report }
        var failed = report
        failed.failure = AuditFailure(kind: .malformed, seq: nil, line: lastLine + 1, message: "cannot read the export: \(readError)")
        return failed
    }

    /// Lines are checked in batches (in parallel), then chained in order; the first fault ends it.
    /// A batch is at most `batchLines` lines and `batchBytes` bytes, which bounds memory.
    static let batchLines = 1024
    static let batchBytes = 8 << 20

    /// Verifies lines pulled one at a time from `nextLine` (nil at the end), e.g. from a database
    /// cursor; `accepted` as for the reader.
    public func verify(nextLine: () -> [UInt8]?, head: AuditHead? = nil, anchor: AuditHead? = nil, accepted: ([UInt8]) -> Void) -> AuditVerificationReport {
        var number = 0
        return verify(head: head, anchor: anchor, buffered: { true }, accepted: accepted) {
            guard let line = nextLine() else { return nil }
            number += 1
            return .line(line, number: number)
        }
    }

    private func verify(head: AuditHead?, anchor: AuditHead?, buffered: () -> Bool, accepted: ([UInt8]) -> Void = { _ in },
                        batchChecked: (Int) -> Void = { _ in }, next: () -> AuditLineReader.Item?) -> AuditVerificationReport {
        var chain = AuditChainCheck(head: head, anchor: anchor)
        let key = publicKey
        var done = false
        while !done {
            var batch: [(line: [UInt8], number: Int)] = []
            var bytes = 0
            var tooLong: Int?
            // A batch ends where more lines would have to be read: what was read is checked first.
            while batch.count < Self.batchLines, bytes < Self.batchBytes, batch.isEmpty || buffered(), let item = next() {
                switch item {
                case .line(let l, let n): batch.append((l, n)); bytes += l.count
                case .tooLong(let n): tooLong = n
                }
                if tooLong != nil { break }
            }
            if batch.isEmpty && tooLong == nil { break }
            let frozen = batch
            let checked = checkEach(count: frozen.count) { i in Self.check(frozen[i].line, line: frozen[i].number, publicKey: key) }
            batchChecked(frozen.count)
            for (i, c) in checked.enumerated() {
                if let f = c.failure { return Self.failed(chain.report, f) }
                if chain.add(c.link!, line: frozen[i].number) != nil { return chain.report }
                accepted(frozen[i].line)
            }
            if let tooLong {
                return Self.failed(chain.report, AuditFailure(kind: .malformed, seq: nil, line: tooLong,
                                                              message: "the line is longer than \(AuditLineReader.maximumLineLength) bytes; no audit entry is"))
            }
            done = batch.count < Self.batchLines && bytes < Self.batchBytes && buffered()
        }
        return chain.finish()
    }

    private static func failed(_ report: AuditVerificationReport, _ failure: AuditFailure) -> AuditVerificationReport {
        var r = report
        r.failure = failure
        return r
    }

    /// One line on its own: shape, hash, signature, and that it is exactly the export's canonical form.
    private static func check(_ line: [UInt8], line number: Int, publicKey key: [UInt8]) -> Checked {
        // Fast path: the exact bytes Lockstep writes, hashed as they are.
        if let fast = AuditFastPath.parse(line[...]), (try? BLAKE2b.hash(fast.canonical, outputLength: 32)) == fast.link.hash {
            guard SigningKeyPair.verify(signature: fast.signature, message: fast.link.hash, publicKey: key) else {
                return Checked(link: nil, failure: badSignature(seq: fast.link.seq, line: number))
            }
            return Checked(link: fast.link, failure: nil)
        }
        // Slow path: decode, re-encode canonically, and say precisely what is wrong.
        let e: AuditEntry
        do { e = try AuditJSONLines.decode(line) } catch {
            return Checked(link: nil, failure: AuditFailure(kind: .malformed, seq: nil, line: number, message: "\(error)"))
        }
        // Rule 1 of docs/audit-format.md before the hash: a line that is not byte for byte the export form (duplicate members,
        // whitespace, other escapes or number forms) is refused: another JSON reader could take
        // a meaning from it other than the one that was signed.
        var canonical = AuditJSONLines.line(e)
        canonical.removeLast()
        guard canonical == line else {
            return Checked(link: nil, failure: AuditFailure(kind: .malformed, seq: e.seq, line: number,
                                                            message: "the line is not in the export's canonical form (a duplicate member, whitespace, or another escape or number form): other JSON readers may read it differently"))
        }
        if let f = checkAlone(e, line: number, publicKey: key) { return Checked(link: nil, failure: f) }
        return Checked(link: ChainLink(seq: e.seq, prev: e.prev, hash: e.hash), failure: nil)
    }

    /// Verifies entries already decoded (e.g. read from the vault database).
    public func verify(entries: [AuditEntry], head: AuditHead? = nil, anchor: AuditHead? = nil) -> AuditVerificationReport {
        let key = publicKey
        let checked = checkEach(count: entries.count) { i in
            let e = entries[i]
            return Checked(link: ChainLink(seq: e.seq, prev: e.prev, hash: e.hash), failure: Self.checkAlone(e, line: i + 1, publicKey: key))
        }
        var chain = AuditChainCheck(head: head, anchor: anchor)
        for (i, c) in checked.enumerated() {
            if let f = c.failure { return Self.failed(chain.report, f) }
            if chain.add(c.link!, line: i + 1) != nil { return chain.report }
        }
        return chain.finish()
    }

    private func checkEach(count: Int, check: @escaping @Sendable (Int) -> Checked) -> [Checked] {
        let results = UnsafeMutableBufferPointer<Checked>.allocate(capacity: count)
        results.initialize(repeating: Checked())
        defer { results.deallocate() }
        let chunk = 128
        let chunks = (count + chunk - 1) / chunk
        nonisolated(unsafe) let out = results
        let work: @Sendable (Int) -> Void = { c in
            for i in (c * chunk)..<min(count, (c + 1) * chunk) { out[i] = check(i) }
        }
        if parallel {
            DispatchQueue.concurrentPerform(iterations: chunks, execute: work)
        } else {
            for c in 0..<chunks { work(c) }
        }
        return Array(results)
    }

    private static func badSignature(seq: UInt64, line: Int) -> AuditFailure {
        AuditFailure(kind: .badSignature, seq: seq, line: line, message: "the signature does not verify under the given audit public key (forged, re-signed with another key, or wrong key given)")
    }

    private static func checkAlone(_ e: AuditEntry, line: Int, publicKey: [UInt8]) -> AuditFailure? {
        guard let computed = try? BLAKE2b.hash(CanonicalEncoding.encode(e), outputLength: 32) else {
            return AuditFailure(kind: .malformed, seq: e.seq, line: line, message: "cannot hash entry")
        }
        guard computed == e.hash else {
            return AuditFailure(kind: .hashMismatch, seq: e.seq, line: line, message: "the entry's content does not match its recorded hash (a field was changed)")
        }
        guard SigningKeyPair.verify(signature: e.signature, message: e.hash, publicKey: publicKey) else {
            return badSignature(seq: e.seq, line: line)
        }
        return nil
    }
}
