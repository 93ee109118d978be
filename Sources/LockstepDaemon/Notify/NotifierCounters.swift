/// What a ``WebhookNotifier`` did with events since it started, per delivery (event × sink): for
/// `/metrics` and tests.
public struct NotifierCounters: Sendable, Equatable {
    /// Answered 2xx.
    public var delivered = 0
    /// Every attempt failed, or the answer was a 4xx that retrying cannot fix; `onFailure` was called.
    public var failed = 0
    /// Never attempted: pushed out of a full queue, or still queued when shutdown ended.
    public var dropped = 0

    public init(delivered: Int = 0, failed: Int = 0, dropped: Int = 0) {
        self.delivered = delivered
        self.failed = failed
        self.dropped = dropped
    }
}
