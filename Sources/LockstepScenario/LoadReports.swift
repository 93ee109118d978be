import AsyncHTTPClient
import Foundation
import KubeSim
import LockstepBench

/// The backend pods' load reports: the final ones each pod writes into `directory` at SIGTERM,
/// and the live ones its `GET /report` serves while it runs.
public struct LoadReports: Sendable {
    public let directory: String

    /// Final reports by PID.
    public func finals() -> [Int32: LoadReport] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var out: [Int32: LoadReport] = [:]
        for name in names where name.hasSuffix(".json") {
            guard let data = FileManager.default.contents(atPath: directory + "/" + name), let r = try? JSONDecoder().decode(LoadReport.self, from: data) else { continue }
            out[r.pid] = r
        }
        return out
    }

    /// Every pod's report so far: the running `pods` live, the others from their final file.
    public func snapshot(live pods: [PodInfo]) async -> [Int32: LoadReport] {
        var out = finals()
        for pod in pods {
            guard let port = pod.port, let pid = pod.processID, out[pid] == nil else { continue }
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/report")
            request.method = .GET
            guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)),
                  let body = try? await response.body.collect(upTo: 64 << 20),
                  let r = try? JSONDecoder().decode(LoadReport.self, from: Data(buffer: body)) else { continue }
            out[pid] = r
        }
        return out
    }
}

extension LoadReports {
    /// Every pod's report once the requests it had started by now have ended: the running pods
    /// are asked until each has finished as many requests as it had sent when this was called,
    /// and every pod in `known` that is no longer running has written its final report (after
    /// its last request ended). Bounded by `timeout`; returns the last reports either way, and
    /// whether they settled: what a test waits for before it counts failures, not a fixed sleep.
    public func settled(live pods: @Sendable () async -> [PodInfo], known: Set<Int32>, timeout: Duration) async -> (reports: [Int32: LoadReport], settled: Bool) {
        let mark = await snapshot(live: await pods())
        let wanted = mark.mapValues { $0.sent ?? $0.total }
        let everyone = known.union(mark.keys)
        let deadline = ContinuousClock.now + timeout
        var current = mark
        while true {
            if everyone.allSatisfy({ pid in current[pid].map { $0.total >= (wanted[pid] ?? 0) } ?? false }) { return (current, true) }
            guard ContinuousClock.now < deadline else { return (current, false) }
            try? await Task.sleep(for: .milliseconds(100))
            current = await snapshot(live: await pods())
        }
    }
}

/// Requests and failures of the backend in a time window, summed over its pods.
public struct LoadTally: Sendable, Equatable {
    public var total = 0
    public var failed = 0
    public var byStatus: [String: Int] = [:]
    public var firstFailure: Date?
    public var lastFailure: Date?
    /// Requests sent again after a closed or refused connection (the backend retries those as the OpenAI SDKs do).
    public var retried = 0
    /// Requests sent again after no answer within their timeout (the SDKs retry those too).
    public var retriedAfterTimeout = 0
    /// The slowest request sent in the window, over every pod (nil without one).
    public var slowest: LoadReport.Slow?
    /// The first failures in the window, one line each (when sent, status, attempts, latency,
    /// cause), so that a failed run says what its requests met.
    public var failureLines: [String] = []
    /// At most this many ``failureLines`` are kept.
    static let lineLimit = 20

    public init() {}

    /// Requests sent between two snapshots, and the failures sent in `[from, to]`.
    public init(before: [Int32: LoadReport], after: [Int32: LoadReport], from: Date, to: Date) {
        total = after.values.reduce(0) { $0 + $1.total } - before.values.reduce(0) { $0 + $1.total }
        retried = after.values.reduce(0) { $0 + ($1.retriedAfterConnectionError ?? 0) } - before.values.reduce(0) { $0 + ($1.retriedAfterConnectionError ?? 0) }
        retriedAfterTimeout = after.values.reduce(0) { $0 + ($1.retriedAfterTimeout ?? 0) } - before.values.reduce(0) { $0 + ($1.retriedAfterTimeout ?? 0) }
        slowest = after.values.flatMap { $0.slowest ?? [] }
            .filter { Self.parse($0.at).map { $0 >= from && $0 <= to } ?? false }
            .max { $0.latencyMs < $1.latencyMs }
        for r in after.values {
            for f in r.failures {
                guard let at = Self.parse(f.at), at >= from, at <= to else { continue }
                failed += 1
                byStatus[f.status, default: 0] += 1
                firstFailure = min(firstFailure ?? at, at)
                lastFailure = max(lastFailure ?? at, at)
                if failureLines.count < Self.lineLimit { failureLines.append(f.line) }
            }
        }
    }

    /// The failure window in seconds (first to last failure), 0 without failures.
    public var windowSeconds: Double { firstFailure.flatMap { f in lastFailure.map { $0.timeIntervalSince(f) } } ?? 0 }

    /// `sent again after a closed connection: 2, after a timeout: 0; slowest: 2026-12-04T02:56:04.131Z 200 after 1 attempt, 812.0 ms`.
    public var retrySummary: String {
        "sent again after a closed connection: \(retried), after a timeout: \(retriedAfterTimeout); slowest: \(slowest?.line ?? "-")"
    }

    /// `400=3, connect=1` (sorted by status), or `none`.
    public var statusSummary: String { byStatus.isEmpty ? "none" : byStatus.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") }

    static func parse(_ s: String) -> Date? { try? Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt).parse(s) }
}
