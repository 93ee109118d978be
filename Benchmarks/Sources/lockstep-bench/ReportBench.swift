import Foundation
import LockstepAudit
import LockstepCore
import LockstepCrypto
import LockstepReport

/// `lockstep report` on a 100,000-entry export: the release CLI run as a child process (wall
/// time and its own peak resident memory from wait4), beside `lockstep audit verify` of the same
/// file (the verification the report performs in the same pass) and, in process, the fold alone.
/// A 10,000-entry export shows that memory does not grow with the log.
func reportBench(entries count: Int, cli: String) throws -> String {
    let dir = NSTemporaryDirectory() + "lockstep-report-bench-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let signer = try SigningKeyPair.generate()
    let big = dir + "/big.jsonl", small = dir + "/small.jsonl"
    // Written as generated, never held: a child's peak RSS (wait4) starts from this process's
    // high-water mark (posix_spawn shares its memory until exec), so this process stays small
    // until every child has run.
    let last = try writeBenchLog(count, signer: signer, to: big)
    let smallLast = try writeBenchLog(count / 10, signer: signer, to: small)
    let parentKiB = highWaterKiB()
    let key = Data(signer.publicKey).base64EncodedString()
    let out = dir + "/report.out"
    func report(_ file: String, _ format: String, since: Timestamp? = nil) -> [String] {
        ["report", "--export", file, "--public-key", key, "--format", format, "-o", out] + (since.map { ["--since", $0.rfc3339] } ?? [])
    }
    func dayBefore(_ t: Timestamp) -> Timestamp { Timestamp(millisecondsSinceEpoch: t.millisecondsSinceEpoch - 86_400_000) }
    func size() -> Int { (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0 }

    let verify = try childRuns(cli, ["audit", "verify", big, "--public-key", key])
    let json = try childRuns(cli, report(big, "json"))
    let jsonSize = size()
    let html = try childRuns(cli, report(big, "html"))
    let htmlSize = size()
    let lastDay = try childRuns(cli, report(big, "json", since: dayBefore(last)))
    let smallLastDay = try childRuns(cli, report(small, "json", since: dayBefore(smallLast)))

    // In process, alternating: the verification alone, and the whole report (verify + decode +
    // fold + render JSON); the difference is what the report adds to the verification.
    var verifyMs: [Double] = [], reportMs: [Double] = []
    for _ in 0..<3 {
        verifyMs.append(try timeOnce {
            var reader = try AuditLineReader(path: big)
            precondition(AuditVerifier(publicKey: signer.publicKey).verify(reader: &reader).ok, "the bench log does not verify")
        })
        reportMs.append(try timeOnce {
            _ = try ReportFormat.json.render(try ReportGenerator.build(from: .export(path: big, publicKey: signer.publicKey, head: nil), policies: []))
        })
    }
    let verifyIn = verifyMs.sorted()[1], reportIn = reportMs.sorted()[1], added = reportIn - verifyIn
    let bytes = (try FileManager.default.attributesOfItem(atPath: big)[.size] as? Int) ?? 0
    let cores = ProcessInfo.processInfo.activeProcessorCount
    func row(_ name: String, _ r: ChildRuns) -> String { "| \(name) | \(fmt(r.medianMillis, 0)) | \(fmt(Double(r.peakKiB) / 1024, 1)) |" }
    return """
    | \(count) entries (\(bytes / 1_048_576) MiB JSON Lines), 50 credentials | median ms (3 runs) | peak RSS MiB |
    |---|---:|---:|
    \(row("release CLI: `lockstep audit verify` (reference: the verification alone, all \(cores) cores)", verify))
    \(row("release CLI: `lockstep report --export … --format json`: verify + fold + render, every run listed (\(jsonSize / 1024) KiB)", json))
    \(row("release CLI: `lockstep report --export … --format html`: the same as HTML (\(htmlSize / 1024) KiB)", html))
    \(row("release CLI: `lockstep report --export … --format json --since` the last day (the same fold, little listed)", lastDay))
    \(row("the same on a \(count / 10)-entry export", smallLastDay))
    | in process: `AuditVerifier` over the file (the verification alone) | \(fmt(verifyIn, 0)) | — |
    | in process: `ReportGenerator.build` + JSON (verify, decode, fold, render) | \(fmt(reportIn, 0)) | — |
    | what the report adds to the verification (the two rows above) | \(fmt(added, 0)) | — |

    Target: under 2 s, streaming. What the report adds to verifying the log (decoding every entry, the fold, rendering) takes \(fmt(added, 0)) ms for \(count) entries: \(added < 2000 ? "met" : "NOT met"). The whole command takes \(fmt(json.medianMillis, 0)) ms: \(json.medianMillis < 2000 ? "met" : "NOT met"); it checks every Ed25519 signature in the same pass, and that alone takes \(fmt(verify.medianMillis, 0)) ms here. Streaming: with little listed, peak memory is \(fmt(Double(lastDay.peakKiB) / 1024, 1)) MiB for \(count) entries and \(fmt(Double(smallLastDay.peakKiB) / 1024, 1)) MiB for \(count / 10) (\(Double(lastDay.peakKiB) < Double(smallLastDay.peakKiB) * 1.25 ? "flat: it does not grow with the log" : "it grows with the log")); a full report holds what it lists (every run and version: \(jsonSize / 1024) KiB as JSON) until it is written. Peak RSS is read with wait4 and includes at most the bench process's own high-water mark at spawn time (\(fmt(Double(parentKiB) / 1024, 1)) MiB).

    """
}

/// This process's peak resident set size so far (KiB).
private func highWaterKiB() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss
}

