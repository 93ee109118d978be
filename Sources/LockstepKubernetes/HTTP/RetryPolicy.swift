/// Exponential backoff with jitter for safe requests (reads and idempotent writes) that failed with
/// 429, 5xx or a connection error. A 409 is never retried: the caller re-reads and decides.
public struct RetryPolicy: Sendable {
    /// Attempts in total, including the first (at least 1).
    public var maxAttempts: Int
    /// Delay before the second attempt; doubles per attempt up to ``maxDelay``.
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// A number in [0, 1); injectable so tests are deterministic.
    public var random: @Sendable () -> Double
    /// How to wait; injectable so tests do not sleep.
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(maxAttempts: Int = 4, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(5),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.random = random
        self.sleep = sleep
    }

    /// No retries at all.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The wait after failed attempt `attempt` (1-based): half the exponential delay fixed, half random
    /// ("equal jitter"), so that clients that failed together do not retry together.
    public func delay(afterAttempt attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let full = min(baseDelay * (1 << exponent), maxDelay)
        let jitter = min(max(random(), 0), 1)
        return full / 2 + (full / 2) * jitter
    }

    /// The `reason` of a transport error caused by a TLS failure (bad certificate, wrong CA).
    static let tlsFailureReason = "TLSFailure"

    /// Whether a failure may be retried for a request of this kind.
    static func isRetriable(_ error: KubernetesError, idempotent: Bool) -> Bool {
        guard idempotent else { return false }
        switch error.code {
        case .tooManyRequests, .serverError: return true
        case .transport: return error.reason != tlsFailureReason
        case .timeout: return error.status != nil  // a 504 from the server, not our own deadline
        default: return false
        }
    }

    /// `Retry-After` in seconds (the apiserver sends seconds; HTTP dates are ignored), capped at a minute.
    static func retryAfter(_ value: String?) -> Duration? {
        guard let value, let seconds = Int(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 else { return nil }
        return .seconds(min(seconds, 60))
    }
}
