import LockstepAudit
import LockstepCore

/// `audit verify` on mutated copies of a real signed export: a changed export must never verify
/// against the head of the original; no crash, no hang.
enum AuditTarget {
    static let tokens = ["{\"seq\":", "\"hash\":\"", "\"prev\":\"", "\"sig\":\"", "\"detail\":", "null", "\\u0000", "\"seq\":1,\"seq\":2", "\n", "1e2", "-0"].map { Array($0.utf8) }

    static func target(export: [UInt8], publicKey: [UInt8]) -> FuzzTarget {
        let verifier = AuditVerifier(publicKey: publicKey, parallel: false)
        let original = verifier.verify(lines: lines(export))
        let head = original.lastSeq.flatMap { seq in original.lastHash.map { AuditHead(seq: seq, hash: $0) } }
        return FuzzTarget(name: "audit", tokens: tokens) { bytes in
            let report = verifier.verify(lines: lines(bytes), head: head)
            if report.ok, lines(bytes).map(Array.init) != lines(export).map(Array.init) {
                return "a changed export verifies against the original head (\(report.entries) entries)"
            }
            return nil
        }
    }

    static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var parts = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if parts.last?.isEmpty == true { parts.removeLast() }
        return parts
    }
}
