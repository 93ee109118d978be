import Foundation
import Hummingbird
import Synchronization

/// OpenAI's Admin API for one project, as documented (docs/providers.md): list the project's API
/// keys (`redacted_value`, `owner`; `limit`, `after`), list, create and delete service accounts
/// (creating one answers its key's value once), delete one API key; behind an Admin API key. The
/// data plane LiteLLM's `openai/` models call (``FakeProvider``'s `Authorization: Bearer` routes)
/// accepts exactly the keys the project holds now, so a deleted one is refused (401) at once.
///
/// The keys live in a state file, one per line: `KEY_ID OWNER VALUE NAME`, where OWNER is a
/// service account id (`svc_acct_…`) or a person (`user_…`) and NAME is the rest of the line (the
/// service account's name, or the key's for a person's). The fake re-reads it on every request and
/// rewrites it (atomically) when it creates or deletes.
///
/// Not covered: users, roles and key scopes beyond "admin key or not", `last_used_at`, key
/// expiry, rate limits on the data plane, archived projects, propagation delay (a deletion takes
/// effect at once here), the organization-level and admin-key routes.
public final class FakeOpenAI: Sendable {
    let project: String
    let stateFile: String
    let adminKeys: [String]
    private let lock = Mutex(())
    private let counts = Mutex<[String: Int]>([:])
    private let faults = FaultQueue()

    public init(project: String, stateFile: String, adminKeys: [String]) {
        self.project = project
        self.stateFile = stateFile
        self.adminKeys = adminKeys
    }

    struct Key {
        var id: String
        var owner: String
        var value: String
        var name: String
        var isServiceAccount: Bool { owner.hasPrefix("svc_acct_") }
        var line: String { "\(id) \(owner) \(value) \(name)" }
        var account: [String: Any] {
            ["object": "organization.project.service_account", "id": owner, "name": name, "role": "member", "created_at": 1_767_600_000]
        }
        var json: [String: Any] {
            let owner: [String: Any] = isServiceAccount
                ? ["type": "service_account", "service_account": account]
                : ["type": "user", "user": ["object": "organization.project.user", "id": self.owner, "name": name, "email": "\(self.owner)@example.com",
                                            "role": "owner", "added_at": 1_767_600_000]]
            return ["object": "organization.project.api_key", "id": id, "name": isServiceAccount ? "Secret Key" : name,
                    "redacted_value": "\(value.prefix(6))...\(value.suffix(4))", "created_at": 1_767_600_000, "last_used_at": NSNull(), "owner": owner]
        }
    }

