import AsyncHTTPClient
import Foundation
import LockstepCore
import LockstepCrypto
import NIOCore
import NIOHTTP1
import Synchronization

/// Google Cloud's API Keys API for one project's keys (docs/providers.md): list the keys (never
/// their values), read one key's value (`getKeyString`), create a key and delete one (both
/// long-running operations, polled until done); Resource Manager's `testIamPermissions` tells
/// which of those the service account may do before anything changes. And the one Gemini API
/// call that tells whether a key is refused (`GET /v1beta/models`, no tokens spent).
public struct GoogleKeysClient: Sendable {
    /// What the API says of a key, without its value.
    public struct Key: Sendable, Equatable {
        /// `projects/123/locations/global/keys/abc`.
        public let name: String
        public let displayName: String
        /// The key's `restrictions` object as JSON (nil: none), copied onto the key that replaces it.
        public let restrictions: Data?
        public let etag: String?

        /// `key lockstep-20260105-090000 (Gateway prod)`, for reports.
        var described: String { "key \(name.split(separator: "/").last.map(String.init) ?? name)" + (displayName.isEmpty ? "" : " (\(displayName))") }
    }

    /// The permissions a rotation needs (Resource Manager names them as IAM does).
    public static let rotationPermissions = ["apikeys.keys.list", "apikeys.keys.getKeyString", "apikeys.keys.create", "apikeys.keys.delete"]

    let project: GoogleProject
    let account: GoogleServiceAccount
    let transport: ProviderTransport
    /// How often and how far apart an operation is polled before the step gives up.
    let operationPolls: Int, operationPause: Duration
    let now: @Sendable () -> Date
    private let token = TokenCache()

    public init(project: GoogleProject, serviceAccountKey: SecretBytes, http: HTTPClient = .shared, retry: RetryPolicy = .google, timeout: TimeAmount = .seconds(30),
                operationPolls: Int = 60, operationPause: Duration = .seconds(1), now: @escaping @Sendable () -> Date = Date.init) throws {
        self.project = project
        self.account = try GoogleServiceAccount(json: serviceAccountKey, credential: project.serviceAccountKey.rawValue)
        self.transport = ProviderTransport(http: http, retry: retry, timeout: timeout)
        self.operationPolls = max(1, operationPolls)
        self.operationPause = operationPause
        self.now = now
    }

    private var parent: String { "projects/\(project.project)/locations/global" }
    private var keysAPI: String { ProviderTransport.trimmed(project.apiKeysURL) + "/v2/" }

    /// Which of `wanted` the service account holds on the project (`POST …/projects/P:testIamPermissions`).
    public func heldPermissions(_ wanted: [String] = Self.rotationPermissions) async throws -> Set<String> {
        let body = try JSONSerialization.data(withJSONObject: ["permissions": wanted])
        let url = ProviderTransport.trimmed(project.resourceManagerURL) + "/v3/projects/\(project.project):testIamPermissions"
        let reply = try await call(.POST, url, body: Array(body), what: "checking the service account's permissions on \(project.project)")
        return Set(reply.object?["permissions"] as? [String] ?? [])
    }

    /// Every key of the project that is not deleted (`GET …/keys`, following `nextPageToken`, at most 50 pages).
    public func keys() async throws -> [Key] {
        var keys: [Key] = []
        var token: String?
        for _ in 0..<CursorPages.maxPages {
            let page = token.map { "&pageToken=\(Self.query($0))" } ?? ""
            let reply = try await call(.GET, keysAPI + "\(parent)/keys?pageSize=300" + page, body: nil, what: "listing the API keys of \(project.project)")
            keys += (reply.object?["keys"] as? [[String: Any]] ?? []).compactMap(Self.key)
            guard let next = reply.object?["nextPageToken"] as? String, !next.isEmpty else { return keys }
            token = next
        }
        throw ProviderError(.unexpected, status: nil, "Google kept answering more than \(CursorPages.maxPages) pages of API keys of \(project.project): listing them stopped")
    }

    /// A key's value (`GET /v2/{name}/keyString`).
    public func keyString(_ key: Key) async throws -> SecretBytes {
        let reply = try await call(.GET, keysAPI + "\(key.name)/keyString", body: nil, what: "reading the value of \(key.described)")
        guard let value = reply.object?["keyString"] as? String, !value.isEmpty else {
            throw ProviderError(.unexpected, status: reply.status, "Google's answer to reading the value of \(key.described) has no keyString")
        }
        return try SecretBytes(utf8: value)
    }

