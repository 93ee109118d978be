import Foundation
import LockstepCore

/// `lockstep-fuzz [--seconds N] [--seed S] [--corpus DIR] [TARGET…]`: a seeded mutation loop over
/// the corpus of each target (policy, audit, admin), for a bounded time. Prints cases, time and
/// findings per target; exit 1 on a finding (its case is written to findings/).
let arguments = Array(CommandLine.arguments.dropFirst())
func option(_ name: String) -> String? { arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil } }
let seconds = option("--seconds").flatMap(Double.init) ?? 3
let seed = option("--seed").flatMap { UInt64($0) } ?? 1
let corpus = option("--corpus") ?? "Tests/Fuzz/corpus"
let optionNames: Set = ["--seconds", "--seed", "--corpus"]
let named = arguments.enumerated().filter { i, a in !a.hasPrefix("--") && (i == 0 || !optionNames.contains(arguments[i - 1])) }.map(\.1)

func files(_ folder: String) -> [[UInt8]] {
    let dir = "\(corpus)/\(folder)"
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    return names.compactMap { FileManager.default.contents(atPath: "\(dir)/\($0)").map(Array.init) }
}

func require(_ inputs: [[UInt8]], _ folder: String) -> [[UInt8]] {
    guard !inputs.isEmpty else {
        FileHandle.standardError.write(Data("lockstep-fuzz: error: no corpus files in \(corpus)/\(folder)\n".utf8))
        exit(2)
    }
    return inputs
}

var targets: [(FuzzTarget, [[UInt8]])] = []
if named.isEmpty || named.contains("policy") { targets.append((PolicyTarget.target, require(files("policy"), "policy"))) }
if named.isEmpty || named.contains("admin") { targets.append((AdminBodyTarget.target, require(files("admin"), "admin"))) }
if named.isEmpty || named.contains("audit") {
    let export = require(files("audit"), "audit")[0]
    guard let keyText = FileManager.default.contents(atPath: "\(corpus)/audit-public-key"),
          let key = Data(base64Encoded: String(decoding: keyText, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
        FileHandle.standardError.write(Data("lockstep-fuzz: error: no \(corpus)/audit-public-key\n".utf8))
        exit(2)
    }
    targets.append((AuditTarget.target(export: export, publicKey: Array(key)), [export]))
}

var findings: [Finding] = []
for (target, inputs) in targets {
    var mutator = Mutator(seed: seed)
    let started = ContinuousClock.now
    let deadline = started + .milliseconds(Int64(seconds * 1000))
    var cases = 0
    // The corpus itself first, then mutations of it.
    for input in inputs { if let p = target.check(input) { findings.append(Finding(target: target.name, caseNumber: cases, input: input, problem: p)) }; cases += 1 }
    while ContinuousClock.now < deadline {
        for _ in 0..<64 {
            let input = mutator.mutate(inputs[mutator.below(inputs.count)], tokens: target.tokens, others: inputs)
            if let p = target.check(input) {
                findings.append(Finding(target: target.name, caseNumber: cases, input: input, problem: p))
            }
            cases += 1
        }
    }
    let elapsed = ContinuousClock.now - started
    let mine = findings.filter { $0.target == target.name }
    print("\(target.name): \(cases) cases in \(elapsed.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1)))), seed \(seed), \(mine.count) finding(s)")
    for f in mine.prefix(5) { print("  case \(f.caseNumber): \(f.problem)") }
}
if !findings.isEmpty {
    try? FileManager.default.createDirectory(atPath: "findings", withIntermediateDirectories: true)
    for f in findings.prefix(20) { _ = FileManager.default.createFile(atPath: "findings/\(f.target)-\(seed)-\(f.caseNumber)", contents: Data(f.input)) }
    exit(1)
}
