import Foundation
import Hummingbird

/// A stand-in for LiteLLM's proxy **in database mode**, which cannot run on these machines (its
/// Prisma step downloads from a registry that is not reachable). It follows LiteLLM 1.108.7's
/// documented request and response shapes (DESIGN.md §7) for what Lockstep's bridge strategy
/// uses: the master key from `PROXY_MASTER_KEY`, virtual keys from `/key/generate` with a
/// caller-chosen `key`, `/key/delete` by keys or aliases, auth that accepts the master key or a
/// stored virtual key (401 `auth_error` otherwise), `/v1/models`, `/v1/chat/completions`
/// (mock answer) and the health endpoints. It is labelled as a stand-in wherever it is used.
public final class LiteLLMStandIn: Sendable {
    let masterKey: String
    let store: VirtualKeyStore

    public init(masterKey: String, store: VirtualKeyStore) {
        self.masterKey = masterKey
        self.store = store
    }

    /// LiteLLM refuses to start with these master keys (exit 3).
    public static func refusesMasterKey(_ key: String) -> Bool {
        key.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || key == "sk-1234"
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/health/readiness") { _, _ in Self.json(.ok, #"{"status":"healthy","db":"connected"}"#) }
        router.get("/health/liveliness") { _, _ in Self.json(.ok, #""I'm alive!""#) }
        router.get("/v1/models") { [self] request, _ in
            if let refused = refusal(request) { return refused }
            return Self.json(.ok, #"{"data":[{"id":"mock-gpt","object":"model","created":1677610602,"owned_by":"openai"}],"object":"list"}"#)
        }
        router.post("/v1/chat/completions") { [self] request, _ in
            if let refused = refusal(request) { return refused }
            return Self.json(.ok, #"{"id":"chatcmpl-standin","object":"chat.completion","created":1,"model":"mock-gpt","choices":[{"index":0,"message":{"role":"assistant","content":"hello from the stand-in"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":4,"total_tokens":5}}"#)
        }
        router.post("/key/generate") { [self] request, _ in try await generate(request) }
        router.post("/key/delete") { [self] request, _ in try await delete(request) }
        return router
    }

    private func bearer(_ request: Request) -> String? {
        guard let h = request.headers[.authorization], h.hasPrefix("Bearer ") else { return nil }
        return String(h.dropFirst("Bearer ".count))
    }

    /// Master key first (constant time), then the virtual keys, as `user_api_key_auth` does.
    private func refusal(_ request: Request) -> Response? {
        guard let key = bearer(request) else {
            return Self.json(.unauthorized, #"{"error":{"message":"Authentication Error, No api key passed in.","type":"auth_error","param":"None","code":"401"}}"#)
        }
        if constantTimeEqual(key, masterKey) || store.contains(key) { return nil }
        return Self.json(.unauthorized, #"{"error":{"message":"Authentication Error, Invalid proxy server token passed.","type":"auth_error","param":"None","code":"401"}}"#)
    }

    private func requireMaster(_ request: Request) -> Response? {
        guard let key = bearer(request), constantTimeEqual(key, masterKey) else {
            return refusal(request) ?? Self.json(.forbidden, #"{"error":{"message":"Only the proxy admin can do this.","type":"auth_error","param":"None","code":"403"}}"#)
        }
        return nil
    }

    struct GenerateRequest: Decodable { var key: String?; var key_alias: String? }
    struct DeleteRequest: Decodable { var keys: [String]?; var key_aliases: [String]? }

    private func generate(_ request: Request) async throws -> Response {
        if let refused = requireMaster(request) { return refused }
        var request = request
        let body = try await request.collectBody(upTo: 1 << 20)
        guard let r = try? JSONDecoder().decode(GenerateRequest.self, from: Data(body.readableBytesView)) else {
            return Self.json(.badRequest, #"{"error":{"message":"invalid request body","type":"bad_request_error","param":null,"code":"400"}}"#)
        }
        let key = r.key ?? "sk-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        guard key.hasPrefix("sk-"), key.count >= 16 else {
            return Self.json(.badRequest, #"{"error":"Invalid key format. LiteLLM Virtual Key must start with 'sk-' and be at least 16 characters long."}"#)
        }
        try store.update { keys in
            keys.removeAll { $0.key == key }
            keys.append(.init(key: key, alias: r.key_alias))
        }
        let token = String(key.utf8.reduce(UInt64(1469598103934665603)) { ($0 ^ UInt64($1)) &* 1099511628211 }, radix: 16)
        let alias = r.key_alias.map { "\"\($0)\"" } ?? "null"
        return Self.json(.ok, #"{"key":"\#(key)","token":"\#(token)","key_alias":\#(alias),"expires":null}"#)
    }

    private func delete(_ request: Request) async throws -> Response {
        if let refused = requireMaster(request) { return refused }
        var request = request
        let body = try await request.collectBody(upTo: 1 << 20)
        let r = (try? JSONDecoder().decode(DeleteRequest.self, from: Data(body.readableBytesView))) ?? DeleteRequest()
        let deleted: [String] = try store.update { keys in
            let gone = keys.filter { k in (r.keys ?? []).contains(k.key) || (k.alias.map { (r.key_aliases ?? []).contains($0) } ?? false) }
            keys.removeAll { k in gone.contains(k) }
            return gone.map { $0.alias ?? "redacted" }
        }
        let list = deleted.map { "\"\($0)\"" }.joined(separator: ",")
        return Self.json(.ok, #"{"deleted_keys":[\#(list)]}"#)
    }

    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
