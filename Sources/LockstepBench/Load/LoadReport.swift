import Foundation

/// The JSON summary `lockstep-load` writes at exit (see docs/bench-tools.md). It never holds
/// the key, request bodies or response bodies: only times, statuses and error types.
public struct LoadReport: Codable, Sendable, Equatable {
    /// One failed request.
    public struct Failure: Codable, Sendable, Equatable {
        /// When it was sent (RFC 3339, ms, UTC).
        public var at: String
        /// `"400"`, `"401"`, ..., `"timeout"` or `"connect"`.
        public var status: String
        /// The gateway's `error.type` (`auth_error`, `no_db_connection`, ...), if the body had one.
        public var type: String?
        /// How long it took, in milliseconds (every attempt and pause included).
        public var latencyMs: Double
        /// How many times it was sent (1 + retries; nil in reports written before it was counted).
        public var attempts: Int?
        /// For `"connect"`: what the last attempt met (`closed by peer`, `refused`, ...), never a URL or key.
        public var cause: String?

        /// A failure record; `attempts` and `cause` are left out of the JSON when nil.
        public init(at: String, status: String, type: String?, latencyMs: Double, attempts: Int? = nil, cause: String? = nil) {
            self.at = at
            self.status = status
            self.type = type
            self.latencyMs = latencyMs
            self.attempts = attempts
            self.cause = cause
        }

        /// `2026-12-02T13:24:20.768Z connect after 2 attempts, 2510.3 ms (closed by peer)`.
        public var line: String {
            "\(at) \(status)\(type.map { " \($0)" } ?? "") after \(attempts ?? 1) attempt\(attempts ?? 1 == 1 ? "" : "s"), \(latencyMs) ms\(cause.map { " (\($0))" } ?? "")"
        }
    }

    /// One of the slowest requests: when it was sent, what it ended with, how long it took.
    public struct Slow: Codable, Sendable, Equatable {
        /// When it was sent (RFC 3339, ms, UTC).
        public var at: String
        /// `"200"`, `"401"`, ..., `"timeout"` or `"connect"`.
        public var status: String
        /// Every attempt and pause included.
        public var latencyMs: Double
        /// 1 + retries.
        public var attempts: Int

        /// A slow request's record.
        public init(at: String, status: String, latencyMs: Double, attempts: Int) {
            self.at = at
            self.status = status
            self.latencyMs = latencyMs
            self.attempts = attempts
        }

        /// `2026-12-04T02:56:04.131Z 200 after 2 attempts, 3512.0 ms`.
        public var line: String { "\(at) \(status) after \(attempts) attempt\(attempts == 1 ? "" : "s"), \(latencyMs) ms" }
    }

    /// Latency percentiles in milliseconds over every request (failed ones included); nil with no request.
    public struct Latency: Codable, Sendable, Equatable {
        public var p50: Double?
        public var p99: Double?
        public var max: Double?
    }

    public var pid: Int32
    public var url: String
    public var model: String
    public var requestsPerSecond: Double
    public var startedAt: String
    public var endedAt: String
    public var total: Int
    public var ok: Int
    public var failed: Int
    /// Failures counted by ``Failure/status``.
    public var failuresByStatus: [String: Int]
    /// Failures counted by ``Failure/type`` (`"none"` when the body had no type).
    public var failuresByType: [String: Int]
    public var firstFailureAt: String?
    public var lastFailureAt: String?
    public var latencyMs: Latency
    /// Every failure in the order sent (at most ``LoadRecorder/failureLimit``; see ``failuresDropped``).
    public var failures: [Failure]
    /// Failures counted but not listed because the list was full.
    public var failuresDropped: Int
    /// Requests sent again after a refused, reset or closed connection (nil in reports of runs without retries).
    public var retriedAfterConnectionError: Int?
    /// Requests started so far, finished or not: `sent - total` are in flight (nil in older reports).
    public var sent: Int? = nil
    /// Requests sent again after no answer within the timeout (nil in reports before December 2026).
    public var retriedAfterTimeout: Int? = nil
    /// The slowest requests, slowest first (at most ``LoadRecorder/slowestLimit``; nil in older reports).
    public var slowest: [Slow]? = nil

    /// The one line written to stderr at exit.
    public var summaryLine: String {
        let byStatus = failuresByStatus.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        let byType = failuresByType.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        let p50 = latencyMs.p50.map { String(format: "%.1fms", $0) } ?? "-"
        let p99 = latencyMs.p99.map { String(format: "%.1fms", $0) } ?? "-"
        return "lockstep-load: total=\(total) ok=\(ok) failed=\(failed) retried=\(retriedAfterConnectionError ?? 0) retried-after-timeout=\(retriedAfterTimeout ?? 0) status[\(byStatus)] type[\(byType)] p50=\(p50) p99=\(p99)"
    }

    /// The report as sorted, pretty JSON.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return try encoder.encode(self)
    }

    /// The nearest-rank percentile `p` (0...1) of `values`; nil when empty.
    public static func percentile(_ p: Double, of sortedValues: [Double]) -> Double? {
        guard !sortedValues.isEmpty else { return nil }
        let rank = Int((p * Double(sortedValues.count)).rounded(.up))
        return sortedValues[min(max(rank, 1), sortedValues.count) - 1]
    }
}
