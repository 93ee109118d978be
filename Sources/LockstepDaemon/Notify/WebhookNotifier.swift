import AsyncHTTPClient
import Foundation
import LockstepKubernetes
import Logging
import ServiceLifecycle
import Synchronization

/// Sends ``DaemonEvent``s to webhooks (generic JSON or Slack), behind a bounded queue per sink.
///
/// ``notify(_:)`` only enqueues: a notification never blocks or fails a rotation. ``run()`` delivers,
/// with retries and backoff (2xx delivered; 4xx other than 408/429 not retried); after the last
/// failed attempt it calls `onFailure` (the daemon audits `notification.failed`). On graceful
/// shutdown it stops taking events and drains the queues for at most `drainTimeout`.
///
/// Webhook URLs are secrets: logs, reasons and counters name the sink only.
public actor WebhookNotifier: EventNotifier, Service {
    /// Reads `key` of Secret `namespace/name` as text (see ``secretResolver(_:)``).
    public typealias SecretResolver = @Sendable (_ namespace: String, _ name: String, _ key: String) async throws -> String
    /// Called once per event and sink that could not be delivered; `reason` never contains the URL.
    public typealias FailureHandler = @Sendable (_ sinkName: String, _ event: DaemonEvent, _ reason: String) async -> Void

    public nonisolated let sinks: [WebhookSink]
    private let injectedClient: HTTPClient?
    private let queueCapacity: Int
    private let drainTimeout: Duration
    /// What retry pauses and the drain bound pass on.
    private nonisolated let clock: any Clock<Duration>
    private let resolveSecret: SecretResolver?
    private let onFailure: FailureHandler
    private let logger: Logger
    private var queues: [[DaemonEvent]]
    private var accepting = true
    private nonisolated let wakeups: [(stream: AsyncStream<Void>, continuation: AsyncStream<Void>.Continuation)]
    private nonisolated let shutdown: (stream: AsyncStream<Void>, continuation: AsyncStream<Void>.Continuation)
    private nonisolated let tally = Mutex(NotifierCounters())

    /// - Parameters:
    ///   - sinks: where events go; an event reaches every sink whose `events` contain its kind.
    ///   - httpClient: an `HTTPClient` to use (the caller shuts it down); nil: ``run()`` creates one
    ///     (no redirects, no connection retries) and shuts it down when it returns.
    ///   - queueCapacity: events kept per sink; when full the oldest is dropped (logged, counted).
    ///   - drainTimeout: how long graceful shutdown may spend delivering what is queued.
    ///   - resolveSecret: reads URLs given as `.secret(...)`; see ``secretResolver(_:)``.
    ///   - onFailure: called after the last failed attempt of a delivery.
    ///   - clock: what the pauses between attempts and the drain bound pass on.
    public init(sinks: [WebhookSink], httpClient: HTTPClient? = nil, queueCapacity: Int = 1000, drainTimeout: Duration = .seconds(5),
                resolveSecret: SecretResolver? = nil, onFailure: @escaping FailureHandler = { _, _, _ in },
                logger: Logger = Logger(label: "lockstep.notify"), clock: any Clock<Duration> = ContinuousClock()) {
        self.clock = clock
        self.sinks = sinks
        self.injectedClient = httpClient
        self.queueCapacity = max(1, queueCapacity)
        self.drainTimeout = drainTimeout
        self.resolveSecret = resolveSecret
        self.onFailure = onFailure
        self.logger = logger
        self.queues = Array(repeating: [], count: sinks.count)
        // One pending wake-up is enough: a worker empties its whole queue each time it wakes.
        self.wakeups = sinks.map { _ in AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1)) }
        self.shutdown = AsyncStream<Void>.makeStream()
    }

    /// A resolver over `KubernetesClient.readSecretValue`, for URLs given as `.secret(...)`.
    public static func secretResolver(_ client: KubernetesClient) -> SecretResolver {
        { namespace, name, key in
            let value = try await client.readSecretValue(namespace: namespace, name: name, key: key)
            return value.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// Deliveries so far (nonisolated: readable by a metrics collector without awaiting).
    public nonisolated var counters: NotifierCounters { tally.withLock { $0 } }

    /// Queues `event` for every sink that wants its kind and returns at once.
    public func notify(_ event: DaemonEvent) {
        for (index, sink) in sinks.enumerated() where sink.events.contains(event.kind) {
            guard accepting else {
                tally.withLock { $0.dropped += 1 }
                logger.warning("webhook notifier is shut down: event dropped", metadata: ["sink": "\(sink.name)", "kind": "\(event.kind.rawValue)"])
                continue
            }
            if queues[index].count >= queueCapacity {
                queues[index].removeFirst()
                tally.withLock { $0.dropped += 1 }
                logger.warning("webhook queue full: dropped the oldest event", metadata: ["sink": "\(sink.name)", "capacity": "\(queueCapacity)"])
            }
            queues[index].append(event)
            wakeups[index].continuation.yield()
        }
    }

    /// Delivers until graceful shutdown (then drains, bounded) or cancellation.
    public func run() async throws {
        let http = injectedClient ?? Self.makeClient()
        let delivery = WebhookDelivery(http: http, resolveSecret: resolveSecret)
        await withGracefulShutdownHandler {
            // Without sinks there is nothing to do, but returning early would end a ServiceGroup.
            if sinks.isEmpty {
                for await _ in shutdown.stream {}
                return
            }
            await withTaskGroup(of: Bool.self) { group in
                for index in sinks.indices {
                    group.addTask { await self.work(index, delivery); return true }
                }
                group.addTask { await self.drainDeadline(); return false }
                var workers = sinks.count
                // Ends when every worker has drained its queue, or when the drain deadline passes.
                while let isWorker = await group.next() {
                    if isWorker { workers -= 1 }
                    if !isWorker || workers == 0 { group.cancelAll() }
                }
            }
        } onGracefulShutdown: { [wakeups, shutdown] in
            for wakeup in wakeups { wakeup.continuation.finish() }
            shutdown.continuation.finish()
        }
        stopAccepting()
        if injectedClient == nil { try? await http.shutdown() }
    }

    // MARK: - Workers

    /// Delivers a sink's events in order until its wake-ups end (shutdown), then what is left.
    private nonisolated func work(_ index: Int, _ delivery: WebhookDelivery) async {
        for await _ in wakeups[index].stream {
            await deliverQueued(index, delivery)
        }
        await deliverQueued(index, delivery)
    }

    private nonisolated func deliverQueued(_ index: Int, _ delivery: WebhookDelivery) async {
        while !Task.isCancelled, let event = await dequeue(index) {
            await deliver(event, to: sinks[index], delivery)
        }
    }

    private nonisolated func drainDeadline() async {
        for await _ in shutdown.stream {}
        try? await clock.sleep(for: drainTimeout)
    }

    private func dequeue(_ index: Int) -> DaemonEvent? {
        queues[index].isEmpty ? nil : queues[index].removeFirst()
    }

    private func stopAccepting() {
        accepting = false
        let left = queues.reduce(0) { $0 + $1.count }
        queues = queues.map { _ in [] }
        if left > 0 {
            tally.withLock { $0.dropped += left }
            logger.warning("webhook notifier stopped with undelivered events", metadata: ["dropped": "\(left)"])
        }
    }

    private nonisolated func deliver(_ event: DaemonEvent, to sink: WebhookSink, _ delivery: WebhookDelivery) async {
        let metadata: Logger.Metadata = ["sink": "\(sink.name)", "kind": "\(event.kind.rawValue)", "credential": "\(event.credential)"]
        let reason: String
        do {
            let body = try WebhookPayload.body(sink.format, for: event)
            reason = await attempts(body, sink, delivery, metadata)
        } catch {
            reason = "cannot encode the event: \(type(of: error))"
        }
        if reason.isEmpty {
            tally.withLock { $0.delivered += 1 }
            logger.debug("webhook delivered", metadata: metadata)
            return
        }
        tally.withLock { $0.failed += 1 }
        logger.warning("webhook delivery failed", metadata: metadata.merging(["reason": "\(reason)"]) { $1 })
        await onFailure(sink.name, event, reason)
    }

    /// Tries up to `sink.attempts` times; returns "" when delivered, else why the last attempt failed.
    private nonisolated func attempts(_ body: Data, _ sink: WebhookSink, _ delivery: WebhookDelivery, _ metadata: Logger.Metadata) async -> String {
        var reason = ""
        for attempt in 1...sink.attempts {
            switch await delivery.attempt(body, to: sink) {
            case .delivered:
                return ""
            case .permanent(let why):
                return why
            case .retryable(let why):
                reason = attempt == sink.attempts ? "\(why) after \(attempt) attempts" : why
            }
            guard attempt < sink.attempts else { break }
            logger.debug("webhook attempt failed; retrying", metadata: metadata.merging(["attempt": "\(attempt)", "reason": "\(reason)"]) { $1 })
            do { try await clock.sleep(for: sink.delay(afterAttempt: attempt)) } catch {
                return "\(reason); stopped by shutdown after \(attempt) attempts"
            }
        }
        return reason
    }

    private static func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(5)))
        // A webhook URL is a secret: do not follow it elsewhere. Retries are ours (bounded, counted).
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }
}
