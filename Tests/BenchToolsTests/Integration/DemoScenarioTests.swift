import Foundation
import LockstepScenario
import Synchronization
import Testing

/// The scenario `scripts/demo` runs (`lockstep-demo` only adds signal handling and printing):
/// KubeSim with 2 real LiteLLM pods and 2 lockstep-load pods, and the real `lockstep` CLI.
@Suite("The demo: adopt, rotate and revoke on KubeSim with real LiteLLM under load", .serialized,
       .enabled(if: Binaries.litellm != nil || Binaries.inCI, "LiteLLM not installed (scripts/setup); CI=true makes this a failure"))
struct DemoScenarioTests {
    @Test("every step succeeds, the audit log verifies (and a tampered copy does not), the first key is refused, no key in the output")
    func demoRuns() async throws {
        let litellm = try #require(Binaries.litellm, "LiteLLM not found (scripts/setup or LITELLM_BIN)")
        let dir = try TempDirectory("demo")
        // Each line the demo shows, with when it was shown: a failed request's time is then placed among the steps.
        let timeline = TimedLines()
        let transcript = Transcript { line in timeline.add(line) }
        let tools = ScenarioTools(productsDirectory: URL(fileURLWithPath: Binaries.load).deletingLastPathComponent().path, litellm: litellm)
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let started = ContinuousClock.now
        let o = try await Demo(tools: tools, policies: repository.appendingPathComponent("policies").path, directory: URL(fileURLWithPath: dir.path), transcript: transcript).run()
        print("demo scenario took \(ContinuousClock.now - started); backend: \(o.backend.total) requests, \(o.backend.failed) failed (\(o.backend.statusSummary)); \(o.backend.retrySummary)")
        let text = transcript.all
        #expect(o.adopted && text.contains("adopted litellm-master-key from 2 target(s)"), "\(text.suffix(3000))")
        #expect(o.rotated && text.contains("litellm-master-key") && text.contains(": succeeded"), "\(text.suffix(3000))")
        #expect(o.revoked && text.contains("old key refused"), "\(text.suffix(3000))")
        #expect(o.auditVerified && text.contains("is in it and matches)"))
        #expect(o.initialKeyRefused)
        #expect(text.contains("credential.revoked") && text.contains("rotation.finished"), "history and the audit table are shown")
        #expect(o.backend.total > 50, "the backend sent load throughout")
        // The shipped policy is key-ring: the backend does not notice the rotation or the revoke.
        #expect(text.contains("strategy key-ring"), "the demo says which strategy it used")
        #expect(o.backend.failed == 0, "backend failures: \(o.backend.failed) (\(o.backend.statusSummary)); \(o.backend.retrySummary): \(o.backend.failureLines.joined(separator: "; ")); the demo's lines with their times: \(timeline.text.suffix(6000))")
        #expect(o.keys.count == 3, "initial, rotated and revoked-to keys were captured for the leak check")
        #expect(!o.keyInOutput && !transcript.contains(anyOf: o.keys), "no master key in the demo's output")
    }
}

/// Lines with the time each arrived (UTC, milliseconds), for placing failures among the steps.
final class TimedLines: Sendable {
    private let lines = Mutex<[String]>([])
    func add(_ line: String) {
        let stamp = Date().formatted(.iso8601.time(includingFractionalSeconds: true))
        lines.withLock { $0.append("\(stamp) \(line.trimmingCharacters(in: .newlines))") }
    }
    var text: String { lines.withLock { $0.joined(separator: "\n") } }
}