/// A log shaped like the engine's: per credential, an import and then rotation runs of eleven
/// entries each (every tenth rolled back, every twenty-fifth a revoke), a day apart.
private func writeBenchLog(_ count: Int, signer: SigningKeyPair, to path: String) throws -> Timestamp {
    guard FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) else { throw BenchFailure("cannot write \(path)") }
    defer { try? file.close() }
    var written = 0
    var head: AuditHead?
    var t: Int64 = 1_780_000_000_000
    func add(_ d: AuditDraft) throws {
        guard written < count else { return }
        t += 1_000
        let e = try AuditChain.seal(d, after: head, time: Timestamp(millisecondsSinceEpoch: t), signer: signer)
        head = AuditHead(seq: e.seq, hash: e.hash)
        try file.write(contentsOf: AuditJSONLines.line(e))
        written += 1
    }
    func fp() -> String { "b2k:" + Hex.encode(SecureRandom.bytes(16)) }
    let system = AuditActor(kind: .system, id: "bench")
    try add(AuditDraft(actor: system, action: AuditAction.vaultInitialized, detail: "format 1, key file"))
    for c in 0..<50 { try add(AuditDraft(actor: system, action: AuditAction.credentialImported, credential: "credential-\(c)", version: 1, fingerprints: ["current": fp()], detail: "kind generic; adopted as current")) }
    var run = 0
    var version = [Int](repeating: 1, count: 50)
    while written < count {
        let c = run % 50, name = "credential-\(c)", id = "\(name)-\(t)"
        let revoke = run % 25 == 24, fails = run % 10 == 9
        let actor = revoke ? AuditActor(kind: .incident, id: "INC-\(run)") : AuditActor(kind: .schedule, id: name)
        if c == 0 { t += 86_400_000 }
        let v = version[c] + 1
        version[c] = v
        let target = [AuditTarget(namespace: "litellm-system", name: "litellm-masterkey", key: "masterkey", resourceVersionBefore: "\(run)", resourceVersionAfter: "\(run + 1)")]
        func step(_ action: AuditAction, _ outcome: AuditOutcome, _ detail: String) throws {
            try add(AuditDraft(actor: actor, action: action, credential: name, version: v, targets: target, outcome: outcome, detail: "run \(id): \(detail)"))
        }
        try add(AuditDraft(actor: actor, action: AuditAction.rotationStarted, credential: name, outcome: .started, detail: "run \(id); \(revoke ? "revoke" : "rotate"); strategy key-ring; reason: bench"))
        try step(AuditAction.checkPassed, .success, "preflight: access, drift and gateway ok")
        try add(AuditDraft(actor: actor, action: AuditAction.versionCreated, credential: name, version: v, fingerprints: ["new": fp()], detail: "run \(id); source generated; pending"))
        try step(AuditAction.secretPatched, .started, "writing the new value")
        try step(AuditAction.secretPatched, .success, "written")
        try step(AuditAction.workloadRestarted, .started, "v\(v)")
        try step(AuditAction.workloadRestarted, .success, "v\(v)")
        try step(AuditAction.workloadRolledOut, .success, "rolled out")
        if fails {
            try step(AuditAction.checkFailed, .failure, "check failed: the new key is accepted after 20 attempts")
            try add(AuditDraft(actor: actor, action: AuditAction.rotationRolledBack, credential: name, version: v, outcome: .failure, detail: "run \(id); v\(v) failed; old value restored and verified; cause: bench"))
        } else {
            try step(AuditAction.checkPassed, .success, revoke ? "old key refused by the gateway" : "new key accepted by the gateway")
            try add(AuditDraft(actor: actor, action: revoke ? AuditAction.credentialRevoked : AuditAction.rotationFinished, credential: name, version: v,
                               fingerprints: ["new": fp(), "old": fp()], detail: "run \(id); v\(v) current; v\(v - 1) previous"))
        }
        run += 1
    }
    return Timestamp(millisecondsSinceEpoch: t)
}

struct ChildRuns {
    var medianMillis: Double
    var peakKiB: Int
}

/// Runs `binary args` three times (posix_spawn, output to /dev/null) and reads each child's own
/// peak resident set size from wait4, so that the bench process's memory does not count.
private func childRuns(_ binary: String, _ args: [String]) throws -> ChildRuns {
    var times: [Double] = [], peak = 0
    for _ in 0..<3 {
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([binary] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let start = ContinuousClock.now
        guard posix_spawn(&pid, binary, &actions, nil, argv, environ) == 0 else { throw BenchFailure("cannot start \(binary)") }
        var status: Int32 = 0
        var usage = rusage()
        guard wait4(pid, &status, 0, &usage) == pid else { throw BenchFailure("wait4 failed") }
        let e = ContinuousClock.now - start
        guard status == 0 else { throw BenchFailure("\(args.prefix(2).joined(separator: " ")) exited with status \(status)") }
        times.append(Double(e.components.seconds) * 1e3 + Double(e.components.attoseconds) / 1e15)
        peak = max(peak, usage.ru_maxrss)
    }
    return ChildRuns(medianMillis: times.sorted()[1], peakKiB: peak)
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
