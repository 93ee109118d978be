import Foundation

/// What one `lockstep-load` run does. The key is held as ``APIKey``, which never prints.
public struct LoadConfiguration: Sendable {
    /// The gateway's base URL (`http://127.0.0.1:4000`); `/v1/chat/completions` is appended.
    public var baseURL: String
    /// The bearer key (from env `LITELLM_API_KEY`); nil sends no `Authorization` header.
    public var apiKey: APIKey?
    /// The model name in every request, or several, comma-separated, asked in turn.
    public var model = "mock-gpt"
    /// The models of ``model``, in the order they are asked.
    public var models: [String] {
        let names = model.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return names.isEmpty ? [model] : names
    }
    /// Requests started per second, evenly spaced (not waiting for answers).
    public var requestsPerSecond = 5.0
    /// How long to send; nil = until stopped.
    public var duration: Duration?
    /// At most this many requests; nil = no bound.
    public var maxRequests: Int?
    /// Each attempt's deadline (a retry gets a fresh one, as in the OpenAI SDKs).
    public var timeout: Duration = .milliseconds(2000)
    /// How often a request that got no HTTP answer at all (refused or closed connection, or none
    /// before ``timeout``) is sent again, after 0.5 s, 1 s, 2 s, ..., as the OpenAI SDKs do
    /// (`max_retries`, 2 by default there; they retry connection errors and timeouts alike).
    /// An HTTP answer (a 400 or 401 for a refused key included) is never retried. Counted in the report.
    public var connectionRetries = 0

    /// The longest a request can take: every attempt's timeout and every pause between them.
    public var longestRequest: Duration {
        (0...connectionRetries).reduce(Duration.zero) { sum, attempt in
            sum + timeout + (attempt > 0 ? LoadRunner.retryPause(afterAttempt: attempt) : .zero)
        }
    }

    /// A configuration with the defaults above.
    public init(baseURL: String, apiKey: APIKey?) {
        self.baseURL = baseURL
        self.apiKey = apiKey
    }

    /// The chat completions URL of ``baseURL`` (a trailing `/` or `/v1` is not repeated).
    public var endpoint: String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix("/v1") { base.removeLast(3) }
        return base + "/v1/chat/completions"
    }

    /// Refuses values that would make the run unbounded in the wrong way or meaningless.
    public func validate() throws {
        guard URL(string: endpoint)?.host != nil, baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://") else {
            throw BenchError("the gateway URL \"\(baseURL)\" is not an http(s) URL", hint: "pass --url http://127.0.0.1:PORT or set LITELLM_BASE_URL")
        }
        guard requestsPerSecond > 0, requestsPerSecond <= 1000 else {
            throw BenchError("--rps must be in (0, 1000], got \(requestsPerSecond)")
        }
        guard timeout > .zero else { throw BenchError("--timeout-ms must be positive") }
        if let maxRequests, maxRequests < 0 { throw BenchError("--max-requests must not be negative") }
        guard (0...5).contains(connectionRetries) else { throw BenchError("--connection-retries must be from 0 to 5, got \(connectionRetries)") }
    }
}

/// A bearer key that prints as `<redacted>`, so it cannot reach a log or a report by accident.
public struct APIKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    let value: String

    /// Wraps `value`; nil for an empty or missing one.
    public init?(_ value: String?) {
        guard let value, !value.isEmpty else { return nil }
        self.value = value
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    var header: String { "Bearer \(value)" }
}