    /// Creates key `id` with `displayName` and `restrictions` (`POST …/keys?keyId=`), waits for
    /// its operation, and answers the key with its value.
    public func create(id: String, displayName: String, restrictions: Data?) async throws -> (key: Key, value: SecretBytes) {
        var body: [String: Any] = ["displayName": displayName]
        if let restrictions, let object = try? JSONSerialization.jsonObject(with: restrictions) { body["restrictions"] = object }
        let what = "creating API key \(id) in \(project.project)"
        let started = try await call(.POST, keysAPI + "\(parent)/keys?keyId=\(id)", body: Array(try JSONSerialization.data(withJSONObject: body)), what: what)
        let done = try await finished(started, what: what)
        guard let object = done["response"] as? [String: Any], let key = Self.key(object) else {
            throw ProviderError(.unexpected, status: nil, "Google's operation for \(what) finished without the key")
        }
        if let value = object["keyString"] as? String, !value.isEmpty { return (key, try SecretBytes(utf8: value)) }
        return (key, try await keyString(key))
    }

    /// Deletes `key` (`DELETE /v2/{name}`, with its etag) and waits for the operation. A key
    /// already gone (404) is success. Google keeps a deleted key 30 days, in which it can be
    /// undeleted; it is refused from the deletion on.
    public func delete(_ key: Key) async throws {
        let what = "deleting \(key.described) of \(project.project)"
        do {
            let started = try await call(.DELETE, keysAPI + key.name + (key.etag.map { "?etag=\(Self.query($0))" } ?? ""), body: nil, what: what)
            _ = try await finished(started, what: what)
        } catch let error as ProviderError where error.code == .notFound {
            return
        }
    }

    /// Whether the Gemini API refuses `key` now: `GET /v1beta/models` with it in `x-goog-api-key`
    /// answers 400 `API_KEY_INVALID` (Google's answer to a deleted key), 401 or 403.
    public func refuses(_ key: SecretBytes) async throws -> Bool {
        let url = ProviderTransport.trimmed(project.generativeLanguageURL) + "/v1beta/models"
        let reply = try await transport.send(.GET, url: url, what: "key check") { request in
            request.headers.add(name: "x-goog-api-key", value: key.withUnsafeBytes { String(decoding: $0, as: UTF8.self) })
        }
        switch reply.status {
        case 200: return false
        case 401, 403: return true
        case 400 where Self.reasons(reply).contains("API_KEY_INVALID"): return true
        default: throw ProviderError(.unexpected, status: reply.status, "the key check at \(ProviderTransport.host(url)) answered \(reply.status)")
        }
    }

    // MARK: - Operations, tokens, errors

    /// Polls `operation` (`GET /v2/operations/…`) until `done`, at most `operationPolls` times
    /// `operationPause` apart; a finished operation with an `error` throws it.
    private func finished(_ operation: ProviderReply, what: String) async throws -> [String: Any] {
        var current = operation.object ?? [:]
        for poll in 0...operationPolls {
            if current["done"] as? Bool == true {
                if let error = current["error"] as? [String: Any] {
                    let status = error["code"] as? Int
                    throw ProviderError(status.map(Self.code) ?? .unexpected, status: status, "Google's operation for \(what) failed (\(status.map(String.init) ?? "?") \(Self.statusName(error)))")
                }
                return current
            }
            guard poll < operationPolls, let name = current["name"] as? String, name.hasPrefix("operations/") else { break }
            try await transport.retry.pause(operationPause)
            current = try await call(.GET, keysAPI + name, body: nil, what: "waiting for the operation of \(what)").object ?? [:]
        }
        throw ProviderError(.unavailable, status: nil, "Google's operation for \(what) was not done after \(operationPolls) checks \(operationPause) apart; "
            + "look at the project's keys before running again")
    }

