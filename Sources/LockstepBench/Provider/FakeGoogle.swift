import _CryptoExtras
import Crypto
import Foundation
import Hummingbird
import Synchronization

/// Google's side of a Gemini API key, as documented (docs/providers.md): the OAuth token endpoint
/// for service accounts (JWT bearer grant, RS256 checked against the account's public key),
/// Resource Manager's `testIamPermissions`, the API Keys API v2 for one project (list, get,
/// `getKeyString`, create and delete as long-running operations, `operations.get`), and the
/// Gemini data plane LiteLLM's `gemini/` models call (`POST /v1beta/models/{model}:generateContent`
/// and `GET /v1beta/models`, the key in `x-goog-api-key` or `?key=`), which accepts exactly the
/// project's keys that are not deleted and whose API restriction allows the Gemini API. A deleted
/// or unknown key gets Google's 400 `API_KEY_INVALID` ("API key not valid."), which LiteLLM turns
/// into a 401 for its caller.
///
/// The keys live in a state file, one per line: `KEY_ID STATE VALUE SERVICE DISPLAY NAME`, where
/// STATE is `active` or `deleted` and SERVICE is the one API the key may call (`-`: any). The
/// fake re-reads it on every request and rewrites it atomically when it creates or deletes. The
/// service accounts are lines `EMAIL ROLE PUBLIC_KEY` (ROLE `admin`: the API Keys Admin role;
/// `viewer`: list and get only; PUBLIC_KEY the DER SubjectPublicKeyInfo in Base64).
///
/// Not covered: undelete and the 30-day purge (a deleted key stays deleted), `lookupKey`,
/// `patch`, restrictions other than one API target, quotas (429 only when a fault is queued),
/// propagation delay (a deletion takes effect at once), operations that fail, other locations
/// than `global`, user credentials and workload identity.
public final class FakeGoogle: Sendable {
    let project: String
    let projectNumber: String
    let stateFile: String
    let accounts: [Account]
    private let lock = Mutex(())
    private let tokens = Mutex<[String: (email: String, until: Date)]>([:])
    /// Operations not answered done yet: their response, as JSON.
    private let operations = Mutex<[String: Data]>([:])
    private let counts = Mutex<[String: Int]>([:])
    private let faults = FaultQueue()

    public struct Account: Sendable {
        public let email: String
        public let admin: Bool
        let publicKey: _RSA.Signing.PublicKey
    }

    static let adminPermissions = ["apikeys.keys.create", "apikeys.keys.delete", "apikeys.keys.get", "apikeys.keys.getKeyString", "apikeys.keys.list", "apikeys.keys.update"]
    static let viewerPermissions = ["apikeys.keys.get", "apikeys.keys.list"]

    public init(project: String, projectNumber: String, stateFile: String, accounts: [Account]) {
        self.project = project
        self.projectNumber = projectNumber
        self.stateFile = stateFile
        self.accounts = accounts
    }

    /// The accounts file's lines `EMAIL admin|viewer PUBLIC_KEY_BASE64_DER`.
    public static func parseAccounts(_ text: String) throws -> [Account] {
        try KeyRing.parseFile(text).map { line in
            let parts = line.split(separator: " ").map(String.init)
            guard parts.count == 3, ["admin", "viewer"].contains(parts[1]), let der = Data(base64Encoded: parts[2]) else {
                throw BenchError("a Google accounts line must be EMAIL admin|viewer PUBLIC_KEY (Base64 DER)", hint: "one service account per line")
            }
            return Account(email: parts[0], admin: parts[1] == "admin", publicKey: try _RSA.Signing.PublicKey(derRepresentation: der))
        }
    }

    /// A new service account for tests and the bench: an RSA key pair made here, the fake's
    /// accounts-file line for it, and its JSON key once the fake's URL is known.
    public struct ServiceAccount: Sendable {
        public let email: String
        /// `EMAIL ROLE PUBLIC_KEY`, for the accounts file.
        public let line: String
        let pem: String
        let keyID = String(UUID().uuidString.prefix(8)).lowercased()

