import LockstepTesting
import Foundation
import KubeSim
import LockstepCore
import LockstepKubernetes
import ServiceLifecycle
import Synchronization
import Testing
@testable import LockstepDaemon

/// The notifier against a real HTTP receiver on 127.0.0.1. Backoffs are milliseconds; every wait is
/// a bounded poll.
@Suite("WebhookNotifier", .serialized)
struct WebhookNotifierTests {
    static let event = DaemonEvent(kind: .rotationFinished, credential: "litellm-master-key", runID: "run-42", version: 7,
                                   message: "rotated; gateway and backend restarted", at: Timestamp(millisecondsSinceEpoch: 1_800_000_000_123),
                                   actor: "scheduler")

    static func sink(_ url: WebhookSink.URLSource, format: WebhookSink.Format = .json, attempts: Int = 4,
                     events: Set<DaemonEvent.Kind> = Set(DaemonEvent.Kind.allCases)) -> WebhookSink {
        WebhookSink(name: "ops", format: format, url: url, events: events, attempts: attempts, backoff: .milliseconds(20),
                    maxBackoff: .milliseconds(80), timeout: .seconds(2))
    }

    /// Failures reported through `onFailure`.
    final class Failures: Sendable {
        private let list = Mutex<[(sink: String, credential: String, reason: String)]>([])
        var all: [(sink: String, credential: String, reason: String)] { list.withLock { $0 } }
        var handler: WebhookNotifier.FailureHandler {
            { sink, event, reason in self.list.withLock { $0.append((sink, event.credential, reason)) } }
        }
    }

    /// Runs `notifier` for the duration of `body`, then cancels it and waits for it to end.
    static func running<R>(_ notifier: WebhookNotifier, _ body: () async throws -> R) async throws -> R {
        let task = Task { try await notifier.run() }
        let result: Result<R, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        task.cancel()
        _ = await task.result
        return try result.get()
    }

    static func withReceiver<R>(_ body: (WebhookReceiver) async throws -> R) async throws -> R {
        let (receiver, _) = try await WebhookReceiver.start()
        let result: Result<R, any Error>
        do { result = .success(try await body(receiver)) } catch { result = .failure(error) }
        await receiver.stop()
        return try result.get()
    }

    @Test("JSON payload: every event field, RFC 3339 time, source lockstep, JSON content type")
    func jsonPayload() async throws {
        try await Self.withReceiver { receiver in
            let notifier = WebhookNotifier(sinks: [Self.sink(.url(receiver.url()))], logger: quietLogger)
            try await Self.running(notifier) {
                await notifier.notify(Self.event)
                #expect(await eventually(timeout: .seconds(20), every: .milliseconds(20)) { notifier.counters.delivered == 1 })
            }
            let request = try #require(receiver.received.first)
            #expect(request.path == "/hook/T0KEN-s3cr3t")
            #expect(request.contentType == "application/json")
            let json = try #require(request.json)
            #expect(json["source"] as? String == "lockstep")
            #expect(json["kind"] as? String == "rotation-finished")
            #expect(json["credential"] as? String == "litellm-master-key")
            #expect(json["runID"] as? String == "run-42")
            #expect(json["version"] as? Int == 7)
            #expect(json["message"] as? String == "rotated; gateway and backend restarted")
            #expect(json["at"] as? String == "2027-01-15T08:00:00.123Z")
            #expect(json["actor"] as? String == "scheduler")
            #expect(notifier.counters == NotifierCounters(delivered: 1, failed: 0, dropped: 0))
        }
    }

