import Foundation
import LockstepBench
import LockstepScenario

// `scripts/demo`: a real rotation on KubeSim with real LiteLLM pods under load, through the real
// `lockstep` CLI. Usage: lockstep-demo --repo DIR --work DIR (the built tools are found next to
// this executable). SIGINT/SIGTERM stop every process it started, then it exits 130.

func option(_ name: String) -> String? {
    let args = CommandLine.arguments
    return args.firstIndex(of: name).flatMap { $0 + 1 < args.count ? args[$0 + 1] : nil }
}

let signals = SignalWaiter([SIGINT, SIGTERM])
let repo = option("--repo") ?? FileManager.default.currentDirectoryPath
let work = URL(fileURLWithPath: option("--work") ?? NSTemporaryDirectory() + "lockstep-demo-\(getpid())")
let products = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
let tools = ScenarioTools(productsDirectory: products, litellm: ScenarioTools.findLiteLLM(repository: repo))
let transcript = Transcript { FileHandle.standardOutput.write(Data($0.utf8)) }

let demo = Task { () -> Int32 in
    do {
        let o = try await Demo(tools: tools, policies: repo + "/policies", directory: work, transcript: transcript).run()
        let ok = o.adopted && o.rotated && o.revoked && o.auditVerified && o.initialKeyRefused && !o.keyInOutput
        transcript.say(ok ? "\ndemo: ok — adopted, rotated in lockstep, revoked, every step audited and verified; no key shown."
                          : "\ndemo: FAILED (adopted \(o.adopted), rotated \(o.rotated), revoked \(o.revoked), audit verified \(o.auditVerified), first key refused \(o.initialKeyRefused), key shown \(o.keyInOutput))")
        return ok ? 0 : 1
    } catch is CancellationError {
        return 130
    } catch {
        FileHandle.standardError.write(Data("demo: error: \(error)\n".utf8))
        return Task.isCancelled ? 130 : 1
    }
}
let interrupt = Task {
    _ = await signals.wait()
    FileHandle.standardError.write(Data("demo: interrupted; stopping every process it started\n".utf8))
    demo.cancel()
}
let code = await demo.value
interrupt.cancel()
exit(code)