    /// The access token, fetched by the JWT bearer grant when there is none or it ends within a minute.
    private func accessToken() async throws -> SecretBytes {
        if let cached = token.valid(at: now()) { return cached }
        let form = "grant_type=" + Self.query("urn:ietf:params:oauth:grant-type:jwt-bearer") + "&assertion=" + (try account.assertion(now: now()))
        let reply = try await transport.send(.POST, url: account.tokenURI, what: "token request") { request in
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: form))
        }
        guard reply.status == 200, let value = reply.object?["access_token"] as? String, !value.isEmpty else {
            let error = (reply.object?["error"] as? String).map { " \($0)" } ?? ""
            let said = "Google refused the token request of \(account.email) (\(reply.status)\(error))"
            switch reply.status {
            case 400, 401, 403: throw ProviderError(.unauthorized, status: reply.status, "\(said): the service account's key in the vault credential \(project.serviceAccountKey) "
                + "was deleted or disabled, or this machine's clock is off by more than a few minutes")
            case 429: throw ProviderError(.throttled, status: 429, "\(said): rate limited, still after the retries")
            case 500...: throw ProviderError(.unavailable, status: reply.status, "\(said): still failing after the retries")
            default: throw ProviderError(.unexpected, status: reply.status, said)
            }
        }
        let secret = try SecretBytes(utf8: value)
        token.store(secret, until: now().addingTimeInterval(Double(reply.object?["expires_in"] as? Int ?? 3600)))
        return secret
    }

    private func call(_ method: HTTPMethod, _ url: String, body: [UInt8]?, what: String) async throws -> ProviderReply {
        let bearer = try await accessToken()
        let reply = try await transport.send(method, url: url, what: what) { request in
            request.headers.add(name: "Authorization", value: "Bearer " + bearer.withUnsafeBytes { String(decoding: $0, as: UTF8.self) })
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: body))
            }
        }
        guard reply.status == 200 else {
            let error = reply.object?["error"] as? [String: Any]
            let said = "Google refused \(what) (\(reply.status) \(error.map(Self.statusName) ?? ""))"
            throw ProviderError.answer(reply.status, said, unauthorized: "the access token of \(account.email) was not accepted",
                                       forbidden: "\(account.email) needs the role API Keys Admin (roles/serviceusage.apiKeysAdmin) on \(project.project), and the API Keys API must be enabled there",
                                       notFound: "no such project or key; check spec.credential.google.project", throttled: "quota exceeded")
        }
        return reply
    }

    static func key(_ object: [String: Any]) -> Key? {
        guard let name = object["name"] as? String, name.contains("/keys/") else { return nil }
        let restrictions = (object["restrictions"] as? [String: Any]).flatMap { try? JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]) }
        return Key(name: name, displayName: object["displayName"] as? String ?? "", restrictions: restrictions, etag: object["etag"] as? String)
    }

    /// The `reason`s of an error's `google.rpc.ErrorInfo` details.
    static func reasons(_ reply: ProviderReply) -> [String] {
        let details = (reply.object?["error"] as? [String: Any])?["details"] as? [[String: Any]] ?? []
        return details.compactMap { $0["reason"] as? String }
    }

    /// `PERMISSION_DENIED`: the canonical code's name; never the free-text message.
    static func statusName(_ error: [String: Any]) -> String { (error["status"] as? String).map { $0.filter { $0.isLetter || $0 == "_" } } ?? "" }

    static func code(_ status: Int) -> ProviderError.Code {
        switch status {
        case 401: .unauthorized
        case 403: .forbidden
        case 404: .notFound
        case 429: .throttled
        case 500...: .unavailable
        default: .unexpected
        }
    }

    static func query(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}

/// The access token of one client, kept until a minute before it ends.
private final class TokenCache: Sendable {
    private let state = Mutex<(token: SecretBytes, until: Date)?>(nil)

    func valid(at now: Date) -> SecretBytes? {
        state.withLock { $0.flatMap { $0.until.timeIntervalSince(now) > 60 ? $0.token : nil } }
    }

    func store(_ token: SecretBytes, until: Date) { state.withLock { $0 = (token, until) } }
}

extension RetryPolicy {
    /// Google Cloud APIs: 429 (RESOURCE_EXHAUSTED) and 5xx (UNAVAILABLE, INTERNAL) are retried with
    /// truncated exponential backoff, as Google's retry strategy advises (docs/providers.md).
    public static let google = RetryPolicy(attempts: 5, initialDelay: .seconds(1), maxDelay: .seconds(32))
}