    @Test("Slack payload: text fallback plus one section block of mrkdwn, with Slack markup escaped")
    func slackPayload() async throws {
        try await Self.withReceiver { receiver in
            let notifier = WebhookNotifier(sinks: [Self.sink(.url(receiver.url()), format: .slack)], logger: quietLogger)
            var event = Self.event
            event.kind = .rolledBack
            event.message = "health check failed <!channel> & gateway restored"
            try await Self.running(notifier) {
                await notifier.notify(event)
                #expect(await eventually(timeout: .seconds(20), every: .milliseconds(20)) { notifier.counters.delivered == 1 })
            }
            let json = try #require(receiver.received.first?.json)
            let text = try #require(json["text"] as? String)
            #expect(text.contains("litellm-master-key"))
            let blocks = try #require(json["blocks"] as? [[String: Any]])
            #expect(blocks.count == 1)
            #expect(blocks[0]["type"] as? String == "section")
            let section = try #require(blocks[0]["text"] as? [String: Any])
            #expect(section["type"] as? String == "mrkdwn")
            let mrkdwn = try #require(section["text"] as? String)
            #expect(mrkdwn.contains("Rotation rolled back"))
            #expect(mrkdwn.contains("version 7"))
            #expect(mrkdwn.contains("&lt;!channel&gt; &amp; gateway"))
            #expect(!mrkdwn.contains("<!channel>") && !text.contains("<!channel>"))
            #expect((1...3000).contains(mrkdwn.count))
        }
    }

    @Test("a 500 is retried with backoff, then delivered")
    func retriesServerError() async throws {
        try await Self.withReceiver { receiver in
            receiver.script([500, 503])
            let failures = Failures()
            let notifier = WebhookNotifier(sinks: [Self.sink(.url(receiver.url()))], onFailure: failures.handler, logger: quietLogger)
            try await Self.running(notifier) {
                await notifier.notify(Self.event)
                #expect(await eventually(timeout: .seconds(20), every: .milliseconds(20)) { notifier.counters.delivered == 1 })
            }
            #expect(receiver.received.count == 3)
            #expect(failures.all.isEmpty)
            #expect(notifier.counters.failed == 0)
        }
    }

    @Test("the pauses between attempts pass on the notifier's clock: 1, 2 and 4 minutes of backoff on a virtual clock, then delivered")
    func backoffOnTheClock() async throws {
        try await Self.withReceiver { receiver in
            receiver.script([500, 502, 503])
            let clock = VirtualClock()
            let sink = WebhookSink(name: "ops", url: .url(receiver.url()), attempts: 4, backoff: .seconds(60), maxBackoff: .seconds(240), timeout: .seconds(2))
            let notifier = WebhookNotifier(sinks: [sink], logger: quietLogger, clock: clock)
            try await Self.running(notifier) {
                await notifier.notify(Self.event)
                #expect(await eventually(timeout: .seconds(20), every: .milliseconds(20)) { notifier.counters.delivered == 1 })
                #expect(clock.elapsed == .seconds(60 + 120 + 240), "\(clock.elapsed)")
            }
            #expect(receiver.received.count == 4)
        }
    }

    @Test("a 400 is not retried: one request, onFailure called once with the status")
    func clientErrorNotRetried() async throws {
        try await Self.withReceiver { receiver in
            receiver.script([400])
            let failures = Failures()
            let notifier = WebhookNotifier(sinks: [Self.sink(.url(receiver.url()))], onFailure: failures.handler, logger: quietLogger)
            try await Self.running(notifier) {
                await notifier.notify(Self.event)
                #expect(await eventually(timeout: .seconds(20), every: .milliseconds(20)) { failures.all.count == 1 })
                // A sink's events go out one after the other: once the next one is delivered, no
                // retry of the first can still be on its way.
                await notifier.notify(Self.event)
                #expect(await eventually(timeout: .seconds(20), every: .milliseconds(20)) { notifier.counters.delivered == 1 })
            }
            #expect(receiver.received.count == 2, "the 400 was sent once, the next event once")
            #expect(failures.all.count == 1)
            #expect(failures.all.first?.sink == "ops")
            #expect(failures.all.first?.reason.contains("HTTP 400") == true)
            #expect(notifier.counters == NotifierCounters(delivered: 1, failed: 1, dropped: 0))
        }
    }

