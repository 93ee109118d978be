import Foundation
import LockstepApp
import LockstepScenario
import LockstepTesting
import Testing

/// `lockstep revoke --all` end to end: real LiteLLM pods on KubeSim whose models are Azure
/// OpenAI, OpenAI, Gemini and Anthropic (the fake provider with their admin APIs), backend pods asking each,
/// the master key on the shipped key-ring strategy.
@Suite("Incident: revoke --all on a compromised gateway, under load", .serialized,
       .enabled(if: Binaries.litellm != nil || Binaries.inCI, "LiteLLM not installed (scripts/setup); CI=true makes this a failure"))
struct IncidentScenarioTests {
    @Test("every old value refused at its source (gateway, Azure, Google, OpenAI, Anthropic), 0 failed backend requests, history shows the same report, no key in the output")
    func revokeAll() async throws {
        let litellm = try #require(Binaries.litellm, "LiteLLM not found (scripts/setup or LITELLM_BIN)")
        let dir = try TempDirectory("incident")
        let timeline = TimedLines()
        let transcript = Transcript { line in timeline.add(line) }
        let tools = ScenarioTools(productsDirectory: URL(fileURLWithPath: Binaries.load).deletingLastPathComponent().path, litellm: litellm)
        let o = try await IncidentDrill(tools: tools, directory: URL(fileURLWithPath: dir.path), transcript: transcript).run()
        let report = try #require(o.report, "revoke --all printed no report (exit \(o.exitCode)): \(timeline.text.suffix(4000))")
        print("incident drill: revoke --all took \(String(format: "%.1f", o.seconds)) s, every old value refused after \(report.everyOldValueRefusedAfterMillis.map(String.init) ?? "-") ms; "
              + "per credential: \(report.summaryLines.joined(separator: "; ")); backend: \(o.backend.total) requests, \(o.backend.failed) failed (\(o.backend.statusSummary)); \(o.backend.retrySummary)")
        #expect(o.exitCode == 0, "\(report.summaryLines)")
        #expect(report.entries.map(\.credential) == ["litellm-master-key", "azure-api-key", "gemini-api-key", "openai-api-key", "anthropic-api-key"])
        #expect(report.entries.map(\.refusedAt) == [.gateway, .provider, .provider, .provider, .provider])
        #expect(report.allRefused && o.masterKeyRefused && o.azureOldKeysDead && o.anthropicOldKeyInactive && o.openaiOldKeyDeleted && o.googleOldKeyDeleted)
        #expect(o.historyMatches && o.auditVerified)
        #expect(o.backend.total > 100, "the backend sent load throughout")
        #expect(o.backend.failed == 0, "backend failures: \(o.backend.failed) (\(o.backend.statusSummary)): \(o.backend.failureLines.joined(separator: "; ")); \(timeline.text.suffix(6000))")
        #expect(!o.keyInOutput, "no key in the drill's output")
    }
}
