import AsyncHTTPClient
import Foundation
import LockstepCrypto
import NIOCore
import NIOHTTP1

/// A client for the LiteLLM proxy's endpoints Lockstep needs (facts in DESIGN.md §7, checked
/// against litellm 1.108.7): readiness, "is this key accepted?", model health, and custom
/// virtual keys for the bridge strategy. Keys travel only in the Authorization header or the
/// request body; errors never contain them.
public struct LiteLLMClient: Sendable {
    public let baseURL: String
    let http: HTTPClient
    let timeout: TimeAmount

    /// `baseURL` like `http://litellm.litellm-system.svc.cluster.local:4000`. Uses the shared
    /// HTTP client unless one is given (its owner shuts it down).
    public init(baseURL: String, http: HTTPClient = .shared, timeout: TimeAmount = .seconds(10)) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.http = http
        self.timeout = timeout
    }

    /// Whether the proxy is ready to serve (`/health/readiness`, no auth).
    public func isReady() async -> Bool {
        (try? await send("GET", "/health/readiness", key: nil, body: nil).status) == 200
    }

    /// Whether the gateway's auth accepts `key`, probed with `GET /v1/models` (which needs a
    /// valid key and calls no provider, so a refusal is about the key alone).
    public func verdict(for key: SecretBytes) async throws -> KeyVerdict {
        let r = try await send("GET", "/v1/models", key: key, body: nil)
        switch r.status {
        case 200: return .accepted
        case 401: return .refused(status: 401, errorType: r.errorType)
        case 400 where r.errorType == "no_db_connection": return .refused(status: 400, errorType: r.errorType)
        default: return .inconclusive(status: r.status, errorType: r.errorType)
        }
    }

    /// `GET /health?model=NAME` with the master key: healthy and unhealthy endpoint counts
    /// (read the counts: the status is 200 or 503 depending on them).
    public func health(model: String, masterKey: SecretBytes) async throws -> ModelHealth {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+")
        let query = model.addingPercentEncoding(withAllowedCharacters: allowed) ?? model
        let r = try await send("GET", "/health?model=\(query)", key: masterKey, body: nil)
        // litellm 1.108.7 answers 200 when an endpoint is healthy and 503 (same body) when none is.
        guard r.status == 200 || r.status == 503, let object = r.json as? [String: Any], object["healthy_count"] != nil else {
            throw r.error("health check of \(model) failed")
        }
        return ModelHealth(model: model, healthyCount: object["healthy_count"] as? Int ?? 0, unhealthyCount: object["unhealthy_count"] as? Int ?? 0)
    }

    /// Registers `key` as a virtual key (`POST /key/generate` with a caller-chosen key), named
    /// `alias`, so that every gateway pod accepts it before anything restarts (bridge strategy).
    public func generateKey(_ key: SecretBytes, alias: String, masterKey: SecretBytes) async throws {
        let body = try jsonBody(["key_alias": alias, "metadata": ["created_by": "lockstep"]], secretField: ("key", key))
        let r = try await send("POST", "/key/generate", key: masterKey, body: body)
        switch r.status {
        case 200: return
        case 400: throw GatewayError(code: .invalidKeyFormat, status: 400, errorType: r.errorType, message: "LiteLLM refused the virtual key's format")
        case 401, 403: throw GatewayError(code: .forbidden, status: r.status, errorType: r.errorType, message: "LiteLLM refused to create a custom virtual key (wrong master key, or custom keys disabled)")
        case 500 where r.mentionsDatabase: throw GatewayError(code: .databaseRequired, status: 500, errorType: r.errorType, message: "virtual keys need LiteLLM's database; use strategy restart-together, or give LiteLLM a DATABASE_URL")
        default: throw r.error("creating the virtual key failed")
        }
    }

    /// Deletes the virtual keys named `alias` (`POST /key/delete` with `key_aliases`).
    /// Idempotent: a key that is already gone is not an error.
    public func deleteKey(alias: String, masterKey: SecretBytes) async throws {
        let body = try JSONSerialization.data(withJSONObject: ["key_aliases": [alias]])
        let r = try await send("POST", "/key/delete", key: masterKey, body: Array(body))
        switch r.status {
        case 200, 404: return
        case 400 where (r.message ?? "").lowercased().contains("not found"): return
        case 500 where r.mentionsDatabase: throw GatewayError(code: .databaseRequired, status: 500, errorType: r.errorType, message: "virtual keys need LiteLLM's database")
        default: throw r.error("deleting the virtual key failed")
        }
    }

    // MARK: - Transport

    struct Reply {
        let status: Int
        let json: Any?
        var errorObject: [String: Any]? { (json as? [String: Any])?["error"] as? [String: Any] }
        var errorType: String? { errorObject?["type"] as? String }
        var message: String? { scrubbed(errorObject?["message"] as? String) }
        var mentionsDatabase: Bool { (errorObject?["message"] as? String ?? "").lowercased().contains("db") || errorType == "no_db_connection" }

        func error(_ what: String) -> GatewayError {
            GatewayError(code: .unexpected, status: status, errorType: errorType, message: "\(what)\(message.map { ": \($0)" } ?? "")")
        }
    }

    func send(_ method: String, _ path: String, key: SecretBytes?, body: [UInt8]?) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = HTTPMethod(rawValue: method)
        if let key {
            // The header value must be a String; it lives only for this request.
            request.headers.add(name: "Authorization", value: "Bearer " + key.withUnsafeBytes { String(decoding: $0, as: UTF8.self) })
        }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let response = try await http.execute(request, timeout: timeout)
            let bytes = try await response.body.collect(upTo: 1 << 20)
            let json = try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))
            return Reply(status: Int(response.status.code), json: json)
        } catch let e as GatewayError {
            throw e
        } catch {
            throw GatewayError(code: .unreachable, status: nil, errorType: nil, message: "no answer from \(baseURL)\(path.split(separator: "?").first.map { String($0) } ?? ""): \(type(of: error))")
        }
    }

    /// A JSON body with one member holding a secret, assembled without a String copy of it.
    func jsonBody(_ fields: [String: Any], secretField: (String, SecretBytes)) throws -> [UInt8] {
        var object = Array(try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]))
        object.removeLast() // "}"
        var out = object
        if out.count > 1 { out.append(UInt8(ascii: ",")) }
        out += Array("\"\(secretField.0)\":\"".utf8)
        secretField.1.withUnsafeBytes { bytes in
            for b in bytes {
                if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
                out.append(b)
            }
        }
        out += Array("\"}".utf8)
        return out
    }
}

/// A gateway message with any live secret in it withheld.
func scrubbed(_ message: String?) -> String? {
    guard let message else { return nil }
    let short = message.count > 300 ? String(message.prefix(300)) + "…" : message
    return SecretRegistry.shared.anySecretOccurs(in: Array(short.utf8)) ? "<message withheld: it quotes a secret>" : short
}