    @Test("429 and 408 are retried like server errors")
    func throttlingRetried() async throws {
        try await Self.withReceiver { receiver in
            receiver.script([429, 408])
            let notifier = WebhookNotifier(sinks: [Self.sink(.url(receiver.url()))], logger: quietLogger)
            try await Self.running(notifier) {
                await notifier.notify(Self.event)
                #expect(await eventually(timeout: .seconds(20), every: .milliseconds(20)) { notifier.counters.delivered == 1 })
            }
            #expect(receiver.received.count == 3)
        }
    }

    @Test("a dead URL: onFailure once after N attempts; neither reasons nor logs contain the URL")
    func deadURL() async throws {
        // A port that was just listening and is now closed.
        let (probe, port) = try await WebhookReceiver.start()
        await probe.stop()
        let url = "http://127.0.0.1:\(port)/hook/T0KEN-s3cr3t"
        let failures = Failures()
        let logs = CapturedLogs()
        let notifier = WebhookNotifier(sinks: [Self.sink(.url(url), attempts: 3)], onFailure: failures.handler, logger: logs.logger)
        try await Self.running(notifier) {
            let start = ContinuousClock.now
            await notifier.notify(Self.event)
            #expect(ContinuousClock.now - start < .milliseconds(50))
            #expect(await eventually(timeout: .seconds(10), every: .milliseconds(20)) { failures.all.count == 1 })
        }
        let reason = try #require(failures.all.first?.reason)
        #expect(reason.contains("after 3 attempts"))
        #expect(reason.contains("connection failed"))
        for text in [reason, logs.joined] {
            #expect(!text.contains("T0KEN-s3cr3t"))
            #expect(!text.contains(url))
        }
        #expect(logs.joined.contains("ops"), "logs name the sink")
        #expect(notifier.counters.failed == 1)
    }

    @Test("notify returns at once while a delivery is still pending (the receiver holds the answer)")
    func notifyDoesNotWait() async throws {
        try await Self.withReceiver { receiver in
            receiver.hold()
            let notifier = WebhookNotifier(sinks: [Self.sink(.url(receiver.url()))], logger: quietLogger)
            try await Self.running(notifier) {
                await notifier.notify(Self.event)
                #expect(await eventually(timeout: .seconds(20), every: .milliseconds(20)) { receiver.received.count == 1 })
                let start = ContinuousClock.now
                var second = Self.event
                second.credential = "openai-key"
                await notifier.notify(second)
                #expect(ContinuousClock.now - start < .milliseconds(50))
                #expect(notifier.counters.delivered == 0, "the first delivery is still held")
                receiver.release()
                #expect(await eventually(timeout: .seconds(20), every: .milliseconds(20)) { notifier.counters.delivered == 2 })
            }
            #expect(receiver.received.compactMap { $0.json?["credential"] as? String } == ["litellm-master-key", "openai-key"])
        }
    }

    @Test("a full queue drops the oldest waiting event and counts it")
    func dropsOldestWhenFull() async throws {
        try await Self.withReceiver { receiver in
            receiver.hold()
            let notifier = WebhookNotifier(sinks: [Self.sink(.url(receiver.url()))], queueCapacity: 2, logger: quietLogger)
            try await Self.running(notifier) {
                var event = Self.event
                event.credential = "c1"
                await notifier.notify(event)
                #expect(await eventually(timeout: .seconds(20), every: .milliseconds(20)) { receiver.received.count == 1 })
                for name in ["c2", "c3", "c4"] {
                    event.credential = name
                    await notifier.notify(event)
                }
                #expect(notifier.counters.dropped == 1)
                receiver.release()
                #expect(await eventually(timeout: .seconds(20), every: .milliseconds(20)) { notifier.counters.delivered == 3 })
            }
            #expect(receiver.received.compactMap { $0.json?["credential"] as? String } == ["c1", "c3", "c4"])
        }
    }

