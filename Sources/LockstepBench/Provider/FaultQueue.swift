import Foundation
import Hummingbird
import Synchronization

/// Answers forced on a fake admin API's next requests, for retry tests: a test posts
/// `{"status":429,"count":3,"retryAfter":1}` to the fake's faults route, and the next 3 admin
/// requests are answered 429 with `Retry-After: 1` before the fake looks at them.
final class FaultQueue: Sendable {
    struct Fault: Codable, Sendable {
        var status: Int
        var count: Int
        var retryAfter: Int?
    }

    private let queue = Mutex<[Fault]>([])

    /// `POST path`: queues a fault.
    func register(on router: Router<BasicRequestContext>, path: String) {
        router.post(RouterPath(path)) { [self] request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 16)
            guard let fault = try? JSONDecoder().decode(Fault.self, from: Data(body.readableBytesView)) else {
                return FakeProvider.json(.badRequest, #"{"error":"expected {\"status\":429,\"count\":3,\"retryAfter\":1}"}"#)
            }
            queue.withLock { $0.append(fault) }
            return FakeProvider.json(.ok, "{}")
        }
    }

    /// The fault to answer now, if any (its count goes down by one).
    func take() -> Fault? {
        queue.withLock { queue in
            guard !queue.isEmpty else { return nil }
            let fault = queue[0]
            queue[0].count -= 1
            if queue[0].count <= 0 { queue.removeFirst() }
            return fault
        }
    }

    /// The response for `fault`: `body` in the provider's error shape, and its `Retry-After`.
    static func response(_ fault: Fault, body: String) -> Response {
        var response = FakeProvider.json(HTTPResponse.Status(code: fault.status), body)
        if let after = fault.retryAfter { response.headers[.retryAfter] = String(after) }
        return response
    }
}
