/// How an admin API call is retried: 429 and 5xx (and no answer) are retried, at most `attempts`
/// times in all; the pause is the provider's `Retry-After` when it sends one, else exponential
/// from `initialDelay`, and never longer than `maxDelay`. Every other answer is final at once.
public struct RetryPolicy: Sendable {
    public var attempts: Int
    public var initialDelay: Duration
    public var maxDelay: Duration
    /// The clock the pauses are on (a virtual one in tests).
    public var clock: any Clock<Duration>

    /// Azure Resource Manager: throttled requests carry `Retry-After` (seconds); transient 5xx are
    /// retried with backoff (docs/providers.md cites the pages). 5 attempts, pauses of at most
    /// 30 s: a storm longer than about a minute fails the step, which the run then rolls back or,
    /// in the clean-up, reports.
    public static let azure = RetryPolicy(attempts: 5, initialDelay: .seconds(1), maxDelay: .seconds(30))

    public init(attempts: Int, initialDelay: Duration, maxDelay: Duration, clock: any Clock<Duration> = ContinuousClock()) {
        self.attempts = max(1, attempts)
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.clock = clock
    }

    /// The pause before attempt `attempt + 1` (attempt counts from 1).
    func delay(after attempt: Int, retryAfter: Duration?) -> Duration {
        if let retryAfter { return min(retryAfter, maxDelay) }
        var d = initialDelay
        for _ in 1..<max(1, attempt) where d < maxDelay { d = d * 2 }
        return min(d, maxDelay)
    }

    func pause(_ d: Duration) async throws {
        try await clock.sleep(for: d)
    }
}
