import Foundation
import LockstepBench
import Testing

@Suite("Load report: outcomes, counts, times and percentiles")
struct LoadReportTests {
    @Test func nearestRankPercentiles() {
        let values = (1...100).map(Double.init)
        #expect(LoadReport.percentile(0.5, of: values) == 50)
        #expect(LoadReport.percentile(0.99, of: values) == 99)
        #expect(LoadReport.percentile(1, of: values) == 100)
        #expect(LoadReport.percentile(0.5, of: [7]) == 7)
        #expect(LoadReport.percentile(0.5, of: []) == nil)
    }

    @Test func errorTypeFromGatewayBodies() {
        let noDB = #"{"error":{"message":"No connected db.","type":"no_db_connection","param":"None","code":"400"}}"#
        #expect(RequestOutcome.errorType(ofBody: Array(noDB.utf8)) == "no_db_connection")
        #expect(RequestOutcome.errorType(ofBody: Array(#"{"error":{"type":"auth_error"}}"#.utf8)) == "auth_error")
        #expect(RequestOutcome.errorType(ofBody: Array(#"{"error":"DB not connected"}"#.utf8)) == nil)
        #expect(RequestOutcome.errorType(ofBody: Array("<html>bad gateway</html>".utf8)) == nil)
    }

    @Test("the slowest requests are kept, slowest first, at most five, successes included")
    func slowestRequests() {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let recorder = LoadRecorder(startedAt: t0)
        for (i, ms) in [30, 5, 900, 12, 3100, 40, 7, 250].enumerated() {
            recorder.record(ms == 3100 ? .timeout : .http(status: 200, errorType: nil), sentAt: t0.addingTimeInterval(Double(i)), latency: .milliseconds(ms))
        }
        let report = recorder.report(configuration: LoadConfiguration(baseURL: "http://127.0.0.1:4000", apiKey: nil))
        #expect(report.slowest?.map(\.latencyMs) == [3100, 900, 250, 40, 30])
        #expect(report.slowest?.first?.status == "timeout" && report.slowest?.first?.at == "2027-01-15T08:00:04.000Z")
    }

    @Test("failures are counted by status and type with first and last times; successes are not listed")
    func summarises() throws {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let recorder = LoadRecorder(startedAt: t0)
        recorder.record(.http(status: 200, errorType: nil), sentAt: t0, latency: .milliseconds(10))
        recorder.record(.http(status: 400, errorType: "no_db_connection"), sentAt: t0.addingTimeInterval(2.5), latency: .milliseconds(30))
        recorder.record(.http(status: 400, errorType: "no_db_connection"), sentAt: t0.addingTimeInterval(1.25), latency: .milliseconds(20))
        recorder.record(.timeout, sentAt: t0.addingTimeInterval(3), latency: .milliseconds(2000))
        recorder.record(.connect, sentAt: t0.addingTimeInterval(4), latency: .milliseconds(1))
        var config = LoadConfiguration(baseURL: "http://127.0.0.1:4000/", apiKey: APIKey("sk-not-in-the-report"))
        config.requestsPerSecond = 2
        let report = recorder.report(configuration: config, endedAt: t0.addingTimeInterval(5), pid: 42)
        #expect(report.total == 5 && report.ok == 1 && report.failed == 4)
        #expect(report.failuresByStatus == ["400": 2, "timeout": 1, "connect": 1])
        #expect(report.failuresByType == ["no_db_connection": 2, "none": 2])
        #expect(report.firstFailureAt == "2027-01-15T08:00:01.250Z")
        #expect(report.lastFailureAt == "2027-01-15T08:00:04.000Z")
        #expect(report.failures.map(\.status) == ["400", "400", "timeout", "connect"], "listed in the order sent")
        #expect(report.latencyMs.p50 == 20 && report.latencyMs.p99 == 2000 && report.latencyMs.max == 2000)
        #expect(report.url == "http://127.0.0.1:4000/v1/chat/completions")
        let json = String(decoding: try report.json(), as: UTF8.self)
        #expect(!json.contains("sk-not-in-the-report"))
        #expect(report.summaryLine.contains("total=5 ok=1 failed=4"))
        #expect(try JSONDecoder().decode(LoadReport.self, from: report.json()) == report)
    }

    @Test func configurationIsValidatedAndTheKeyNeverPrints() throws {
        let key = try #require(APIKey("sk-secret-value"))
        #expect("\(key)" == "<redacted>")
        #expect(String(reflecting: key) == "<redacted>")
        #expect(APIKey("") == nil && APIKey(nil) == nil)
        #expect(LoadConfiguration(baseURL: "http://h:1/v1", apiKey: nil).endpoint == "http://h:1/v1/chat/completions")
        #expect(throws: BenchError.self) { try LoadConfiguration(baseURL: "127.0.0.1:4000", apiKey: nil).validate() }
        var config = LoadConfiguration(baseURL: "http://127.0.0.1:4000", apiKey: nil)
        config.requestsPerSecond = 0
        #expect(throws: BenchError.self) { try config.validate() }
    }
}
