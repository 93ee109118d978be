import AsyncHTTPClient
import Foundation
import LockstepCrypto
import NIOCore
import NIOHTTP1

/// One answer of a provider's API: the status, the JSON body (when it is JSON) and the
/// `Retry-After` it asked for.
struct ProviderReply {
    let status: Int
    let json: Any?
    let retryAfter: Duration?

    var object: [String: Any]? { json as? [String: Any] }
}

/// Sends requests to a provider's admin API: 429, 5xx (Anthropic's 529 too) and no answer are
/// retried as `retry` allows; any other answer is returned as it is. Keys and tokens go only
/// into headers and bodies that `prepare` sets; the errors name the host, never a header.
struct ProviderTransport: Sendable {
    let http: HTTPClient
    let retry: RetryPolicy
    let timeout: TimeAmount

    func send(_ method: HTTPMethod, url: String, what: String, prepare: @Sendable (inout HTTPClientRequest) async throws -> Void) async throws -> ProviderReply {
        var attempt = 1
        while true {
            var request = HTTPClientRequest(url: url)
            request.method = method
            try await prepare(&request)
            var reply: ProviderReply?
            var failure: String?
            do {
                let response = try await http.execute(request, timeout: timeout)
                let bytes = try await response.body.collect(upTo: 1 << 20)
                let seconds = response.headers.first(name: "Retry-After").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
                reply = ProviderReply(status: Int(response.status.code), json: try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)),
                                      retryAfter: seconds.map { .seconds(max(0, $0)) })
            } catch {
                failure = "\(type(of: error))"
            }
            let transient = reply.map { $0.status == 429 || $0.status >= 500 } ?? true
            guard transient, attempt < retry.attempts else {
                if let reply { return reply }
                throw ProviderError(.unavailable, status: nil, "no answer to the \(what) at \(Self.host(url)) after \(attempt) attempts (\(failure ?? "?"))")
            }
            try await retry.pause(retry.delay(after: attempt, retryAfter: reply?.retryAfter))
            attempt += 1
        }
    }

    /// Whether a data plane refuses `key` now: `GET url` with the key in `header` (after
    /// `prefix`) and the `extra` headers answers 401 or 403; 200 means accepted, anything else
    /// is an error. No tokens are spent (a models list).
    func refuses(_ key: SecretBytes, url: String, header: String, prefix: String = "", extra: [(String, String)] = []) async throws -> Bool {
        let reply = try await send(.GET, url: url, what: "key check") { request in
            request.headers.add(name: header, value: prefix + key.withUnsafeBytes { String(decoding: $0, as: UTF8.self) })
            for (name, value) in extra { request.headers.add(name: name, value: value) }
        }
        switch reply.status {
        case 401, 403: return true
        case 200: return false
        default: throw ProviderError(.unexpected, status: reply.status, "the key check at \(Self.host(url)) answered \(reply.status)")
        }
    }

    static func host(_ url: String) -> String {
        URL(string: url).map { "\($0.scheme ?? "https")://\($0.host ?? "?")\($0.port.map { ":\($0)" } ?? "")" } ?? "?"
    }

    static func trimmed(_ url: String) -> String { url.hasSuffix("/") ? String(url.dropLast()) : url }
}
