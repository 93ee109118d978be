import Foundation
import LockstepBench
import LockstepScenario
import Testing

/// The backend's view summed over its pods between two snapshots: retries by cause and the
/// slowest request sent in the window.
@Suite struct LoadTallyTests {
    func report(pid: Int32, total: Int, closed: Int, timedOut: Int, slowest: [LoadReport.Slow]) throws -> LoadReport {
        var r = try JSONDecoder().decode(LoadReport.self, from: Data("""
            {"pid":\(pid),"url":"http://127.0.0.1:1/v1/chat/completions","model":"m","requestsPerSecond":5,"startedAt":"2027-01-15T08:00:00.000Z",
             "endedAt":"2027-01-15T08:01:00.000Z","total":\(total),"ok":\(total),"failed":0,"failuresByStatus":{},"failuresByType":{},
             "latencyMs":{},"failures":[],"failuresDropped":0}
            """.utf8))
        r.retriedAfterConnectionError = closed
        r.retriedAfterTimeout = timedOut
        r.slowest = slowest
        return r
    }

    @Test("retries are told apart by cause; the slowest request is the slowest sent inside the window, over every pod")
    func retriesAndSlowest() throws {
        let from = Date(timeIntervalSince1970: 1_800_000_010), to = Date(timeIntervalSince1970: 1_800_000_050)
        let before = [Int32(1): try report(pid: 1, total: 10, closed: 1, timedOut: 0, slowest: [])]
        let after = [
            Int32(1): try report(pid: 1, total: 60, closed: 3, timedOut: 1, slowest: [.init(at: "2027-01-15T08:00:05.000Z", status: "200", latencyMs: 9000, attempts: 3),
                                                                                  .init(at: "2027-01-15T08:00:20.000Z", status: "200", latencyMs: 3600, attempts: 2)]),
            Int32(2): try report(pid: 2, total: 40, closed: 0, timedOut: 0, slowest: [.init(at: "2027-01-15T08:00:30.000Z", status: "200", latencyMs: 80, attempts: 1)]),
        ]
        let tally = LoadTally(before: before, after: after, from: from, to: to)
        #expect(tally.total == 90 && tally.retried == 2 && tally.retriedAfterTimeout == 1)
        #expect(tally.slowest?.latencyMs == 3600, "the 9 s request was sent before the window")
        #expect(tally.retrySummary == "sent again after a closed connection: 2, after a timeout: 1; slowest: 2027-01-15T08:00:20.000Z 200 after 2 attempts, 3600.0 ms")
    }
}
