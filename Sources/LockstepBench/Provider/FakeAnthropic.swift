import Foundation
import Hummingbird
import Synchronization

/// Anthropic for one organization, as documented (docs/providers.md): the Admin API's API-key
/// routes (list with `status`, `limit`, `after_id`; get; update `name`/`status`; no create, no
/// delete) behind an Admin API key, and the data plane LiteLLM's `anthropic/` models call
/// (`POST /v1/messages`, and `GET /v1/models`), which accepts exactly the active keys.
///
/// The keys live in a state file, one per line: `ID STATUS VALUE` (status `active`, `inactive`
/// or `archived`). A test adds a key the way a person does in the Console, by appending a line;
/// the fake re-reads the file on every request and rewrites it (atomically) on an update.
///
/// Not covered: workspaces, `created_by`, key expiry, pagination beyond `after_id`, rate limits.
public final class FakeAnthropic: Sendable {
    let stateFile: String
    let adminKeys: [String]
    private let lock = Mutex(())
    private let counts = Mutex<[String: Int]>([:])

    public init(stateFile: String, adminKeys: [String]) {
        self.stateFile = stateFile
        self.adminKeys = adminKeys
    }

    struct Key {
        var id: String
        var status: String
        var value: String
        var hint: String { "\(value.prefix(15))...\(value.suffix(4))" }
        var json: [String: Any] {
            ["id": id, "type": "api_key", "name": id, "status": status, "partial_key_hint": hint, "created_at": "2026-01-05T09:00:00Z",
             "created_by": ["id": "user_fake", "type": "user"], "workspace_id": NSNull()]
        }
    }

