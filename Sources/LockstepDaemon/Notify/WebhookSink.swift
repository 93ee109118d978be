/// One webhook destination (a `notify:` entry in the daemon config).
///
/// The URL is itself a secret (a Slack incoming-webhook URL lets anyone post to the channel): it is
/// never logged, audited or printed — only ``name`` is. `description` of a sink or its URL source
/// redacts it.
public struct WebhookSink: Sendable, Equatable, CustomStringConvertible {
    /// The body sent.
    public enum Format: String, Sendable, Codable, CaseIterable {
        /// The event as JSON, plus `"source":"lockstep"`.
        case json
        /// A Slack incoming-webhook message (`text` plus one section block).
        case slack
    }

    /// Where the URL comes from, resolved on every delivery (so a rotated URL takes effect at once).
    public enum URLSource: Sendable, Equatable, CustomStringConvertible {
        /// Given inline (tests and local use; prefer a file or a Secret).
        case url(String)
        /// A file holding the URL (e.g. a mounted Secret); read on each delivery and trimmed.
        case file(String)
        /// A key of a Kubernetes Secret, read through the notifier's resolver.
        case secret(namespace: String, name: String, key: String)

        public var description: String {
            switch self {
            case .url: "inline URL (redacted)"
            case .file(let path): "file \(path)"
            case .secret(let namespace, let name, let key): "secret \(namespace)/\(name)#\(key)"
            }
        }
    }

    /// Names the sink in logs, metrics and audit entries.
    public var name: String
    public var format: Format
    public var url: URLSource
    /// The event kinds sent to this sink (all by default).
    public var events: Set<DaemonEvent.Kind>
    /// Delivery attempts per event, at least 1.
    public var attempts: Int
    /// Wait after the first failed attempt; doubled after each further one, up to ``maxBackoff``.
    public var backoff: Duration
    public var maxBackoff: Duration
    /// Deadline of one attempt (connect, send, answer).
    public var timeout: Duration

    public init(name: String, format: Format = .json, url: URLSource, events: Set<DaemonEvent.Kind> = Set(DaemonEvent.Kind.allCases),
                attempts: Int = 4, backoff: Duration = .milliseconds(500), maxBackoff: Duration = .seconds(8), timeout: Duration = .seconds(5)) {
        self.name = name
        self.format = format
        self.url = url
        self.events = events
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.maxBackoff = maxBackoff
        self.timeout = timeout
    }

    public var description: String { "webhook \(name) (\(format.rawValue), \(url))" }

    /// The wait after failed attempt number `attempt` (1-based).
    func delay(afterAttempt attempt: Int) -> Duration {
        var delay = backoff
        for _ in 1..<max(1, attempt) where delay < maxBackoff { delay *= 2 }
        return min(delay, maxBackoff)
    }
}
