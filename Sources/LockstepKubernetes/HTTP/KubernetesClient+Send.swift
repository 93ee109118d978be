import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL

/// One API call: method, path, body and what it does (for errors and the retry decision).
struct APICall: Sendable {
    var method: HTTPMethod
    var path: String
    var query: [(String, String)] = []
    var body: Data?
    var contentType = "application/json"
    var context: RequestContext
}

extension KubernetesClient {
    /// Sends a call and returns the body of a 2xx answer. Retries safe calls on 429/5xx/connection
    /// errors with backoff; fetches the credential again once after a 401; never retries a 409.
    func send(_ call: APICall) async throws -> Data {
        let policy = configuration.retry
        var attempt = 1
        var refreshedAfter401 = false
        while true {
            var retryAfter: Duration?
            do {
                let (status, body, headers) = try await perform(call)
                if (200..<300).contains(status) { return body }
                retryAfter = RetryPolicy.retryAfter(headers["Retry-After"].first)
                let error = KubernetesError.from(status: status, body: body, context: call.context)
                if status == 401, !refreshedAfter401, await credentials.canRefresh {
                    // A bound token may have been rotated under us: read it again and try once more.
                    refreshedAfter401 = true
                    await credentials.invalidate()
                    logger.info("401 from the apiserver; fetching the credential again", metadata: ["object": "\(call.context.objectDescription)"])
                    continue
                }
                throw error
            } catch let error as KubernetesError {
                guard attempt < policy.maxAttempts, RetryPolicy.isRetriable(error, idempotent: call.context.idempotent) else { throw error }
                // The server's Retry-After (429, 503) wins over our backoff, within maxDelay.
                let delay = max(policy.delay(afterAttempt: attempt), min(retryAfter ?? .zero, policy.maxDelay))
                logger.notice("retrying after a transient failure", metadata: [
                    "object": "\(call.context.objectDescription)", "verb": "\(call.context.verb)",
                    "code": "\(error.code.rawValue)", "attempt": "\(attempt)", "delay": "\(delay)"])
                try await policy.sleep(delay)
                attempt += 1
            }
        }
    }

    /// One HTTP exchange; transport failures become ``KubernetesError`` (`.transport` or `.timeout`).
    private func perform(_ call: APICall) async throws -> (Int, Data, HTTPHeaders) {
        let request = try await makeRequest(call)
        // The deadline covers the exchange only, not the credential fetch (an exec plugin has its own timeout).
        let deadline = NIODeadline.now() + .nanoseconds(Int64(configuration.requestTimeout.timeInterval * 1e9))
        do {
            let response = try await http.execute(request, deadline: deadline, logger: logger)
            let body = try await response.body.collect(upTo: 64 * 1024 * 1024)
            logger.debug("kubernetes request", metadata: [
                "method": "\(call.method.rawValue)", "path": "\(call.path)", "status": "\(response.status.code)"])
            return (Int(response.status.code), Data(buffer: body), response.headers)
        } catch {
            throw transportError(error, context: call.context)
        }
    }

    /// Builds the HTTP request with the current credential (header or per-request client certificate).
    func makeRequest(_ call: APICall) async throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL + call.path + Self.queryString(call.query))
        request.method = call.method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: configuration.userAgent)
        if let body = call.body {
            request.headers.add(name: "Content-Type", value: call.contentType)
            request.body = .bytes(ByteBuffer(data: body))
        }
        let current = try await credentials.current()
        if let token = current.bearer {
            request.headers.add(name: "Authorization", value: "Bearer " + token.text)
        }
        if let identity = current.clientCertificate {
            var tls = baseTLS
            try TLSSetup.apply(identity, to: &tls, source: "the exec plugin of \(configuration.source)")
            request.tlsConfiguration = tls
        }
        return request
    }

    /// Names the failure without quoting anything a server or TLS library could have echoed.
    func transportError(_ error: any Error, context: RequestContext) -> KubernetesError {
        if let error = error as? KubernetesError { return error }
        let object = context.objectDescription
        if let error = error as? HTTPClientError {
            // No connection within the deadline: nothing was sent, so it is a connection failure
            // (retriable for safe calls), not a slow answer.
            if error == .connectTimeout || error == .getConnectionFromPoolTimeout {
                return KubernetesError(.transport, object: object, message: "could not connect to \(configuration.server.absoluteString) in time (\(error))")
            }
            if error == .deadlineExceeded || error == .readTimeout {
                return KubernetesError(.timeout, object: object, message: "no answer from \(configuration.server.absoluteString) in time (\(error))")
            }
            return KubernetesError(.transport, object: object, message: "request to \(configuration.server.absoluteString) failed: \(error)")
        }
        if error is NIOSSLError || error is BoringSSLError {
            // A refused certificate does not heal by retrying; the reason keeps it out of the retries.
            return KubernetesError(.transport, object: object, message: "TLS with \(configuration.server.absoluteString) failed: \(error)",
                                   reason: RetryPolicy.tlsFailureReason)
        }
        if error is CancellationError {
            return KubernetesError(.timeout, object: object, message: "the request was cancelled")
        }
        return KubernetesError(.transport, object: object, message: "request to \(configuration.server.absoluteString) failed: \(error)")
    }

    static func queryString(_ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return "" }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+,")
        return "?" + query.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)" }.joined(separator: "&")
    }

    /// Sends a call and decodes the answer.
    func send<T: Decodable>(_ call: APICall, as type: T.Type) async throws -> T {
        let body = try await send(call)
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch {
            throw KubernetesError(.decoding, object: call.context.objectDescription, message: "unexpected answer for \(call.context.verb): \(Self.shape(of: error))")
        }
    }

    /// Where a decoding error happened, without the value that was there.
    static func shape(of error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not JSON" }
        switch error {
        case .keyNotFound(let key, let c): return "missing \((c.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c):
            return "bad value at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        @unknown default: return "undecodable"
        }
    }
}
