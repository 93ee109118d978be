import LockstepCrypto

/// The ordering half of verification, fed one checked link at a time so that a file can be
/// verified as it streams: consecutive seqs, the hash chain, where it starts, and the head.
struct AuditChainCheck {
    private(set) var report = AuditVerificationReport(entries: 0)
    private var previous: ChainLink?
    let head: AuditHead?
    let anchor: AuditHead?

    init(head: AuditHead?, anchor: AuditHead?) {
        self.head = head
        self.anchor = anchor
        // The anchor stands for the entry before the segment: the chain continues from it.
        previous = anchor.map { ChainLink(seq: $0.seq, prev: [], hash: $0.hash) }
    }

    /// Adds the next entry; returns the failure that ends verification, if any.
    mutating func add(_ e: ChainLink, line: Int) -> AuditFailure? {
        if let f = link(e, line: line) { report.failure = f; return f }
        if let head, e.seq == head.seq {
            guard e.hash == head.hash else {
                let f = AuditFailure(kind: .headMismatch, seq: e.seq, line: line, message: "the entry at the head's seq has another hash than the head \(head)")
                report.failure = f
                return f
            }
            report.headVerified = true
        }
        previous = e
        report.entries += 1
        report.lastSeq = e.seq
        report.lastHash = e.hash
        return nil
    }

    private mutating func link(_ e: ChainLink, line: Int) -> AuditFailure? {
        let first = report.entries == 0
        if first { report.firstSeq = e.seq }
        guard let p = previous else {
            // The first entry, with no anchor asked for: it must be seq 1 and start from genesis.
            if e.seq == 1 {
                return e.prev == AuditEntry.genesis ? nil
                    : AuditFailure(kind: .brokenChain, seq: 1, line: line, message: "the first entry does not start from the genesis hash")
            }
            if e.seq == 0 { return AuditFailure(kind: .malformed, seq: 0, line: line, message: "seq starts at 1") }
            return AuditFailure(kind: .segment, seq: e.seq, line: line,
                                message: "the export starts at seq \(e.seq), not 1, and no anchor was given: it hangs from \(e.seq - 1):\(Hex.encode(e.prev)), which only a head you already hold can confirm (pass --from-anchor SEQ:HASH)")
        }
        if first, let anchor { report.anchor = anchor.hash }
        if e.seq <= p.seq {
            return AuditFailure(kind: .reordered, seq: e.seq, line: line, message: "seq \(e.seq) follows seq \(p.seq): entries are out of order or duplicated")
        }
        if e.seq != p.seq + 1 {
            let missing = e.seq - p.seq - 1
            return AuditFailure(kind: .gap, seq: e.seq, line: line, message: "seq \(e.seq) follows seq \(p.seq)\(first ? " (the anchor)" : ""): \(missing) entr\(missing == 1 ? "y is" : "ies are") missing")
        }
        if e.prev != p.hash {
            return AuditFailure(kind: .brokenChain, seq: e.seq, line: line, message: "prev does not equal the hash of seq \(p.seq)\(first ? " (the anchor)" : "") (an entry was inserted or replaced)")
        }
        return nil
    }

    /// After the last entry: a head that was given must have been reached and checked.
    mutating func finish() -> AuditVerificationReport {
        guard report.failure == nil, let head, !report.headVerified else { return report }
        if let last = report.lastSeq, last < head.seq {
            report.failure = AuditFailure(kind: .truncated, seq: last + 1, line: nil, message: "the log ends at seq \(last) but the head says \(head.seq): \(head.seq - last) entr\(head.seq - last == 1 ? "y was" : "ies were") cut off the end")
        } else if report.lastSeq == nil {
            report.failure = AuditFailure(kind: .truncated, seq: head.seq, line: nil, message: "the log is empty but the head says seq \(head.seq)")
        } else if let anchor, head.seq == anchor.seq, head.hash == anchor.hash {
            report.headVerified = true // the head is the anchor itself, which the chain hangs from
        } else {
            report.failure = AuditFailure(kind: .headMismatch, seq: head.seq, line: nil,
                                          message: "the head's seq \(head.seq) is not in this export (it starts at seq \(report.firstSeq ?? 0)): the head cannot be checked against it")
        }
        return report
    }
}
