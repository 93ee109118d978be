import Foundation
import LockstepBench
import LockstepTesting
import Testing

/// `lockstep-load` against the fake provider (which serves the same route and checks the key),
/// so these run without LiteLLM.
@Suite("lockstep-load (the built binary) against the fake provider", .serialized)
struct LoadClientTests {
    static let key = "sk-load-test-key-0001"

    func readReport(_ path: String) throws -> LoadReport {
        try JSONDecoder().decode(LoadReport.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test("right key: every request succeeds; wrong key: every one is a recorded 401 invalid_request_error")
    func rightAndWrongKey() async throws {
        try await RunningFakeProvider.with(keys: [Self.key]) { provider in try await rightAndWrongKey(provider) }
    }

    func rightAndWrongKey(_ provider: RunningFakeProvider) async throws {
        let dir = try TempDirectory("load")

        let good = try BenchProcess(Binaries.load, ["--url", provider.url, "--model", "gpt-4o-mini", "--rps", "20", "--max-requests", "10", "--report", dir.file("good.json")],
                                    environment: ["LITELLM_API_KEY": Self.key])
        #expect(await good.waitForExit() == 0)
        let ok = try readReport(dir.file("good.json"))
        #expect(ok.total == 10 && ok.ok == 10 && ok.failed == 0, "\(good.stderr)")
        #expect(ok.failures.isEmpty && ok.firstFailureAt == nil)
        #expect(ok.latencyMs.p50 != nil)
        #expect(good.stderr.contains("lockstep-load: total=10 ok=10 failed=0"))

        let bad = try BenchProcess(Binaries.load, ["--url", provider.url, "--rps", "20", "--max-requests", "6", "--report", dir.file("bad.json")],
                                   environment: ["LITELLM_API_KEY": "sk-wrong-key-000"])
        #expect(await bad.waitForExit() == 0)
        let refused = try readReport(dir.file("bad.json"))
        #expect(refused.total == 6 && refused.ok == 0 && refused.failed == 6)
        #expect(refused.failuresByStatus == ["401": 6])
        #expect(refused.failuresByType == ["invalid_request_error": 6])
        #expect(refused.failures.count == 6)
        let first = try #require(refused.firstFailureAt), last = try #require(refused.lastFailureAt)
        #expect(first <= last && first == refused.failures.first?.at && last == refused.failures.last?.at)

        let stats = try await provider.stats()
        #expect(stats["ok"] == 10 && stats["unauthorized"] == 6)
        for process in [good, bad] {
            let output = process.stdout + process.stderr + (try String(contentsOfFile: dir.file(process === good ? "good.json" : "bad.json"), encoding: .utf8))
            #expect(!output.contains(Self.key) && !output.contains("sk-wrong-key-000"), "no key in output or report")
        }
    }

    @Test("no gateway: connect failures; SIGTERM writes the report to LOAD_REPORT_DIR and exits 0; /healthz on PORT")
    func connectFailuresSignalAndHealth() async throws {
        let dir = try TempDirectory("load")
        let port = try freePort()
        let deadPort = try freePort()
        let load = try BenchProcess(Binaries.load, ["--rps", "10", "--timeout-ms", "500"],
                                    environment: ["LITELLM_BASE_URL": "http://127.0.0.1:\(deadPort)", "PORT": String(port), "LOAD_REPORT_DIR": dir.path])
        let healthy = await eventually { (try? await HTTP.request(.GET, "http://127.0.0.1:\(port)/healthz", timeout: .seconds(2)).status) == 200 }
        #expect(healthy)
        let sending = await eventually { ((try? await HTTP.request(.GET, "http://127.0.0.1:\(port)/report", timeout: .seconds(2)).json?["failed"]) as? Int ?? 0) >= 3 }
        #expect(sending, "the live report counts failures")
        #expect(await load.stop() == 0, "SIGTERM: report written, exit 0")
        let report = try readReport(dir.file("lockstep-load-\(load.pid).json"))
        #expect(report.ok == 0 && report.failed == report.total && report.total >= 3)
        #expect(report.failuresByStatus.keys.sorted() == ["connect"])
        #expect(report.pid == load.pid)
    }

    @Test("--duration bounds the run and --rps paces it: about rate × duration requests, then exit 0")
    func durationAndRate() async throws {
        try await RunningFakeProvider.with(keys: [Self.key]) { provider in
            let dir = try TempDirectory("load")
            let started = ContinuousClock.now
            let load = try BenchProcess(Binaries.load, ["--url", provider.url, "--rps", "20", "--duration", "1", "--report", dir.file("r.json")],
                                        environment: ["LITELLM_API_KEY": Self.key])
            #expect(await load.waitForExit() == 0)
            let elapsed = ContinuousClock.now - started
            let report = try readReport(dir.file("r.json"))
            #expect(report.total == 20, "requests start at 0, 50, ..., 950 ms: \(report.total)")
            #expect(report.ok == 20 && report.failed == 0)
            #expect(elapsed >= .seconds(0.9), "paced over the duration, not sent at once")
            #expect(try await provider.stats()["chatCompletions"] == 20)
        }
    }

    @Test("refuses to run without a URL, with a hint")
    func needsAURL() async throws {
        let load = try BenchProcess(Binaries.load, ["--max-requests", "1"])
        #expect(await load.waitForExit() != 0)
        #expect(load.stderr.contains("hint: pass --url"))
    }
}
