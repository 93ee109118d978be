import AsyncHTTPClient
import Foundation
import LockstepCore
import LockstepCrypto
import NIOCore
import NIOHTTP1

/// Anthropic's Admin API for an organization's API keys (docs/providers.md): list, and update
/// `status` (there is no create and no delete), authenticated with an Admin API key; and the
/// one data-plane call that tells whether a key is refused (`GET /v1/models`, no tokens spent).
public struct AnthropicAdminClient: Sendable {
    /// What the Admin API says of a key: never its value, only a hint of it.
    public struct Key: Sendable, Equatable {
        public let id: String
        public let name: String
        public let status: String
        /// `sk-ant-api03-R2D...igAA`: the value's first and last characters.
        public let partialKeyHint: String

        public init(id: String, name: String, status: String, partialKeyHint: String) {
            self.id = id
            self.name = name
            self.status = status
            self.partialKeyHint = partialKeyHint
        }

        /// Whether `value` fits the hint (its start and end, compared in constant time).
        public func fits(_ value: SecretBytes) -> Bool { KeyHint.fits(partialKeyHint, value) }
    }

    let organization: AnthropicOrganization
    let adminKey: SecretBytes
    let transport: ProviderTransport

    public init(organization: AnthropicOrganization, adminKey: SecretBytes, http: HTTPClient = .shared, retry: RetryPolicy = .anthropic, timeout: TimeAmount = .seconds(30)) {
        self.organization = organization
        self.adminKey = adminKey
        self.transport = ProviderTransport(http: http, retry: retry, timeout: timeout)
    }

    /// Every active key of the organization (`GET /v1/organizations/api_keys?status=active`,
    /// following `has_more`/`last_id`, at most 50 pages).
    public func activeKeys() async throws -> [Key] {
        try await CursorPages.collect(provider: "Anthropic", what: "listing the API keys", page: { after in
            try await admin(.GET, "/v1/organizations/api_keys?status=active&limit=100" + (after.map { "&after_id=\($0)" } ?? ""), body: nil, what: "listing the API keys")
        }, item: Self.key)
    }

    /// `POST /v1/organizations/api_keys/{id}` with `{"status":"inactive"}`: the key stops authenticating.
    public func deactivate(_ id: String) async throws -> Key {
        let body = try JSONSerialization.data(withJSONObject: ["status": "inactive"])
        let reply = try await admin(.POST, "/v1/organizations/api_keys/\(id)", body: Array(body), what: "setting key \(id) inactive")
        guard let key = reply.object.flatMap(Self.key) else {
            throw ProviderError(.unexpected, status: reply.status, "Anthropic's answer to setting key \(id) inactive is not an API key")
        }
        return key
    }

    /// Whether Anthropic refuses `key` now: `GET /v1/models` with it answers 401.
    public func refuses(_ key: SecretBytes) async throws -> Bool {
        try await transport.refuses(key, url: ProviderTransport.trimmed(organization.baseURL) + "/v1/models", header: "x-api-key",
                                    extra: [("anthropic-version", AnthropicOrganization.apiVersion)])
    }

    private func admin(_ method: HTTPMethod, _ path: String, body: [UInt8]?, what: String) async throws -> ProviderReply {
        let url = ProviderTransport.trimmed(organization.baseURL) + path
        let reply = try await transport.send(method, url: url, what: what) { [adminKey] request in
            request.headers.add(name: "x-api-key", value: adminKey.withUnsafeBytes { String(decoding: $0, as: UTF8.self) })
            request.headers.add(name: "anthropic-version", value: AnthropicOrganization.apiVersion)
            if let body {
                request.headers.add(name: "content-type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: body))
            }
        }
        guard reply.status == 200 else {
            let error = reply.object?["error"] as? [String: Any]
            let type = (error?["type"] as? String).map { " \($0)" } ?? ""
            let said = "Anthropic refused \(what) (\(reply.status)\(type))"
            throw ProviderError.answer(reply.status, said, unauthorized: "the Admin API key in the vault credential \(organization.adminKey) was not accepted",
                                       forbidden: "\(organization.adminKey) must hold an Admin API key (sk-ant-admin…) of the organization, not a regular API key",
                                       notFound: "no such key")
        }
        return reply
    }

    static func key(_ object: [String: Any]) -> Key? {
        guard let id = object["id"] as? String, let hint = object["partial_key_hint"] as? String, let status = object["status"] as? String else { return nil }
        return Key(id: id, name: object["name"] as? String ?? id, status: status, partialKeyHint: hint)
    }
}

extension RetryPolicy {
    /// Anthropic's API: 429 carries `retry-after`; 529 (overloaded) and 5xx are retried with backoff.
    public static let anthropic = RetryPolicy(attempts: 5, initialDelay: .seconds(1), maxDelay: .seconds(30))
}
