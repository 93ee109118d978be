import Foundation
import Hummingbird
import LockstepBench
import Synchronization

/// A webhook receiver on 127.0.0.1 (port 0) for notifier tests: records every request to
/// `/hook/...`, answers statuses from a script (then 200), and can hold answers until released.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        let path: String
        let contentType: String?
        let body: Data
        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    }

    private struct State {
        var received: [Received] = []
        var script: [Int] = []
        var held = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let server: BenchServer

    private init(server: BenchServer) { self.server = server }

    static func start() async throws -> (WebhookReceiver, port: Int) {
        let box = Mutex<WebhookReceiver?>(nil)
        let router = Router()
        router.post("/hook/**") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            guard let receiver = box.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
            return await receiver.handle(path: request.uri.path, contentType: request.headers[.contentType], body: Data(buffer: body))
        }
        let server = try await BenchServer.start(router, port: 0, name: "webhook-receiver", logger: quietLogger)
        let receiver = WebhookReceiver(server: server)
        box.withLock { $0 = receiver }
        return (receiver, server.port)
    }

    func url(_ path: String = "hook/T0KEN-s3cr3t") -> String { "http://127.0.0.1:\(server.port)/\(path)" }

    var received: [Received] { state.withLock { $0.received } }

    /// The next answers, in order (then 200).
    func script(_ statuses: [Int]) { state.withLock { $0.script = statuses } }

    /// Requests are recorded at once but answered only after ``release()``.
    func hold() { state.withLock { $0.held = true } }

    func release() {
        let waiters = state.withLock { s in
            s.held = false
            defer { s.waiters = [] }
            return s.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func stop() async {
        release()
        await server.stop()
    }

    private func handle(path: String, contentType: String?, body: Data) async -> Response {
        let (status, held) = state.withLock { s in
            s.received.append(Received(path: path, contentType: contentType, body: body))
            return (s.script.isEmpty ? 200 : s.script.removeFirst(), s.held)
        }
        if held {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { s in
                    if s.held { s.waiters.append(continuation); return false }
                    return true
                }
                if resumeNow { continuation.resume() }
            }
        }
        return Response(status: HTTPResponse.Status(code: status))
    }
}
