import Foundation
import LockstepBench
import LockstepScenario

// `scripts/bench rotation`: master-key rotations under steady backend load, side by side —
// naive (kubectl by hand) and Lockstep restart-together on real LiteLLM, Lockstep bridge on the
// database-mode stand-in — then a revoke of each. Prints the Markdown section for
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

/// Runs `body` on a fresh scenario and always stops it.
func onScenario<T: Sendable>(_ gateway: ScenarioOptions.Gateway, _ body: @Sendable (RotationBenchmark) async throws -> T) async throws -> T {
    let scenario = try await RunningScenario.start(ScenarioOptions(gateway: gateway), tools: tools, directory: work.appendingPathComponent(gateway.rawValue), log: progress)
    do {
        let result = try await body(RotationBenchmark(scenario: scenario, tools: tools, policies: repo + "/policies", log: progress))
        await scenario.stop()
        return result
    } catch {
        await scenario.stop()
        throw error
    }
}

let bench = Task { () -> Int32 in
    do {
        defer { try? FileManager.default.removeItem(at: work) }
        let (naive, together, revokeTogether) = try await onScenario(.litellm) { b in
            // Naive first, then one adopted vault for every Lockstep run (see RotationBenchmark.adopt).
            var naive: [RotationRun] = [], together: [RotationRun] = []
            for i in 1...repeats { progress("naive #\(i)"); naive.append(try await b.naive()) }
            let vault = try await b.adopt()
            for i in 1...repeats { progress("lockstep restart-together #\(i)"); together.append(try await b.lockstep(strategy: "restart-together", vault: vault)) }
            progress("revoke (restart-together)")
            return (naive, together, try await b.revoke(strategy: "restart-together", vault: vault))
        }
        let (bridge, revokeBridge) = try await onScenario(.standIn) { b in
            var bridge: [RotationRun] = []
            let vault = try await b.adopt()
            for i in 1...repeats { progress("lockstep bridge #\(i)"); bridge.append(try await b.lockstep(strategy: "bridge", vault: vault)) }
            progress("revoke (bridge)")
            return (bridge, try await b.revoke(strategy: "bridge", vault: vault))
        }
        let revokes = [("Lockstep restart-together, real LiteLLM", revokeTogether), ("Lockstep bridge, litellm-standin (STAND-IN)", revokeBridge)]
        print(RotationReport.markdown(naive: naive, together: together, bridge: bridge, revokes: revokes, repeats: repeats))
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
