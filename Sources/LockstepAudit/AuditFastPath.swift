import Foundation
import LockstepCrypto

/// The links of the hash chain: all that ordering checks need from an entry.
struct ChainLink: Sendable, Equatable {
    var seq: UInt64
    var prev: [UInt8]
    var hash: [UInt8]
}

/// Verification without a JSON parser for lines exactly as Lockstep writes them: the canonical
/// bytes are the line minus its fixed-size `,"hash":…,"sig":…` tail, so hashing them directly and
/// checking the signature proves the line authentic; `seq` and `prev` then sit at fixed places.
/// A line that does not have this exact shape (reformatted, or tampered) takes the slow path:
/// full decoding, canonical re-encoding, and the precise diagnosis.
enum AuditFastPath {
    static let hashMarker = Array(#","hash":""#.utf8)
    static let sigMarker = Array(#"","sig":""#.utf8)
    static let head = Array(#"{"v":1,"seq":"#.utf8)
    static let prevMarker = Array(#","prev":""#.utf8)
    /// `,"hash":"` + 64 hex + `","sig":"` + 88 Base64 + `"}`.
    static let tailLength = 9 + 64 + 9 + 88 + 2

    struct Parsed {
        var link: ChainLink
        var canonical: [UInt8]
        var signature: [UInt8]
    }

    static func parse(_ line: ArraySlice<UInt8>) -> Parsed? {
        let bytes = Array(line)
        let n = bytes.count
        guard n > tailLength + head.count + 80, bytes.starts(with: head),
              bytes[n - 2] == UInt8(ascii: "\""), bytes[n - 1] == UInt8(ascii: "}") else { return nil }
        let tail = n - tailLength
        guard Array(bytes[tail..<(tail + 9)]) == hashMarker, Array(bytes[(tail + 73)..<(tail + 82)]) == sigMarker,
              let hash = Hex.decode(String(decoding: bytes[(tail + 9)..<(tail + 73)], as: UTF8.self)),
              let sig = Data(base64Encoded: Data(bytes[(tail + 82)..<(n - 2)])), sig.count == 64,
              // Decoding forgives upper-case hex and other unused Base64 bits; the export form does not.
              Array(Hex.encode(hash).utf8) == Array(bytes[(tail + 9)..<(tail + 73)]),
              Array(sig.base64EncodedString().utf8) == Array(bytes[(tail + 82)..<(n - 2)]) else { return nil }
        // The canonical bytes end with ,"prev":"<64 hex>"} ; the tail replaced that final brace.
        let prevStart = tail - 1 - 64
        guard prevStart - 9 > head.count, Array(bytes[(prevStart - 9)..<prevStart]) == prevMarker, bytes[tail - 1] == UInt8(ascii: "\""),
              let prev = Hex.decode(String(decoding: bytes[prevStart..<(tail - 1)], as: UTF8.self)) else { return nil }
        var seq: UInt64 = 0
        var i = head.count
        while i < n, bytes[i] >= 48, bytes[i] <= 57 {
            let (m, o1) = seq.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(bytes[i] - 48))
            guard !o1, !o2 else { return nil }
            seq = s
            i += 1
        }
        guard i > head.count, i < n, bytes[i] == UInt8(ascii: ",") else { return nil }
        var canonical = Array(bytes[0..<tail])
        canonical.append(UInt8(ascii: "}"))
        return Parsed(link: ChainLink(seq: seq, prev: prev, hash: hash), canonical: canonical, signature: Array(sig))
    }
}
