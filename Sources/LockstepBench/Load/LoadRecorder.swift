import Foundation
import Synchronization

/// Collects every request's outcome and latency and turns them into a ``LoadReport``.
public final class LoadRecorder: Sendable {
    /// At most this many failures are listed one by one (all are counted).
    public static let failureLimit = 100_000
    /// This many of the slowest requests are kept, with when they were sent.
    public static let slowestLimit = 5

    private struct State {
        var latencies: [Double] = []
        var ok = 0
        var failures: [LoadReport.Failure] = []
        var failed = 0
        var byStatus: [String: Int] = [:]
        var byType: [String: Int] = [:]
        var first: String?
        var last: String?
        var retried = 0
        var retriedAfterTimeout = 0
        var sent = 0
        /// The slowest requests so far, slowest first (at most ``LoadRecorder/slowestLimit``).
        var slowest: [LoadReport.Slow] = []
    }

    private let state = Mutex(State())
    private let startedAt: Date

    /// A recorder whose run started at `startedAt`.
    public init(startedAt: Date = Date()) {
        self.startedAt = startedAt
    }

    /// Records one request sent at `sentAt` that took `latency` over `attempts` sends; `cause`
    /// says what the last one met when it got no HTTP answer.
    public func record(_ outcome: RequestOutcome, sentAt: Date, latency: Duration, attempts: Int = 1, cause: String? = nil) {
        let ms = Double(latency.components.seconds) * 1000 + Double(latency.components.attoseconds) / 1e15
        state.withLock { s in
            s.latencies.append(ms)
            if s.slowest.count < Self.slowestLimit || ms > (s.slowest.last?.latencyMs ?? 0) {
                let entry = LoadReport.Slow(at: Timestamp.rfc3339(sentAt), status: outcome.statusLabel, latencyMs: (ms * 10).rounded() / 10, attempts: attempts)
                s.slowest.insert(entry, at: s.slowest.firstIndex { $0.latencyMs < entry.latencyMs } ?? s.slowest.endIndex)
                if s.slowest.count > Self.slowestLimit { s.slowest.removeLast() }
            }
            if outcome.isSuccess {
                s.ok += 1
                return
            }
            let at = Timestamp.rfc3339(sentAt)
            s.failed += 1
            s.byStatus[outcome.statusLabel, default: 0] += 1
            s.byType[outcome.errorType ?? "none", default: 0] += 1
            if s.first.map({ at < $0 }) ?? true { s.first = at }
            if s.last.map({ at > $0 }) ?? true { s.last = at }
            if s.failures.count < Self.failureLimit {
                s.failures.append(.init(at: at, status: outcome.statusLabel, type: outcome.errorType, latencyMs: (ms * 10).rounded() / 10,
                                        attempts: attempts, cause: cause))
            }
        }
    }

    /// A request was started (its outcome is recorded when it ends).
    public func recordSent() {
        state.withLock { $0.sent += 1 }
    }

    /// A request got no HTTP answer (`outcome`: ``RequestOutcome/connect`` or
    /// ``RequestOutcome/timeout``) and is sent again (``LoadConfiguration/connectionRetries``).
    public func recordRetry(after outcome: RequestOutcome) {
        state.withLock { s in
            if outcome == .timeout { s.retriedAfterTimeout += 1 } else { s.retried += 1 }
        }
    }

    /// The report so far (it can be taken while requests are still running).
    public func report(configuration: LoadConfiguration, endedAt: Date = Date(), pid: Int32 = ProcessInfo.processInfo.processIdentifier) -> LoadReport {
        state.withLock { s in
            let sorted = s.latencies.sorted()
            let round = { (v: Double?) in v.map { ($0 * 10).rounded() / 10 } }
            return LoadReport(
                pid: pid, url: configuration.endpoint, model: configuration.model, requestsPerSecond: configuration.requestsPerSecond,
                startedAt: Timestamp.rfc3339(startedAt), endedAt: Timestamp.rfc3339(endedAt),
                total: s.ok + s.failed, ok: s.ok, failed: s.failed,
                failuresByStatus: s.byStatus, failuresByType: s.byType,
                firstFailureAt: s.first, lastFailureAt: s.last,
                latencyMs: .init(p50: round(LoadReport.percentile(0.5, of: sorted)), p99: round(LoadReport.percentile(0.99, of: sorted)), max: round(sorted.last)),
                failures: s.failures.sorted { $0.at < $1.at }, failuresDropped: s.failed - s.failures.count,
                retriedAfterConnectionError: s.retried, sent: s.sent, retriedAfterTimeout: s.retriedAfterTimeout, slowest: s.slowest)
        }
    }
}