    @Test("the events filter: a sink gets only the kinds it asked for")
    func eventsFilter() async throws {
        try await Self.withReceiver { receiver in
            let failuresOnly = Self.sink(.url(receiver.url("hook/failures")), events: [.rotationFailed, .rolledBack])
            let notifier = WebhookNotifier(sinks: [failuresOnly, Self.sink(.url(receiver.url("hook/all")))], logger: quietLogger)
            try await Self.running(notifier) {
                await notifier.notify(Self.event)
                var failed = Self.event
                failed.kind = .rotationFailed
                await notifier.notify(failed)
                #expect(await eventually(timeout: .seconds(20), every: .milliseconds(20)) { notifier.counters.delivered == 3 })
            }
            #expect(receiver.received.filter { $0.path == "/hook/failures" }.count == 1)
            #expect(receiver.received.filter { $0.path == "/hook/all" }.count == 2)
        }
    }

    @Test("URL from a file, read (and trimmed) on every delivery")
    func urlFromFile() async throws {
        try await Self.withReceiver { receiver in
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("lockstep-hook-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try (receiver.url("hook/first") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            let notifier = WebhookNotifier(sinks: [Self.sink(.file(path))], logger: quietLogger)
            try await Self.running(notifier) {
                await notifier.notify(Self.event)
                #expect(await eventually(timeout: .seconds(20), every: .milliseconds(20)) { notifier.counters.delivered == 1 })
                try ("  " + receiver.url("hook/second") + "  \n").write(toFile: path, atomically: true, encoding: .utf8)
                await notifier.notify(Self.event)
                #expect(await eventually(timeout: .seconds(20), every: .milliseconds(20)) { notifier.counters.delivered == 2 })
            }
            #expect(receiver.received.map(\.path) == ["/hook/first", "/hook/second"])
        }
    }

    @Test("URL from the injected Secret resolver; a missing key fails without naming the URL")
    func urlFromResolver() async throws {
        try await Self.withReceiver { receiver in
            let asked = Mutex<[String]>([])
            let url = receiver.url("hook/from-secret")
            let resolver: WebhookNotifier.SecretResolver = { namespace, name, key in
                asked.withLock { $0.append("\(namespace)/\(name)#\(key)") }
                guard key == "url" else { throw KubernetesError(.notFound, object: "secret \(namespace)/\(name)", message: "the Secret has no key \(key)") }
                return url + "\n"
            }
            let failures = Failures()
            let good = Self.sink(.secret(namespace: "lockstep", name: "hooks", key: "url"))
            var bad = Self.sink(.secret(namespace: "lockstep", name: "hooks", key: "missing"), attempts: 2)
            bad.name = "broken"
            let notifier = WebhookNotifier(sinks: [good, bad], resolveSecret: resolver, onFailure: failures.handler, logger: quietLogger)
            try await Self.running(notifier) {
                await notifier.notify(Self.event)
                #expect(await eventually(timeout: .seconds(20), every: .milliseconds(20)) { notifier.counters.delivered == 1 && failures.all.count == 1 })
            }
            #expect(receiver.received.map(\.path) == ["/hook/from-secret"])
            #expect(asked.withLock { $0 }.contains("lockstep/hooks#url"))
            #expect(failures.all.first?.sink == "broken")
            #expect(failures.all.first?.reason.contains("secret lockstep/hooks#missing") == true)
        }
    }

    @Test("secretResolver(client) reads the URL from a Kubernetes Secret in KubeSim")
    func kubernetesSecretResolver() async throws {
        try await Self.withReceiver { receiver in
            try await withHTTPKubeSim { sim in
                let url = receiver.url("hook/k8s")
                _ = try sim.create(["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "hooks", "namespace": "lockstep"],
                                    "data": ["slack": .string(Data(url.utf8).base64EncodedString())]])
                let client = try makeClient(sim)
                let notifier = WebhookNotifier(sinks: [Self.sink(.secret(namespace: "lockstep", name: "hooks", key: "slack"), format: .slack)],
                                               resolveSecret: WebhookNotifier.secretResolver(client), logger: quietLogger)
                try await Self.running(notifier) {
                    await notifier.notify(Self.event)
                    #expect(await eventually(timeout: .seconds(20), every: .milliseconds(20)) { notifier.counters.delivered == 1 })
                }
                try await client.close()
                #expect(receiver.received.map(\.path) == ["/hook/k8s"])
            }
        }
    }

    /// A notifier for `receiver` running in a ServiceGroup, so that graceful shutdown can be triggered.
    static func inServiceGroup(_ receiver: WebhookReceiver, drainTimeout: Duration) -> (WebhookNotifier, ServiceGroup, Task<Void, any Error>) {
        let notifier = WebhookNotifier(sinks: [Self.sink(.url(receiver.url()))], drainTimeout: drainTimeout, logger: quietLogger)
        let group = ServiceGroup(configuration: .init(services: [notifier], gracefulShutdownSignals: [], logger: quietLogger))
        return (notifier, group, Task { try await group.run() })
    }

    @Test("graceful shutdown drains the queue; with a receiver that never answers, it ends at the drain timeout")
    func gracefulShutdownDrains() async throws {
        try await Self.withReceiver { receiver in
            receiver.hold()
            let (notifier, group, run) = Self.inServiceGroup(receiver, drainTimeout: .seconds(3))
            await notifier.notify(Self.event)
            await notifier.notify(Self.event)
            #expect(await eventually(timeout: .seconds(20), every: .milliseconds(20)) { receiver.received.count == 1 })
            await group.triggerGracefulShutdown()
            try await Task.sleep(for: .milliseconds(100))
            receiver.release()
            try await run.value
            #expect(notifier.counters.delivered == 2, "both queued events went out during the drain")
            await notifier.notify(Self.event)
            #expect(notifier.counters.dropped == 1, "nothing is taken after shutdown")
        }
        try await Self.withReceiver { receiver in
            receiver.hold()
            let (notifier, group, run) = Self.inServiceGroup(receiver, drainTimeout: .milliseconds(300))
            await notifier.notify(Self.event)
            #expect(await eventually(timeout: .seconds(20), every: .milliseconds(20)) { receiver.received.count == 1 })
            let start = ContinuousClock.now
            await group.triggerGracefulShutdown()
            try await run.value
            #expect(ContinuousClock.now - start < .seconds(2))
            #expect(notifier.counters.delivered == 0)
        }
    }

    @Test("without sinks, run() waits for shutdown instead of returning (which would end a ServiceGroup)")
    func noSinksWaitsForShutdown() async throws {
        let notifier = WebhookNotifier(sinks: [], logger: quietLogger)
        let task = Task { try await notifier.run() }
        await notifier.notify(Self.event)
        try await Task.sleep(for: .milliseconds(200))
        let finished = Mutex(false)
        let watcher = Task { _ = await task.result; finished.withLock { $0 = true } }
        try await Task.sleep(for: .milliseconds(50))
        #expect(!finished.withLock { $0 })
        task.cancel()
        await watcher.value
        #expect(notifier.counters == NotifierCounters())
    }

    @Test("a sink's description and its URL source never print an inline URL")
    func descriptionsRedact() {
        let sink = Self.sink(.url("https://hooks.slack.com/services/T000/B000/XXXXSECRET"))
        #expect(!"\(sink)".contains("XXXXSECRET"))
        #expect(!String(describing: sink.url).contains("hooks.slack.com"))
        #expect("\(sink)".contains("ops"))
    }

    @Test("backoff doubles from the first delay and is capped")
    func backoff() {
        let sink = WebhookSink(name: "x", url: .url("http://127.0.0.1/"))
        #expect([1, 2, 3, 4, 5, 6].map(sink.delay(afterAttempt:)) ==
                [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(8)])
    }
}
