import AsyncHTTPClient
import Foundation
import LockstepCore
import LockstepCrypto
import NIOCore
import NIOHTTP1

/// OpenAI's Admin API for one project's keys (docs/providers.md): list the project's API keys
/// (each with its `redacted_value` and its owner), create a service account (its key is answered
/// once, at creation), delete a service account or a single API key; authenticated with an
/// Admin API key. And the one data-plane call that tells whether a key is refused
/// (`GET /v1/models`, no tokens spent).
public struct OpenAIAdminClient: Sendable {
    /// What the Admin API says of a key: never its value, only its redacted form.
    public struct Key: Sendable, Equatable {
        public let id: String
        public let name: String
        /// `sk-abc...wxyz`: the value's first and last characters.
        public let redactedValue: String
        /// The service account that owns the key; nil when a person (a project user) owns it.
        public let serviceAccount: String?

        public init(id: String, name: String, redactedValue: String, serviceAccount: String?) {
            self.id = id
            self.name = name
            self.redactedValue = redactedValue
            self.serviceAccount = serviceAccount
        }

        /// Whether `value` fits the redacted form (its start and end, compared in constant time).
        public func fits(_ value: SecretBytes) -> Bool { KeyHint.fits(redactedValue, value) }

        /// `key key_abc (name), service account svc_acct_abc`, for reports.
        var described: String { "key \(id) (\(name)), " + (serviceAccount.map { "service account \($0)" } ?? "owned by a person") }
    }

    /// A service account just created, with its key's value (answered only this once).
    public struct Created: Sendable {
        public let serviceAccount: String
        public let keyID: String
        public let value: SecretBytes
    }

    let project: OpenAIProject
    let adminKey: SecretBytes
    let transport: ProviderTransport

    public init(project: OpenAIProject, adminKey: SecretBytes, http: HTTPClient = .shared, retry: RetryPolicy = .openai, timeout: TimeAmount = .seconds(30)) {
        self.project = project
        self.adminKey = adminKey
        self.transport = ProviderTransport(http: http, retry: retry, timeout: timeout)
    }

    private var projectPath: String { "/v1/organization/projects/\(project.project)" }

    /// Every API key of the project (`GET …/api_keys`, following `has_more`/`last_id`, at most 50 pages).
    public func keys() async throws -> [Key] {
        let what = "listing the API keys of \(project.project)"
        return try await CursorPages.collect(provider: "OpenAI", what: what, page: { after in
            try await admin(.GET, "\(projectPath)/api_keys?limit=100" + (after.map { "&after=\($0)" } ?? ""), body: nil, what: what)
        }, item: Self.key)
    }

    /// `POST …/service_accounts` with `{"name": name}`: a new service account (role member) and its API key.
    public func createServiceAccount(named name: String) async throws -> Created {
        let body = try JSONSerialization.data(withJSONObject: ["name": name])
        let what = "creating service account \(name) in \(project.project)"
        let reply = try await admin(.POST, "\(projectPath)/service_accounts", body: Array(body), what: what)
        guard let id = reply.object?["id"] as? String, let key = reply.object?["api_key"] as? [String: Any],
              let keyID = key["id"] as? String, let value = key["value"] as? String, !value.isEmpty else {
            throw ProviderError(.unexpected, status: reply.status, "OpenAI's answer to \(what) has no api_key.value")
        }
        return Created(serviceAccount: id, keyID: keyID, value: try SecretBytes(utf8: value))
    }

    /// `DELETE …/service_accounts/{id}`: the service account and every key it owns are gone. A
    /// service account already gone (404) is success.
    public func deleteServiceAccount(_ id: String) async throws {
        try await delete("\(projectPath)/service_accounts/\(id)", what: "deleting service account \(id) of \(project.project)")
    }

    /// `DELETE …/api_keys/{id}`: that key alone (its owner and other keys stay). Gone (404) is success.
    public func deleteKey(_ id: String) async throws {
        try await delete("\(projectPath)/api_keys/\(id)", what: "deleting API key \(id) of \(project.project)")
    }

    /// Whether OpenAI refuses `key` now: `GET /v1/models` with it answers 401.
    public func refuses(_ key: SecretBytes) async throws -> Bool {
        try await transport.refuses(key, url: ProviderTransport.trimmed(project.baseURL) + "/v1/models", header: "Authorization", prefix: "Bearer ")
    }

    private func delete(_ path: String, what: String) async throws {
        do {
            let reply = try await admin(.DELETE, path, body: nil, what: what)
            guard reply.object?["deleted"] as? Bool == true else {
                throw ProviderError(.unexpected, status: reply.status, "OpenAI's answer to \(what) does not say deleted")
            }
        } catch let error as ProviderError where error.code == .notFound {
            return
        }
    }

    private func admin(_ method: HTTPMethod, _ path: String, body: [UInt8]?, what: String) async throws -> ProviderReply {
        let url = ProviderTransport.trimmed(project.baseURL) + path
        let reply = try await transport.send(method, url: url, what: what) { [adminKey] request in
            request.headers.add(name: "Authorization", value: "Bearer " + adminKey.withUnsafeBytes { String(decoding: $0, as: UTF8.self) })
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: body))
            }
        }
        guard reply.status == 200 else {
            let error = reply.object?["error"] as? [String: Any]
            let code = ((error?["code"] as? String) ?? (error?["type"] as? String)).map { " \($0)" } ?? ""
            let said = "OpenAI refused \(what) (\(reply.status)\(code))"
            throw ProviderError.answer(reply.status, said, unauthorized: "the Admin API key in the vault credential \(project.adminKey) was not accepted (revoked, or not a key of this organization)",
                                       forbidden: "\(project.adminKey) must hold an Admin API key (sk-admin-…) of the organization with write access, not a project API key",
                                       notFound: "no such project or object; check spec.credential.openai.project")
        }
        return reply
    }

    static func key(_ object: [String: Any]) -> Key? {
        guard let id = object["id"] as? String, let redacted = object["redacted_value"] as? String else { return nil }
        let owner = object["owner"] as? [String: Any]
        let account = owner?["type"] as? String == "service_account" ? (owner?["service_account"] as? [String: Any])?["id"] as? String : nil
        return Key(id: id, name: object["name"] as? String ?? id, redactedValue: redacted, serviceAccount: account)
    }
}

extension RetryPolicy {
    /// OpenAI's API: 429 (rate limits) and 5xx are retried with backoff, as its error-code guide advises.
    public static let openai = RetryPolicy(attempts: 5, initialDelay: .seconds(1), maxDelay: .seconds(30))
}
