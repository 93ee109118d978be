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
    }

    public let kind: Kind
    /// The seq of the first bad entry, when it is known (not for a line that does not parse).
    public let seq: UInt64?
    /// 1-based line (or row) number in the input.
    public let line: Int?
    public let message: String

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
        var entry: AuditEntry?
        var failure: AuditFailure?
    }

    /// Verifies raw JSON Lines (one entry per element, without the newline).
    public func verify(lines: [ArraySlice<UInt8>], head: AuditHead? = nil) -> AuditVerificationReport {
        let checked = checkEach(count: lines.count) { i in
            do { return .success(try AuditJSONLines.decode(lines[i])) } catch { return .failure(AuditFailure(kind: .malformed, seq: nil, line: i + 1, message: "\(error)")) }
        }
        return chain(checked, head: head)
    }

    /// Verifies entries already decoded (e.g. read from the vault database).
    public func verify(entries: [AuditEntry], head: AuditHead? = nil) -> AuditVerificationReport {
        chain(checkEach(count: entries.count) { .success(entries[$0]) }, head: head)
    }

    private func checkEach(count: Int, decode: @escaping @Sendable (Int) -> Result<AuditEntry, AuditFailure>) -> [Checked] {
        let results = UnsafeMutableBufferPointer<Checked>.allocate(capacity: count)
        results.initialize(repeating: Checked())
        defer { results.deallocate() }
        let chunk = 512
        let chunks = (count + chunk - 1) / chunk
        let key = publicKey
        nonisolated(unsafe) let out = results
        let work: @Sendable (Int) -> Void = { c in
            for i in (c * chunk)..<min(count, (c + 1) * chunk) {
                switch decode(i) {
                case .failure(let f):
                    out[i] = Checked(entry: nil, failure: f)
                case .success(let e):
                    out[i] = Checked(entry: e, failure: Self.checkAlone(e, line: i + 1, publicKey: key))
                }
            }
        }
        if parallel {
            DispatchQueue.concurrentPerform(iterations: chunks, execute: work)
        } else {
            for c in 0..<chunks { work(c) }
        }
        return Array(results)
    }

    private static func checkAlone(_ e: AuditEntry, line: Int, publicKey: [UInt8]) -> AuditFailure? {
        guard let computed = try? BLAKE2b.hash(CanonicalEncoding.encode(e), outputLength: 32) else {
            return AuditFailure(kind: .malformed, seq: e.seq, line: line, message: "cannot hash entry")
        }
        guard computed == e.hash else {
            return AuditFailure(kind: .hashMismatch, seq: e.seq, line: line, message: "the entry's content does not match its recorded hash (a field was changed)")
        }
        guard SigningKeyPair.verify(signature: e.signature, message: e.hash, publicKey: publicKey) else {
            return AuditFailure(kind: .badSignature, seq: e.seq, line: line, message: "the signature does not verify under the given audit public key (forged, re-signed with another key, or wrong key given)")
        }
        return nil
    }

    private func chain(_ checked: [Checked], head: AuditHead?) -> AuditVerificationReport {
        var report = AuditVerificationReport(entries: 0)
        guard !checked.isEmpty else {
            if let head { report.failure = AuditFailure(kind: .truncated, seq: head.seq, line: nil, message: "the log is empty but the head says seq \(head.seq)") }
            return report
        }
        var previous: AuditEntry?
        for (i, c) in checked.enumerated() {
            if let f = c.failure { report.failure = f; return report }
            let e = c.entry!
            if let p = previous {
                if e.seq <= p.seq {
                    report.failure = AuditFailure(kind: .reordered, seq: e.seq, line: i + 1, message: "seq \(e.seq) follows seq \(p.seq): entries are out of order or duplicated")
                    return report
                }
                if e.seq != p.seq + 1 {
                    report.failure = AuditFailure(kind: .gap, seq: e.seq, line: i + 1, message: "seq \(e.seq) follows seq \(p.seq): \(e.seq - p.seq - 1) entr\(e.seq - p.seq - 1 == 1 ? "y is" : "ies are") missing")
                    return report
                }
                if e.prev != p.hash {
                    report.failure = AuditFailure(kind: .brokenChain, seq: e.seq, line: i + 1, message: "prev does not equal the hash of seq \(p.seq) (an entry was inserted or replaced)")
                    return report
                }
            } else {
                report.firstSeq = e.seq
                if e.seq == 1 {
                    if e.prev != AuditEntry.genesis {
                        report.failure = AuditFailure(kind: .brokenChain, seq: 1, line: i + 1, message: "the first entry does not start from the genesis hash")
                        return report
                    }
                } else if e.seq == 0 {
                    report.failure = AuditFailure(kind: .malformed, seq: 0, line: i + 1, message: "seq starts at 1")
                    return report
                } else {
                    report.anchor = e.prev
                }
            }
            if let head, e.seq == head.seq, e.hash != head.hash {
                report.failure = AuditFailure(kind: .headMismatch, seq: e.seq, line: i + 1, message: "the entry at the head's seq has another hash than the head \(head)")
                return report
            }
            previous = e
            report.entries += 1
            report.lastSeq = e.seq
            report.lastHash = e.hash
        }
        if let head, let last = report.lastSeq, last < head.seq {
            report.failure = AuditFailure(kind: .truncated, seq: last + 1, line: nil, message: "the log ends at seq \(last) but the head says \(head.seq): \(head.seq - last) entr\(head.seq - last == 1 ? "y was" : "ies were") cut off the end")
        }
        return report
    }
}
