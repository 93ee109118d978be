import Foundation
import LockstepBench
import LockstepScenario

// `scripts/bench rotation`: master-key rotations under steady backend load, side by side —
// naive (kubectl by hand), Lockstep restart-together (gateway first), key-ring (volume
// propagation 1 s and 30 s) and blue-green on real LiteLLM, Lockstep bridge on the database-mode
// stand-in — then revokes (key-ring, restart-together, `--immediate`, blue-green, bridge). Prints the Markdown section for
// docs/benchmarks.md on stdout; progress on stderr. Usage: lockstep-bench-rotation --repo DIR [--repeats 3]

func option(_ name: String) -> String? {
    let args = CommandLine.arguments
    return args.firstIndex(of: name).flatMap { $0 + 1 < args.count ? args[$0 + 1] : nil }
}
func progress(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

let signals = SignalWaiter([SIGINT, SIGTERM])
let repo = option("--repo") ?? FileManager.default.currentDirectoryPath
let repeats = max(1, Int(option("--repeats") ?? "3") ?? 3)
let products = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
let tools = ScenarioTools(productsDirectory: products, litellm: ScenarioTools.findLiteLLM(repository: repo))
let work = URL(fileURLWithPath: NSTemporaryDirectory() + "lockstep-bench-rotation-\(getpid())")
/// `--only blue-green`: that scenario alone (its rows of the section), e.g. to add it to figures measured before.
let only = option("--only")

/// Runs `body` on a fresh scenario and always stops it.
func onScenario<T: Sendable>(_ options: ScenarioOptions, _ label: String, _ body: @Sendable (RotationBenchmark) async throws -> T) async throws -> T {
    try await RunningScenario.with(options, tools: tools, directory: work.appendingPathComponent(label), log: progress) {
        try await body(RotationBenchmark(scenario: $0, tools: tools, policies: repo + "/policies", log: progress))
    }.0
}

/// Blue-green: its own layout (two gateway Deployments, green at 0), nothing installed in
/// LiteLLM. Volumes play no part (the master key is an env var), so there is one delay only.
func measureBlueGreen(_ results: inout RotationReport.Results) async throws {
    var colours = ScenarioOptions(gateway: .litellm)
    colours.blueGreen = true
    let blueGreen = try await onScenario(colours, "litellm-blue-green") { b in
        var runs: [RotationRun] = []
        let vault = try await b.adopt(strategy: "blue-green")
        for i in 1...repeats { progress("lockstep blue-green #\(i)"); runs.append(try await b.lockstep(strategy: "blue-green", vault: vault)) }
        progress("revoke (blue-green)")
        return (runs, try await b.revoke(strategy: "blue-green", vault: vault))
    }
    results.blueGreen = blueGreen.0
    results.revokes.append(("Lockstep blue-green, real LiteLLM (no volume involved)", blueGreen.1))
}

let bench = Task { () -> Int32 in
    do {
        defer { try? FileManager.default.removeItem(at: work) }
        var results = RotationReport.Results()
        results.repeats = repeats
        if only == "incident" {
            print(try await IncidentBenchmark.markdown(runs: repeats, tools: tools, work: work, log: progress))
            return 0
        }
        if only == "blue-green" {
            try await measureBlueGreen(&results)
            print(RotationReport.markdown(results))
            return 0
        }
        // Real LiteLLM with the key-ring module installed, volumes updated 1 s after a change.
        let fast = try await onScenario(ScenarioOptions(gateway: .litellm), "litellm") { b in
            var r = RotationReport.Results()
            // Naive first, then one adopted vault for every Lockstep run (see RotationBenchmark.adopt).
            for i in 1...repeats { progress("naive #\(i)"); r.naive.append(try await b.naive()) }
            let vault = try await b.adopt()
            for i in 1...repeats { progress("lockstep restart-together #\(i)"); r.together.append(try await b.lockstep(strategy: "restart-together", vault: vault)) }
            for i in 1...repeats { progress("lockstep key-ring #\(i)"); r.keyRing.append(try await b.lockstep(strategy: "key-ring", vault: vault)) }
            progress("revoke (restart-together)")
            r.revokes.append(("Lockstep restart-together, real LiteLLM", try await b.revoke(strategy: "restart-together", vault: vault)))
            progress("revoke (key-ring, propagation 1 s)")
            r.revokes.append(("Lockstep key-ring, real LiteLLM, propagation 1 s", try await b.revoke(strategy: "key-ring", vault: vault)))
            progress("revoke --immediate")
            r.revokes.append(("Lockstep `revoke --immediate` (both at once, gateway maxSurge 100%), real LiteLLM", try await b.revoke(strategy: "key-ring", vault: vault, immediate: true)))
            return r
        }
        results.naive = fast.naive; results.together = fast.together; results.keyRing = fast.keyRing; results.revokes = fast.revokes
        // The same with a 30 s propagation delay (a kubelet takes 60–90 s; the shape is the same).
        var slowOptions = ScenarioOptions(gateway: .litellm)
        slowOptions.volumeSyncDelay = .seconds(30)
        let slow = try await onScenario(slowOptions, "litellm-slow") { b in
            let vault = try await b.adopt()
            progress("lockstep key-ring, propagation 30 s")
            let run = try await b.lockstep(strategy: "key-ring", vault: vault)
            progress("revoke (key-ring, propagation 30 s)")
            return (run, try await b.revoke(strategy: "key-ring", vault: vault))
        }
        results.keyRingSlow = [slow.0]
        results.revokes.append(("Lockstep key-ring, real LiteLLM, propagation 30 s", slow.1))
        try await measureBlueGreen(&results)
        let bridge = try await onScenario(ScenarioOptions(gateway: .standIn), "standin") { b in
            var runs: [RotationRun] = []
            let vault = try await b.adopt()
            for i in 1...repeats { progress("lockstep bridge #\(i)"); runs.append(try await b.lockstep(strategy: "bridge", vault: vault)) }
            progress("revoke (bridge)")
            return (runs, try await b.revoke(strategy: "bridge", vault: vault))
        }
        results.bridge = bridge.0
        results.revokes.append(("Lockstep bridge, litellm-standin (STAND-IN)", bridge.1))
        print(RotationReport.markdown(results))
        return 0
    } catch {
        progress("bench: error: \(error)")
        return 1
    }
}
let interrupt = Task {
    _ = await signals.wait()
    progress("bench: interrupted; stopping every process it started")
    bench.cancel()
}
let code = await bench.value
interrupt.cancel()
exit(code)