    public func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/organizations/api_keys") { [self] request, _ in try list(request) }
        router.get("/v1/organizations/api_keys/:id") { [self] request, context in try get(request, id: context.parameters.get("id") ?? "") }
        router.post("/v1/organizations/api_keys/:id") { [self] request, context in try await update(request, id: context.parameters.get("id") ?? "") }
        router.post("/v1/messages") { [self] request, _ in try await messages(request) }
        router.get("/fake/anthropic/stats") { [self] _, _ in
            FakeProvider.json(.ok, String(decoding: try JSONEncoder.sorted.encode(counts.withLock { $0 }), as: UTF8.self))
        }
    }

    // MARK: - Admin API

    private func list(_ request: Request) throws -> Response {
        if let refused = adminRefusal(request) { return refused }
        let status = request.uri.queryParameters["status"].map(String.init)
        let limit = request.uri.queryParameters["limit"].flatMap { Int($0) } ?? 20
        var keys = try read().filter { status == nil || $0.status == status }
        if let after = request.uri.queryParameters["after_id"].map(String.init), let i = keys.firstIndex(where: { $0.id == after }) {
            keys = Array(keys[(i + 1)...])
        }
        let page = Array(keys.prefix(max(1, min(limit, 1000))))
        count("list")
        return try Self.body(["data": page.map(\.json), "has_more": keys.count > page.count, "first_id": page.first?.id ?? NSNull(), "last_id": page.last?.id ?? NSNull()])
    }

    private func get(_ request: Request, id: String) throws -> Response {
        if let refused = adminRefusal(request) { return refused }
        guard let key = try read().first(where: { $0.id == id }) else { return Self.error(.notFound, "not_found_error", "API key not found") }
        return try Self.body(key.json)
    }

    private func update(_ request: Request, id: String) async throws -> Response {
        if let refused = adminRefusal(request) { return refused }
        var request = request
        let body = try await request.collectBody(upTo: 1 << 16)
        let fields = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
        if let status = fields["status"] as? String, !["active", "inactive", "archived"].contains(status) {
            return Self.error(.badRequest, "invalid_request_error", "status: Input should be 'active', 'inactive' or 'archived'")
        }
        let updated: Key? = try lock.withLock { _ in
            var keys = try read()
            guard let i = keys.firstIndex(where: { $0.id == id }) else { return nil }
            if let status = fields["status"] as? String { keys[i].status = status }
            let text = keys.map { "\($0.id) \($0.status) \($0.value)" }.joined(separator: "\n") + "\n"
            try Data(text.utf8).write(to: URL(fileURLWithPath: stateFile), options: .atomic)
            return keys[i]
        }
        guard let updated else { return Self.error(.notFound, "not_found_error", "API key not found") }
        count("update")
        return try Self.body(updated.json)
    }

    private func adminRefusal(_ request: Request) -> Response? {
        guard let presented = header(request, "x-api-key") else {
            return Self.error(.unauthorized, "authentication_error", "x-api-key header is required")
        }
        guard adminKeys.contains(where: { KeyRing.constantTimeEqual(Array($0.utf8), Array(presented.utf8)) }) else {
            // A regular key of the organization is authenticated but may not use the Admin API.
            if (try? read())?.contains(where: { $0.status == "active" && $0.value == presented }) == true {
                return Self.error(.forbidden, "permission_error", "This API key does not have permission to use the Admin API")
            }
            return Self.error(.unauthorized, "authentication_error", "invalid x-api-key")
        }
        return nil
    }

    // MARK: - Data plane

    private func dataRefusal(_ request: Request) -> Response? {
        guard let presented = header(request, "x-api-key"),
              (try? read())?.contains(where: { $0.status == "active" && KeyRing.constantTimeEqual(Array($0.value.utf8), Array(presented.utf8)) }) == true else {
            count("refused")
            return Self.error(.unauthorized, "authentication_error", "invalid x-api-key")
        }
        return nil
    }

    /// `GET /v1/models` with `x-api-key` (the route is FakeProvider's, shared with OpenAI's Bearer form).
    func models(_ request: Request) -> Response {
        if let refused = dataRefusal(request) { return refused }
        count("models")
        return FakeProvider.json(.ok, #"{"data":[{"type":"model","id":"claude-3-5-haiku-20241022","display_name":"Claude Haiku 3.5","created_at":"2024-10-22T00:00:00Z"}],"has_more":false,"first_id":"claude-3-5-haiku-20241022","last_id":"claude-3-5-haiku-20241022"}"#)
    }

    private func messages(_ request: Request) async throws -> Response {
        if let refused = dataRefusal(request) { return refused }
        var request = request
        let body = try await request.collectBody(upTo: 4 << 20)
        let model = ((try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any])?["model"] as? String ?? "claude-3-5-haiku-20241022"
        count("messages")
        return try Self.body(["id": "msg_fake_\(UUID().uuidString.prefix(8))", "type": "message", "role": "assistant", "model": model,
                              "content": [["type": "text", "text": OpenAIBodies.reply]], "stop_reason": "end_turn", "stop_sequence": NSNull(),
                              "usage": ["input_tokens": 9, "output_tokens": 5]])
    }

    // MARK: - State

    private func read() throws -> [Key] {
        try KeyRing.parseFile(String(contentsOfFile: stateFile, encoding: .utf8)).compactMap { line in
            let parts = line.split(separator: " ").map(String.init)
            return parts.count == 3 ? Key(id: parts[0], status: parts[1], value: parts[2]) : nil
        }
    }

    func header(_ request: Request, _ name: String) -> String? {
        request.headers.first(where: { $0.name.canonicalName == name })?.value
    }

    private func count(_ what: String) { counts.withLock { $0[what, default: 0] += 1 } }

    static func body(_ object: [String: Any]) throws -> Response { try FakeProvider.object(object) }

    static func error(_ status: HTTPResponse.Status, _ type: String, _ message: String) -> Response {
        let body = (try? JSONSerialization.data(withJSONObject: ["type": "error", "error": ["type": type, "message": message]], options: [.sortedKeys])) ?? Data()
        return FakeProvider.json(status, String(decoding: body, as: UTF8.self))
    }
}
