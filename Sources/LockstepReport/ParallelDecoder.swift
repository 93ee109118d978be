import Dispatch
import LockstepAudit

/// Collects verified lines and decodes them a batch at a time on all cores, then hands the
/// entries on in order (lines in the export form need no JSON parser: `AuditJSONLines.decode`);
/// a batch bounds what is held, as the verifier's own batch does.
struct ParallelDecoder {
    static let batchLines = 1024
    private var pending: [[UInt8]] = []
    private(set) var failure: (any Error)?

    init() { pending.reserveCapacity(Self.batchLines) }

    /// Adds a line; decodes and delivers the batch when it is full.
    mutating func add(_ line: [UInt8], to deliver: (AuditEntry) -> Void) {
        pending.append(line)
        if pending.count == Self.batchLines { flush(to: deliver) }
    }

    /// Decodes and delivers what is pending. After a line that does not decode, nothing more is delivered.
    mutating func flush(to deliver: (AuditEntry) -> Void) {
        guard failure == nil, !pending.isEmpty else { pending.removeAll(keepingCapacity: true); return }
        let lines = pending
        pending.removeAll(keepingCapacity: true)
        let results = UnsafeMutableBufferPointer<Result<AuditEntry, any Error>?>.allocate(capacity: lines.count)
        results.initialize(repeating: nil)
        defer { results.deinitialize(); results.deallocate() }
        nonisolated(unsafe) let out = results
        let chunk = 64
        DispatchQueue.concurrentPerform(iterations: (lines.count + chunk - 1) / chunk) { c in
            for i in (c * chunk)..<min(lines.count, (c + 1) * chunk) { out[i] = Result { try AuditJSONLines.decode(lines[i]) } }
        }
        for r in results {
            switch r {
            case .success(let e)?: deliver(e)
            case .failure(let error)?: failure = error; return
            case nil: return
            }
        }
    }
}
