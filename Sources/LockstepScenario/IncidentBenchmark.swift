import Foundation
import LockstepApp

/// `scripts/bench incident`: the incident drill (``IncidentDrill``) `runs` times, each on a fresh
/// scenario, as a Markdown section for docs/benchmarks.md.
public enum IncidentBenchmark {
    public static func markdown(runs: Int, tools: ScenarioTools, work: URL, log: @escaping @Sendable (String) -> Void) async throws -> String {
        var rows: [String] = []
        var worst: Double = 0, failedAll = 0, totalAll = 0
        for i in 1...runs {
            log("incident drill #\(i)")
            let transcript = Transcript { log($0) }
            let o = try await IncidentDrill(tools: tools, directory: work.appendingPathComponent("incident-\(i)"), transcript: transcript).run()
            guard let report = o.report else { throw ScenarioError("run \(i): revoke --all printed no report (exit \(o.exitCode))") }
            // The figures count only when the sources agree with the report.
            guard o.exitCode != 0 || (o.masterKeyRefused && o.azureOldKeysDead && o.anthropicOldKeyInactive && o.openaiOldKeyDeleted && o.googleOldKeyDeleted) else {
                throw ScenarioError("run \(i): revoke --all exited 0 but an old value still works at its source")
            }
            func after(_ name: String) -> String {
                report.entries.first { $0.credential == name }?.refusedAfterMillis.map { String(format: "%.1f s", Double($0) / 1000) } ?? "not refused"
            }
            let every = report.everyOldValueRefusedAfterMillis.map { Double($0) / 1000 }
            worst = max(worst, every ?? .infinity)
            failedAll += o.backend.failed
            totalAll += o.backend.total
            rows.append("| \(i) | \(o.exitCode) | \(after("litellm-master-key")) | \(after("azure-api-key")) | \(after("gemini-api-key")) | \(after("openai-api-key")) | \(after("anthropic-api-key")) | "
                + "\(every.map { String(format: "**%.1f s**", $0) } ?? "**not all**") | \(String(format: "%.1f s", o.seconds)) | \(o.backend.total) | \(o.backend.failed) | "
                + "\(o.backend.retried) / \(o.backend.retriedAfterTimeout) | \(o.backend.slowest.map { String(format: "%.2f s", $0.latencyMs / 1000) } ?? "-") |")
        }
        let verdict = worst <= 120 && failedAll == 0
            ? "Target (every old value refused at its source within 2 minutes, 0 failed backend requests): **met** in every run."
            : "Target (every old value refused at its source within 2 minutes, 0 failed backend requests): **missed** (slowest \(worst.isFinite ? String(format: "%.1f s", worst) : "not all refused"), \(failedAll) failed of \(totalAll))."
        return """
            `lockstep revoke --all --incident … --value-file anthropic-api-key=… --yes` on the demo's layout with provider models: KubeSim, 2 real LiteLLM \
            gateway pods whose models are Azure OpenAI, Gemini, OpenAI and Anthropic (the fake provider with their admin APIs: docs/bench-tools.md), \
            2 backend pods (lockstep-load) at 5 requests/s each asking the four models in turn. Five credentials, one after another: the master key \
            (key-ring), the Azure key (minted and retired at Azure), the Gemini key (a new API key in the Google project; the old one deleted), \
            the OpenAI key (a new project service account; the old one deleted), the Anthropic key (the new one minted by a person, the old set \
            inactive). A request that got no HTTP answer (a closed connection, or none within 3 s) is sent again, as the OpenAI SDKs do; \
            the slowest request counts every attempt. Times from the \
            command's start until each old value was refused at its source (`history --incident`); every run checked at the sources by the drill.

            | run | exit | master key refused (gateway) | Azure key refused (Azure) | Gemini key refused (Google) | OpenAI key refused (OpenAI) | Anthropic key refused (Anthropic) | every old value refused | revoke --all took | backend requests | failed | sent again (closed / timeout) | slowest request |
            |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
            \(rows.joined(separator: "\n"))

            \(verdict)

            """
    }
}
