import LockstepCore

/// A seeded byte mutator: the same seed gives the same cases, so a finding is reproduced by
/// its seed and case number alone (docs/fuzzing.md says why this is not libFuzzer).
struct Mutator {
    private var random: SeededRandom

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    mutating func next() -> UInt64 { random.next() }

    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }

    /// Bytes that break parsers: NUL, CR, LF, quotes, YAML and JSON punctuation, non-UTF-8.
    static let interesting: [UInt8] = [0x00, 0x0D, 0x0A, 0x09, 0x20, 0x22, 0x27, 0x3A, 0x2C, 0x7B, 0x7D, 0x5B, 0x5D, 0x23, 0x26, 0x2A, 0x2D, 0x7C, 0x3E, 0x5C, 0x7F, 0x80, 0xC3, 0xFF]

    /// One to four mutations of `input`; `tokens` are spliced in whole (keys, keywords).
    mutating func mutate(_ input: [UInt8], tokens: [[UInt8]], others: [[UInt8]]) -> [UInt8] {
        var bytes = input
        for _ in 0...below(4) {
            let at = below(bytes.count + 1)
            switch below(8) {
            case 0 where !bytes.isEmpty: bytes[min(at, bytes.count - 1)] ^= UInt8(1 << below(8))
            case 1 where !bytes.isEmpty: bytes[min(at, bytes.count - 1)] = Self.interesting[below(Self.interesting.count)]
            case 2: bytes.insert(Self.interesting[below(Self.interesting.count)], at: at)
            case 3 where !bytes.isEmpty:
                let end = min(bytes.count, at + 1 + below(16))
                bytes.removeSubrange(min(at, bytes.count - 1)..<end)
            case 4 where !bytes.isEmpty:
                // Duplicate a line-sized range: duplicate keys, repeated entries.
                let start = min(at, bytes.count - 1), end = min(bytes.count, start + 1 + below(80))
                bytes.insert(contentsOf: bytes[start..<end], at: below(bytes.count + 1))
            case 5 where !tokens.isEmpty: bytes.insert(contentsOf: tokens[below(tokens.count)], at: at)
            case 6 where !others.isEmpty:
                let other = others[below(others.count)]
                let cut = below(other.count + 1)
                bytes = Array(bytes[..<at]) + other[cut...]
            default:
                if !bytes.isEmpty { bytes.swapAt(below(bytes.count), below(bytes.count)) }
            }
        }
        return bytes
    }
}
