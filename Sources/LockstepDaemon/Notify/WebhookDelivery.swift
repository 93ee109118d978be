import AsyncHTTPClient
import Foundation
import LockstepKubernetes
import NIOCore

/// One webhook delivery attempt, and the URL resolution before it. Reasons it returns never contain
/// the URL: they end up in logs and in the audit log (`notification.failed`).
struct WebhookDelivery: Sendable {
    enum Outcome: Equatable {
        case delivered
        /// Another attempt may succeed (5xx, 408, 429, network, unreadable URL source).
        case retryable(String)
        /// Retrying cannot help (4xx, a URL that is not http(s)).
        case permanent(String)
    }

    let http: HTTPClient
    let resolveSecret: WebhookNotifier.SecretResolver?

    func attempt(_ body: Data, to sink: WebhookSink) async -> Outcome {
        let url: String
        switch await resolve(sink.url) {
        case .success(let resolved): url = resolved
        case .failure(let outcome): return outcome
        }
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
              parsed.host?.isEmpty == false else {
            return .permanent("the webhook URL from \(sink.url) is not an http(s) URL")
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "lockstep")
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await http.execute(request, timeout: Self.timeAmount(sink.timeout))
            // Read (and drop) the answer so the connection can be reused; it is not logged.
            _ = try? await response.body.collect(upTo: 64 * 1024)
            let code = Int(response.status.code)
            switch code {
            case 200..<300: return .delivered
            case 408, 429: return .retryable("HTTP \(code)")
            case 400..<500: return .permanent("HTTP \(code) (not retried)")
            default: return .retryable("HTTP \(code)")
            }
        } catch {
            return .retryable(Self.scrub(Self.describe(error), url: url))
        }
    }

    private enum Resolution { case success(String), failure(Outcome) }

    private func resolve(_ source: WebhookSink.URLSource) async -> Resolution {
        switch source {
        case .url(let url):
            return .success(url)
        case .file(let path):
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                return .failure(.retryable("cannot read the webhook URL file \(path)"))
            }
            let url = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return url.isEmpty ? .failure(.retryable("the webhook URL file \(path) is empty")) : .success(url)
        case .secret(let namespace, let name, let key):
            guard let resolveSecret else {
                return .failure(.permanent("no Secret resolver configured for the webhook URL in \(source)"))
            }
            do {
                let url = try await resolveSecret(namespace, name, key).trimmingCharacters(in: .whitespacesAndNewlines)
                return url.isEmpty ? .failure(.retryable("the webhook URL in \(source) is empty")) : .success(url)
            } catch {
                // Kubernetes errors name objects only; anything else is reduced to its type.
                let why = (error as? KubernetesError)?.description ?? String(describing: type(of: error))
                return .failure(.retryable("cannot read the webhook URL from \(source): \(why)"))
            }
        }
    }

    /// A short reason for a transport error. AsyncHTTPClient's own errors print as their case name;
    /// others (NIO's connection errors print host and port) are reduced to their type.
    static func describe(_ error: any Error) -> String {
        if error is CancellationError { return "cancelled" }
        if let error = error as? HTTPClientError { return "request failed: \(error)" }
        // IOError's description quotes the failing call and address; its errno is enough.
        if let error = error as? IOError { return "connection failed (\(String(cString: strerror(error.errnoCode))))" }
        return "connection failed (\(type(of: error)))"
    }

    /// Defence in depth: removes the URL and its path/query if they still made it into a reason.
    static func scrub(_ reason: String, url: String) -> String {
        var text = reason.replacingOccurrences(of: url, with: "<url>")
        if let components = URLComponents(string: url) {
            for part in [components.percentEncodedPath, components.percentEncodedQuery ?? ""] where part.count > 1 {
                text = text.replacingOccurrences(of: part, with: "<url>")
            }
        }
        return text
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
