import Foundation

/// A minimal A/B harness: runs each contender in alternating rounds (so drift in machine load
/// hits both alike) and reports the median time per operation.
struct Contender {
    let name: String
    /// Runs `n` operations.
    let run: (Int) throws -> Void
}

struct Result {
    let name: String
    let nsPerOp: Double
    var opsPerSecond: Double { 1e9 / nsPerOp }
}

func abCompare(_ contenders: [Contender], opsPerRound: Int, rounds: Int) throws -> [Result] {
    var samples = Array(repeating: [Double](), count: contenders.count)
    for c in contenders { try c.run(max(1, opsPerRound / 10)) } // warm-up
    for _ in 0..<rounds {
        for (i, c) in contenders.enumerated() {
            let start = ContinuousClock.now
            try c.run(opsPerRound)
            let elapsed = ContinuousClock.now - start
            samples[i].append(Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9)
        }
    }
    return contenders.enumerated().map { i, c in
        let sorted = samples[i].sorted()
        return Result(name: c.name, nsPerOp: sorted[sorted.count / 2] / Double(opsPerRound))
    }
}

func timeOnce(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let e = ContinuousClock.now - start
    return Double(e.components.seconds) * 1e3 + Double(e.components.attoseconds) / 1e15
}

func medianMillis(_ repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    var t: [Double] = []
    for _ in 0..<repeats { t.append(try timeOnce(body)) }
    return t.sorted()[t.count / 2]
}

func fmt(_ v: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", v) }
