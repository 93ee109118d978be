import Foundation
import LockstepBench
import Testing

/// `LoadRunner`'s retries of requests that got no HTTP answer, against a server that closes
/// connections as scripted: each attempt has its own timeout, as in the OpenAI SDKs.
@Suite("lockstep-load retries: a request that got no answer is sent again, each attempt with its own timeout")
struct LoadRetryTests {
    func run(retries: Int, timeout: Duration, script: @escaping @Sendable (Int) -> ScriptedHTTPServer.Move) async throws -> (LoadReport, connections: Int) {
        let server = try await ScriptedHTTPServer(script: script)
        var configuration = LoadConfiguration(baseURL: "http://127.0.0.1:\(server.port)", apiKey: APIKey("sk-retry-test-key"))
        configuration.maxRequests = 1
        configuration.timeout = timeout
        configuration.connectionRetries = retries
        let recorder = LoadRecorder()
        do {
            try await LoadRunner(configuration: configuration, recorder: recorder).run(stop: StopFlag())
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
        return (recorder.report(configuration: configuration), server.connections)
    }

    @Test("a slow first failure still leaves time for the last retry: closed after 0.8 s, closed, answered → ok after 3 attempts")
    func slowFailureThenRetries() async throws {
        // With one 1.5 s deadline for all attempts (before December 2026) the third was never
        // sent: 0.8 s + 0.5 s pause + a refused second left 0.2 s, less than the 1 s pause.
        let (report, connections) = try await run(retries: 2, timeout: .milliseconds(1500)) { n in
            n == 0 ? .close(after: .milliseconds(800)) : n == 1 ? .close(after: .zero) : .answer
        }
        #expect(report.total == 1 && report.ok == 1 && report.failed == 0, "\(report.failures.map(\.line))")
        #expect(report.retriedAfterConnectionError == 2)
        #expect(connections == 3)
        let latency = try #require(report.latencyMs.max)
        #expect(latency >= 2300, "0.8 s, then pauses of 0.5 s and 1 s: \(latency) ms")
    }

    @Test("every attempt closed: one failure, sent 1 + retries times, 'closed by peer', no key in the report")
    func everyAttemptClosed() async throws {
        let (report, connections) = try await run(retries: 2, timeout: .seconds(2)) { _ in .close(after: .zero) }
        #expect(report.total == 1 && report.failed == 1)
        let failure = try #require(report.failures.first)
        #expect(failure.status == "connect" && failure.attempts == 3, "\(failure.line)")
        #expect(failure.cause == "closed by peer", "\(failure.line)")
        #expect(connections == 3)
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        #expect(!json.contains("sk-retry-test-key") && json.contains(#""attempts":3"#))
    }

    @Test("no answer within the timeout, then answered: ok after 2 attempts, counted as sent again after a timeout, and the slowest request listed")
    func timeoutThenAnswer() async throws {
        // The SDKs retry APITimeoutError as they retry APIConnectionError; before 4 December 2026
        // a timed-out attempt was final here, so this request was a failure.
        let (report, connections) = try await run(retries: 2, timeout: .milliseconds(600)) { n in n == 0 ? .stall : .answer }
        #expect(report.total == 1 && report.ok == 1 && report.failed == 0, "\(report.failures.map(\.line))")
        #expect(report.retriedAfterTimeout == 1 && report.retriedAfterConnectionError == 0)
        #expect(connections == 2)
        let slowest = try #require(report.slowest?.first)
        #expect(slowest.status == "200" && slowest.attempts == 2 && slowest.latencyMs >= 1100, "0.6 s timeout, then a 0.5 s pause: \(slowest.line)")
    }

    @Test("never answered: one timeout failure after 1 + retries attempts")
    func everyAttemptTimesOut() async throws {
        let (report, connections) = try await run(retries: 1, timeout: .milliseconds(400)) { _ in .stall }
        let failure = try #require(report.failures.first)
        #expect(report.failed == 1 && failure.status == "timeout" && failure.attempts == 2, "\(failure.line)")
        #expect(report.retriedAfterTimeout == 1 && connections == 2)
    }

    @Test("no retries configured: a closed connection is one failed attempt")
    func noRetries() async throws {
        let (report, connections) = try await run(retries: 0, timeout: .seconds(2)) { _ in .close(after: .zero) }
        #expect(report.failed == 1 && report.failures.first?.attempts == 1 && report.retriedAfterConnectionError == 0)
        #expect(connections == 1)
    }

    @Test("the longest request a configuration allows counts every timeout and pause")
    func longestRequest() {
        var configuration = LoadConfiguration(baseURL: "http://127.0.0.1:1", apiKey: nil)
        configuration.timeout = .seconds(3)
        configuration.connectionRetries = 2
        #expect(configuration.longestRequest == .milliseconds(10_500))
        configuration.connectionRetries = 5
        #expect(configuration.longestRequest == .seconds(18 + 15.5), "pauses 0.5, 1, 2, 4, 8 s")
    }
}