        public init(email: String, role: String) throws {
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            self.email = email
            self.pem = key.pkcs8PEMRepresentation
            self.line = "\(email) \(role) \(key.publicKey.derRepresentation.base64EncodedString())"
        }

        /// The JSON key file the Google Cloud console gives, its `token_uri` at the fake (`baseURL`).
        public func json(baseURL: String) throws -> String {
            try FakeProvider.encode(["type": "service_account", "project_id": "fake", "private_key_id": keyID, "private_key": pem, "client_email": email,
                                     "client_id": "1234567890", "token_uri": baseURL + "/token", "auth_uri": "https://accounts.google.com/o/oauth2/auth"])
        }
    }

    struct Key {
        var id: String
        var state: String
        var value: String
        var service: String
        var displayName: String
        var line: String { "\(id) \(state) \(value) \(service) \(displayName)" }
        var etag: String { "W/\"\(SHA256.hash(data: Data((id + state).utf8)).prefix(6).map { String(format: "%02x", $0) }.joined())\"" }
    }

    public func register(on router: Router<BasicRequestContext>) {
        router.post("/token") { [self] request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 16)
            return grant(String(decoding: body.readableBytesView, as: UTF8.self))
        }
        router.post("/v3/projects/:call") { [self] request, context in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 16)
            return try admin(request) { email in
                guard let call = context.parameters.get("call"), call.hasSuffix(":testIamPermissions"), owns(String(call.dropLast(":testIamPermissions".count))) else {
                    return Self.error(.notFound, "NOT_FOUND", "Requested entity was not found.")
                }
                let asked = ((try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any])?["permissions"] as? [String] ?? []
                let role = accounts.first { $0.email == email }?.admin == true ? Self.adminPermissions : Self.viewerPermissions
                let held = asked.filter(role.contains)
                count("testIamPermissions")
                return try FakeProvider.object(held.isEmpty ? [:] : ["permissions": held])
            }
        }
        let keys = "/v2/projects/:project/locations/global/keys"
        router.get(RouterPath(keys)) { [self] request, context in
            try admin(request, project: context, need: "apikeys.keys.list") { _ in try list(request) }
        }
        router.post(RouterPath(keys)) { [self] request, context in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 16)
            return try admin(request, project: context, need: "apikeys.keys.create") { _ in
                try create(id: request.uri.queryParameters["keyId"].map(String.init), Data(body.readableBytesView))
            }
        }
        router.get(RouterPath(keys + "/:key")) { [self] request, context in
            try admin(request, project: context, need: "apikeys.keys.get") { _ in
                try withKey(context) { try FakeProvider.object(json($0)) }
            }
        }
        router.get(RouterPath(keys + "/:key/keyString")) { [self] request, context in
            try admin(request, project: context, need: "apikeys.keys.getKeyString") { _ in
                try withKey(context) { key in
                    count("getKeyString")
                    return try FakeProvider.object(["keyString": key.value])
                }
            }
        }
        router.delete(RouterPath(keys + "/:key")) { [self] request, context in
            try admin(request, project: context, need: "apikeys.keys.delete") { _ in
                try delete(context.parameters.get("key") ?? "", etag: request.uri.queryParameters["etag"].map(String.init))
            }
        }
        router.get("/v2/operations/:operation") { [self] request, context in
            try admin(request) { _ in try operation("operations/" + (context.parameters.get("operation") ?? "")) }
        }
        router.get("/v1beta/models") { [self] request, _ in
            if let refused = dataRefusal(request) { return refused }
            count("models")
            return try FakeProvider.object(["models": [["name": "models/gemini-2.0-flash", "displayName": "Gemini 2.0 Flash", "version": "2.0",
                                                        "supportedGenerationMethods": ["generateContent", "countTokens"]]]])
        }
        router.post("/v1beta/models/:call") { [self] request, context in
            guard let call = context.parameters.get("call"), call.hasSuffix(":generateContent") else {
                return Self.error(.notFound, "NOT_FOUND", "fake-provider serves only :generateContent")
            }
            if let refused = dataRefusal(request) { return refused }
            var request = request
            _ = try await request.collectBody(upTo: 4 << 20)
            count("generateContent")
            return try FakeProvider.object(["candidates": [["content": ["parts": [["text": OpenAIBodies.reply]], "role": "model"], "finishReason": "STOP", "index": 0]],
                                            "usageMetadata": ["promptTokenCount": 9, "candidatesTokenCount": 5, "totalTokenCount": 14],
                                            "modelVersion": String(call.dropLast(":generateContent".count)), "responseId": UUID().uuidString])
        }
        faults.register(on: router, path: "/fake/google/faults")
        router.get("/fake/google/stats") { [self] _, _ in
            FakeProvider.json(.ok, String(decoding: try JSONEncoder.sorted.encode(counts.withLock { $0 }), as: UTF8.self))
        }
    }

    // MARK: - OAuth

    /// The JWT bearer grant: the assertion's signature by a known account, `aud` this endpoint,
    /// the cloud-platform scope, at most an hour of validity.
    private func grant(_ form: String) -> Response {
        var fields: [String: String] = [:]
        for pair in form.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            if kv.count == 2 { fields[kv[0]] = kv[1] }
        }
        func invalid(_ description: String) -> Response {
            count("grantRefused")
            return FakeProvider.json(.badRequest, (try? FakeProvider.encode(["error": "invalid_grant", "error_description": description])) ?? "{}")
        }
        guard fields["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer", let jwt = fields["assertion"] else {
            return FakeProvider.json(.badRequest, #"{"error":"unsupported_grant_type","error_description":"Invalid grant_type: "}"#)
        }
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let header = Self.object(base64url: parts[0]), let claims = Self.object(base64url: parts[1]),
              let signature = Self.data(base64url: parts[2]) else { return invalid("Invalid JWT: malformed") }
        guard header["alg"] as? String == "RS256" else { return invalid("Invalid JWT: alg must be RS256") }
        guard let email = claims["iss"] as? String, let account = accounts.first(where: { $0.email == email }) else { return invalid("Invalid grant: account not found") }
        let digest = SHA256.hash(data: Data((parts[0] + "." + parts[1]).utf8))
        guard account.publicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: digest, padding: .insecurePKCS1v1_5) else {
            return invalid("Invalid JWT Signature.")
        }
        let now = Date().timeIntervalSince1970
        guard let iat = (claims["iat"] as? NSNumber)?.doubleValue, let exp = (claims["exp"] as? NSNumber)?.doubleValue, exp > now, iat <= now + 60, exp - iat <= 3600 else {
            return invalid("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.")
        }
        guard (claims["aud"] as? String)?.hasSuffix("/token") == true else { return invalid("Invalid JWT: Failed audience check.") }
        guard (claims["scope"] as? String)?.split(separator: " ").contains("https://www.googleapis.com/auth/cloud-platform") == true else {
            return invalid("Invalid OAuth scope or ID token audience provided.")
        }
        let token = "ya29.fake-" + FakeAzure.randomHex(24)
        tokens.withLock { $0[token] = (email, Date().addingTimeInterval(3599)) }
        count("token")
        return (try? FakeProvider.object(["access_token": token, "expires_in": 3599, "token_type": "Bearer"])) ?? invalid("internal")
    }

    // MARK: - API Keys API

    /// Faults first, then the bearer token; then `body` with the account's email.
    private func admin(_ request: Request, _ body: (String) throws -> Response) throws -> Response {
        if let fault = faults.take() {
            count("faulted")
            let (status, message) = fault.status == 429 ? ("RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute'.")
                                                        : ("UNAVAILABLE", "The service is currently unavailable.")
            return FaultQueue.response(fault, body: Self.errorBody(fault.status, status, message))
        }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              let email = tokens.withLock({ $0[String(header.dropFirst("Bearer ".count))] }).flatMap({ $0.until > Date() ? $0.email : nil }) else {
            count("refused")
            return Self.error(.unauthorized, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.")
        }
        return try body(email)
    }

    /// `admin`, then the project of the path, then the permission `need`.
    private func admin(_ request: Request, project context: BasicRequestContext, need: String, _ body: (String) throws -> Response) throws -> Response {
        try admin(request) { email in
            guard owns(context.parameters.get("project") ?? "") else {
                return Self.error(.forbidden, "PERMISSION_DENIED", "Permission '\(need)' denied on resource (or it may not exist).")
            }
            let role = accounts.first { $0.email == email }?.admin == true ? Self.adminPermissions : Self.viewerPermissions
            guard role.contains(need) else {
                count("forbidden")
                return Self.error(.forbidden, "PERMISSION_DENIED", "Permission '\(need)' denied on resource '//apikeys.googleapis.com/projects/\(projectNumber)' (or it may not exist).")
            }
            return try body(email)
        }
    }

    private func owns(_ project: String) -> Bool { project == self.project || project == projectNumber }

    /// One page (`pageSize` 1–300, default 300; `pageToken` the index to go on from) of the keys not deleted (`showDeleted=true`: all).
    private func list(_ request: Request) throws -> Response {
        let showDeleted = request.uri.queryParameters["showDeleted"] == "true"
        let all = try read().filter { showDeleted || $0.state == "active" }
        let start = request.uri.queryParameters["pageToken"].flatMap { Int($0) } ?? 0
        let size = max(1, min(request.uri.queryParameters["pageSize"].flatMap { Int($0) } ?? 300, 300))
        let page = Array(all.dropFirst(start).prefix(size))
        count("list")
        var object: [String: Any] = ["keys": page.map(json)]
        if start + page.count < all.count { object["nextPageToken"] = String(start + page.count) }
        return try FakeProvider.object(object)
    }

    private func create(id: String?, _ body: Data) throws -> Response {
        let fields = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
        let id = id ?? UUID().uuidString.lowercased()
        guard id.range(of: "^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$", options: .regularExpression) != nil || UUID(uuidString: id) != nil else {
            return Self.error(.badRequest, "INVALID_ARGUMENT", "Invalid key id.")
        }
        let name = (fields?["displayName"] as? String ?? "").replacingOccurrences(of: "\n", with: " ")
        let restrictions = fields?["restrictions"] as? [String: Any]
        let service = ((restrictions?["apiTargets"] as? [[String: Any]])?.first?["service"] as? String) ?? "-"
        let key = Key(id: id, state: "active", value: "AIza" + FakeAzure.randomHex(18), service: service, displayName: name)
        let conflict = try lock.withLock { _ in
            let keys = try read()
            if keys.contains(where: { $0.id == id }) { return true }
            try write(keys + [key])
            return false
        }
        guard !conflict else { return Self.error(.conflict, "ALREADY_EXISTS", "A key with the id \(id) already exists.") }
        count("create")
        var response = json(key)
        response["@type"] = "type.googleapis.com/google.api.apikeys.v2.Key"
        response["keyString"] = key.value
        // The first answer is an operation not yet done; it is done at the first poll.
        let operation = "operations/akmf.p7-\(projectNumber)-\(UUID().uuidString.lowercased())"
        let done = try JSONSerialization.data(withJSONObject: response, options: [.sortedKeys])
        operations.withLock { $0[operation] = done }
        return try FakeProvider.object(["name": operation])
    }

    private func delete(_ id: String, etag: String?) throws -> Response {
        let outcome: Key?? = try lock.withLock { _ in
            var keys = try read()
            guard let i = keys.firstIndex(where: { $0.id == id && $0.state == "active" }) else { return .none }
            if let etag, etag != keys[i].etag { return .some(nil) }
            keys[i].state = "deleted"
            try write(keys)
            return .some(keys[i])
        }
        guard let found = outcome else { return Self.error(.notFound, "NOT_FOUND", "Requested entity was not found.") }
        guard let key = found else { return Self.error(.conflict, "ABORTED", "The etag does not match the key's current etag.") }
        count("delete")
        var response = json(key)
        response["@type"] = "type.googleapis.com/google.api.apikeys.v2.Key"
        response["deleteTime"] = ISO8601DateFormatter().string(from: Date())
        return try FakeProvider.object(["name": "operations/akmf.p7-\(projectNumber)-\(UUID().uuidString.lowercased())", "done": true, "response": response])
    }

    private func operation(_ name: String) throws -> Response {
        guard let data = operations.withLock({ $0[name] }), let response = try? JSONSerialization.jsonObject(with: data) else {
            return Self.error(.notFound, "NOT_FOUND", "Operation not found.")
        }
        count("operation")
        return try FakeProvider.object(["name": name, "done": true, "response": response])
    }

    private func withKey(_ context: BasicRequestContext, _ body: (Key) throws -> Response) throws -> Response {
        guard let key = try read().first(where: { $0.id == context.parameters.get("key") && $0.state == "active" }) else {
            return Self.error(.notFound, "NOT_FOUND", "Requested entity was not found.")
        }
        return try body(key)
    }

    private func json(_ key: Key) -> [String: Any] {
        var object: [String: Any] = ["name": "projects/\(projectNumber)/locations/global/keys/\(key.id)", "uid": key.id, "displayName": key.displayName,
                                     "createTime": "2026-01-05T09:00:00.000000Z", "updateTime": "2026-01-05T09:00:00.000000Z", "etag": key.etag]
        if key.service != "-" { object["restrictions"] = ["apiTargets": [["service": key.service]]] }
        return object
    }

    // MARK: - Data plane

    /// nil when the request's key (header `x-goog-api-key`, else `?key=`) is a key of the project
    /// not deleted whose restriction allows the Gemini API; else Google's refusal.
    private func dataRefusal(_ request: Request) -> Response? {
        let presented = request.headers.first(where: { $0.name.canonicalName == "x-goog-api-key" })?.value ?? request.uri.queryParameters["key"].map(String.init) ?? ""
        guard !presented.isEmpty else {
            count("dataRefused")
            return Self.error(.forbidden, "PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.")
        }
        var found: Key?
        for key in (try? read()) ?? [] where key.state == "active" && KeyRing.constantTimeEqual(Array(key.value.utf8), Array(presented.utf8)) { found = key }
        guard let key = found else {
            count("dataRefused")
            return FakeProvider.json(.badRequest, Self.errorBody(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", reason: "API_KEY_INVALID"))
        }
        guard key.service == "-" || key.service == "generativelanguage.googleapis.com" else {
            count("dataRefused")
            return FakeProvider.json(.forbidden, Self.errorBody(403, "PERMISSION_DENIED", "Requests to this API generativelanguage.googleapis.com method are blocked.", reason: "API_KEY_SERVICE_BLOCKED"))
        }
        return nil
    }

    // MARK: - State

    private func read() throws -> [Key] {
        try KeyRing.parseFile(String(contentsOfFile: stateFile, encoding: .utf8)).compactMap { line in
            let parts = line.split(separator: " ", maxSplits: 4).map(String.init)
            return parts.count >= 4 ? Key(id: parts[0], state: parts[1], value: parts[2], service: parts[3], displayName: parts.count > 4 ? parts[4] : "") : nil
        }
    }

    private func write(_ keys: [Key]) throws {
        try Data((keys.map(\.line).joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: stateFile), options: .atomic)
    }

    private func count(_ what: String) { counts.withLock { $0[what, default: 0] += 1 } }

    static func error(_ status: HTTPResponse.Status, _ name: String, _ message: String) -> Response {
        FakeProvider.json(status, errorBody(Int(status.code), name, message))
    }

    /// Google's error shape: `{"error": {"code", "message", "status", "details": [ErrorInfo]}}`.
    static func errorBody(_ code: Int, _ status: String, _ message: String, reason: String? = nil) -> String {
        var error: [String: Any] = ["code": code, "message": message, "status": status]
        if let reason {
            error["details"] = [["@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason, "domain": "googleapis.com",
                                 "metadata": ["service": "generativelanguage.googleapis.com"]],
                                ["@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US", "message": message]]
        }
        return (try? FakeProvider.encode(["error": error])) ?? "{}"
    }

    static func data(base64url text: String) -> Data? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s)
    }

    static func object(base64url text: String) -> [String: Any]? {
        data(base64url: text).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
    }
}