    public func register(on router: Router<BasicRequestContext>) {
        let base = "/v1/organization/projects/:project"
        router.get("\(base)/api_keys") { [self] request, context in try admin(request, context) { try list(request, try read()) } }
        router.delete("\(base)/api_keys/:id") { [self] request, context in
            try admin(request, context) { try delete(key: context.parameters.get("id") ?? "") }
        }
        router.get("\(base)/service_accounts") { [self] request, context in
            try admin(request, context) {
                var seen = Set<String>()
                return try list(request, try read().filter { $0.isServiceAccount && seen.insert($0.owner).inserted }, id: \.owner, json: \.account)
            }
        }
        router.post("\(base)/service_accounts") { [self] request, context in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 16)
            return try admin(request, context) { try create(Data(body.readableBytesView)) }
        }
        router.delete("\(base)/service_accounts/:id") { [self] request, context in
            try admin(request, context) { try delete(account: context.parameters.get("id") ?? "") }
        }
        faults.register(on: router, path: "/fake/openai/faults")
        router.get("/fake/openai/stats") { [self] _, _ in
            FakeProvider.json(.ok, String(decoding: try JSONEncoder.sorted.encode(counts.withLock { $0 }), as: UTF8.self))
        }
    }

    /// Whether the data plane accepts `presented` now: it is the value of one of the project's keys.
    func accepts(_ presented: String) -> Bool {
        let candidate = Array(presented.utf8)
        var found = false
        for key in (try? read()) ?? [] where KeyRing.constantTimeEqual(Array(key.value.utf8), candidate) { found = true }
        return found
    }

    // MARK: - Admin API

    /// Faults first, then the Admin API key, then the project; then `body`.
    private func admin(_ request: Request, _ context: BasicRequestContext, _ body: () throws -> Response) throws -> Response {
        if let fault = faults.take() {
            count("faulted")
            return FaultQueue.response(fault, body: fault.status == 429
                ? Self.errorBody("Rate limit reached for requests", type: "requests", code: "rate_limit_exceeded")
                : Self.errorBody("The server had an error while processing your request. Sorry about that!", type: "server_error", code: nil))
        }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            return refuse(.unauthorized, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                          type: "invalid_request_error", code: nil)
        }
        let presented = String(header.dropFirst("Bearer ".count))
        guard adminKeys.contains(where: { KeyRing.constantTimeEqual(Array($0.utf8), Array(presented.utf8)) }) else {
            // A project key is authenticated but has no Admin API scopes.
            if accepts(presented) {
                return refuse(.forbidden, "You have insufficient permissions for this operation. Missing scopes: api.management.read.", type: "invalid_request_error", code: nil)
            }
            return refuse(.unauthorized, "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
                          type: "invalid_request_error", code: "invalid_api_key")
        }
        guard context.parameters.get("project") == project else {
            return refuse(.notFound, "No such project: \(context.parameters.get("project") ?? "")", type: "invalid_request_error", code: nil)
        }
        return try body()
    }

    /// One page of `all` (`limit` 1–100, default 20; `after` an id), listed by `id` as `json`.
    private func list(_ request: Request, _ all: [Key], id: (Key) -> String = \.id, json: (Key) -> [String: Any] = \.json) throws -> Response {
        var keys = all
        if let after = request.uri.queryParameters["after"].map(String.init), let i = keys.firstIndex(where: { id($0) == after }) {
            keys = Array(keys[(i + 1)...])
        }
        let limit = request.uri.queryParameters["limit"].flatMap { Int($0) } ?? 20
        let page = Array(keys.prefix(max(1, min(limit, 100))))
        count("list")
        return try FakeProvider.object(["object": "list", "data": page.map(json), "has_more": keys.count > page.count,
                                        "first_id": page.first.map(id) ?? NSNull(), "last_id": page.last.map(id) ?? NSNull()])
    }

    private func create(_ body: Data) throws -> Response {
        let fields = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
        guard let name = (fields?["name"] as? String)?.trimmingCharacters(in: .whitespaces), !name.isEmpty, !name.contains(where: \.isNewline) else {
            return refuse(.badRequest, "Missing required parameter: 'name'.", type: "invalid_request_error", code: "missing_required_parameter")
        }
        let key = Key(id: "key_" + FakeAzure.randomHex(8), owner: "svc_acct_" + FakeAzure.randomHex(8), value: "sk-svcacct-" + FakeAzure.randomHex(24), name: name)
        try lock.withLock { _ in try write(try read() + [key]) }
        count("createServiceAccount")
        var account = key.account
        account["api_key"] = ["object": "organization.project.service_account.api_key", "value": key.value, "name": "Secret Key", "created_at": 1_767_600_000, "id": key.id]
        return try FakeProvider.object(account)
    }

    private func delete(account id: String) throws -> Response {
        let removed = try lock.withLock { _ in
            let keys = try read()
            let kept = keys.filter { $0.owner != id || !$0.isServiceAccount }
            if kept.count < keys.count { try write(kept) }
            return keys.count - kept.count
        }
        guard removed > 0 else { return refuse(.notFound, "No such service account: \(id)", type: "invalid_request_error", code: nil) }
        count("deleteServiceAccount")
        return try FakeProvider.object(["object": "organization.project.service_account.deleted", "id": id, "deleted": true])
    }

    private func delete(key id: String) throws -> Response {
        let removed = try lock.withLock { _ in
            let keys = try read()
            let kept = keys.filter { $0.id != id }
            if kept.count < keys.count { try write(kept) }
            return keys.count - kept.count
        }
        guard removed > 0 else { return refuse(.notFound, "No such API key: \(id)", type: "invalid_request_error", code: nil) }
        count("deleteKey")
        return try FakeProvider.object(["object": "organization.project.api_key.deleted", "id": id, "deleted": true])
    }

    // MARK: - State

    private func read() throws -> [Key] {
        try KeyRing.parseFile(String(contentsOfFile: stateFile, encoding: .utf8)).compactMap { line in
            let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
            return parts.count == 4 ? Key(id: parts[0], owner: parts[1], value: parts[2], name: parts[3]) : nil
        }
    }

    private func write(_ keys: [Key]) throws {
        try Data((keys.map(\.line).joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: stateFile), options: .atomic)
    }

    private func count(_ what: String) { counts.withLock { $0[what, default: 0] += 1 } }

    private func refuse(_ status: HTTPResponse.Status, _ message: String, type: String, code: String?) -> Response {
        count("refused")
        return FakeProvider.json(status, Self.errorBody(message, type: type, code: code))
    }

    /// OpenAI's error shape: `{"error": {"message", "type", "param", "code"}}`.
    static func errorBody(_ message: String, type: String, code: String?) -> String {
        let error: [String: Any] = ["message": message, "type": type, "param": NSNull(), "code": code ?? NSNull()]
        return String(decoding: (try? JSONSerialization.data(withJSONObject: ["error": error], options: [.sortedKeys])) ?? Data(), as: UTF8.self)
    }
}
