import AsyncHTTPClient
import Foundation
import NIOCore

/// Sends chat completions at a steady rate: request `i` is started at `start + i / rps`, whether
/// or not earlier ones have answered (so a slow gateway shows as latency and timeouts, not as a
/// lower rate). Stops at ``LoadConfiguration/maxRequests``, ``LoadConfiguration/duration`` or
/// ``StopFlag/stop()``, then waits for the requests in flight (each bounded by its timeout).
public struct LoadRunner: Sendable {
    /// What to send.
    public let configuration: LoadConfiguration
    /// Where outcomes go.
    public let recorder: LoadRecorder
    /// One request body per model, asked in turn.
    private let bodies: [String]

    /// A runner for `configuration`, recording into `recorder`.
    public init(configuration: LoadConfiguration, recorder: LoadRecorder) {
        self.configuration = configuration
        self.recorder = recorder
        bodies = configuration.models.map { model in
            let payload: [String: Any] = [
                "model": model,
                "messages": [["role": "user", "content": "lockstep-load ping"]],
                "max_tokens": 8,
            ]
            return String(decoding: (try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
        }
    }

    /// Runs until a bound is reached or `stop` is set; returns how many requests were sent.
    @discardableResult
    public func run(stop: StopFlag) async throws -> Int {
        var http = HTTPClient.Configuration()
        // Room for every request that can be in flight at once (rate × longest request), so none
        // queues behind the pool's default of 8 connections and times out for that reason.
        let inFlight = Int((configuration.requestsPerSecond * configuration.longestRequest.seconds).rounded(.up)) + 2
        http.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, min(inFlight, 512)))
        let client = HTTPClient(configuration: http)
        let sent = await schedule(client: client, stop: stop)
        try await client.shutdown()
        return sent
    }

    private func schedule(client: HTTPClient, stop: StopFlag) async -> Int {
        let clock = ContinuousClock()
        let start = clock.now
        let interval = 1.0 / configuration.requestsPerSecond
        var sent = 0
        await withTaskGroup(of: Void.self) { group in
            while !stop.isStopped {
                if let max = configuration.maxRequests, sent >= max { break }
                let due = start + .seconds(Double(sent) * interval)
                if let duration = configuration.duration, due - start >= duration { break }
                // Sleep in short ticks so that a stop is seen quickly.
                while !stop.isStopped, clock.now < due {
                    try? await Task.sleep(until: min(due, clock.now + .milliseconds(50)), clock: clock)
                }
                if stop.isStopped { break }
                recorder.recordSent()
                let body = bodies[sent % bodies.count]
                group.addTask { await send(client, body: body) }
                sent += 1
            }
            await group.waitForAll()
        }
        return sent
    }

    private func send(_ client: HTTPClient, body: String) async {
        var request = HTTPClientRequest(url: configuration.endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "lockstep-load")
        if let key = configuration.apiKey { request.headers.add(name: "Authorization", value: key.header) }
        request.body = .bytes(ByteBuffer(string: body))
        let sentAt = Date()
        let started = ContinuousClock.now
        var outcome = RequestOutcome.connect
        var cause: String?
        var attempts = 0
        for attempt in 0...configuration.connectionRetries {
            if attempt > 0 {
                // As the OpenAI SDKs do: wait before sending again, 0.5 s and then twice as long
                // each time (at most 8 s). Three attempts within a millisecond all met the same
                // moment of a gateway pod going away.
                try? await Task.sleep(for: Self.retryPause(afterAttempt: attempt))
                recorder.recordRetry(after: outcome)
            }
            attempts += 1
            // Each attempt has the whole timeout, as in the SDKs ("requests that time out are
            // retried twice by default"): a deadline shared by all attempts left the last retry
            // no time after a slow first failure, which no SDK client would have given up on.
            (outcome, cause) = await attemptOnce(client, request, deadline: NIODeadline.now() + .nanoseconds(Int64(configuration.timeout.seconds * 1e9)))
            // No HTTP answer at all (refused, closed, or none before the deadline) is sent again,
            // as the SDKs do (APIConnectionError and APITimeoutError are both retried); an HTTP
            // answer, a refused key's 400 or 401 included, is final.
            guard outcome == .connect || outcome == .timeout else { break }
        }
        recorder.record(outcome, sentAt: sentAt, latency: ContinuousClock.now - started, attempts: attempts, cause: outcome == .connect ? cause : nil)
    }

    /// The pause before attempt `attempt` (1 for the first retry): 0.5 s, 1 s, 2 s, ..., at most 8 s.
    static func retryPause(afterAttempt attempt: Int) -> Duration {
        .milliseconds(min(500 * (1 << min(max(attempt, 1) - 1, 4)), 8000))
    }

    private func attemptOnce(_ client: HTTPClient, _ request: HTTPClientRequest, deadline: NIODeadline) async -> (RequestOutcome, String?) {
        do {
            let response = try await client.execute(request, deadline: deadline)
            let bytes = try await response.body.collect(upTo: 1 << 20)
            let status = Int(response.status.code)
            return (.http(status: status, errorType: (200..<300).contains(status) ? nil : RequestOutcome.errorType(ofBody: Array(bytes.readableBytesView))), nil)
        } catch let error as HTTPClientError where [.deadlineExceeded, .readTimeout, .getConnectionFromPoolTimeout].contains(error) {
            return (.timeout, nil)
        } catch {
            // The pool keeps retrying a refused connection until the deadline and then fails with
            // the last connect error, so "no connection" is told apart by the error, not the time;
            // a keep-alive connection the gateway closed while the request was sent lands here too.
            return (.connect, RequestOutcome.connectionCause(error))
        }
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
