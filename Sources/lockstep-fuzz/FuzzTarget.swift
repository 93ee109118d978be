/// One thing fuzzed: its seed inputs and the check of one case. A check returns what was
/// wrong (a finding), or nil; a crash or a hang is a finding too (the run never ends well).
struct FuzzTarget {
    let name: String
    /// Spliced in whole by the mutator: the grammar's words.
    let tokens: [[UInt8]]
    let check: ([UInt8]) -> String?
}

/// A finding: which case (reproducible from the seed), and what held it.
struct Finding {
    let target: String
    let caseNumber: Int
    let input: [UInt8]
    let problem: String
}
