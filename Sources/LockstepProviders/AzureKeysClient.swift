import AsyncHTTPClient
import Foundation
import LockstepCore
import LockstepCrypto
import NIOCore
import NIOHTTP1
import Synchronization

/// Azure Resource Manager's key operations on one Cognitive Services (Azure OpenAI) account,
/// authenticated as a service principal (client-credentials grant at Microsoft Entra ID):
/// `listKeys` and `regenerateKey` (docs/providers.md has the shapes and their sources).
/// Keys, the client secret and the access token travel only in bodies and headers; errors name
/// the operation, the account's resource path and Azure's error code.
public final class AzureKeysClient: Sendable {
    /// The account's two keys.
    public enum KeyName: String, Sendable, CaseIterable {
        case key1 = "Key1", key2 = "Key2"
        public var other: KeyName { self == .key1 ? .key2 : .key1 }
        var field: String { rawValue.lowercased() }
    }

    public struct Keys: Sendable {
        public let key1: SecretBytes
        public let key2: SecretBytes
        public subscript(_ name: KeyName) -> SecretBytes { name == .key1 ? key1 : key2 }
        /// Which key holds `value`, if any (compared in constant time).
        public func slot(of value: SecretBytes) -> KeyName? {
            let one = key1.constantTimeEquals(value), two = key2.constantTimeEquals(value)
            return one ? .key1 : two ? .key2 : nil
        }
    }

    let account: AzureAccount
    let clientSecret: SecretBytes
    let transport: ProviderTransport
    private let token = Mutex<(value: SecretBytes, expires: ContinuousClock.Instant)?>(nil)

    public init(account: AzureAccount, clientSecret: SecretBytes, http: HTTPClient = .shared, retry: RetryPolicy = .azure, timeout: TimeAmount = .seconds(30)) {
        self.account = account
        self.clientSecret = clientSecret
        self.transport = ProviderTransport(http: http, retry: retry, timeout: timeout)
    }

    /// `POST …/listKeys`.
    public func listKeys() async throws -> Keys {
        try Self.keys(from: try await arm("listKeys", body: nil), operation: "listKeys", account: account)
    }

    /// `POST …/regenerateKey` with `{"keyName": "Key1"|"Key2"}`: the named key gets a new value at
    /// once and the old value is refused from then on. Answers both keys as they are now.
    public func regenerate(_ name: KeyName) async throws -> Keys {
        let body = try JSONSerialization.data(withJSONObject: ["keyName": name.rawValue])
        return try Self.keys(from: try await arm("regenerateKey", body: Array(body)), operation: "regenerateKey \(name.rawValue)", account: account)
    }

    // MARK: - Resource Manager

    private func arm(_ operation: String, body: [UInt8]?) async throws -> ProviderReply {
        let url = ProviderTransport.trimmed(account.managementURL) + account.resourcePath + "/\(operation)?api-version=\(account.apiVersion)"
        let reply = try await transport.send(.POST, url: url, what: "\(operation) on \(account.resourcePath)") { request in
            request.headers.add(name: "Authorization", value: "Bearer " + (try await self.accessToken()).withUnsafeBytes { String(decoding: $0, as: UTF8.self) })
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body ?? Array("{}".utf8)))
        }
        if reply.status == 401 { token.withLock { $0 = nil } } // the next call asks Entra ID again
        guard reply.status == 200 else { throw Self.armError(reply, operation: operation, account: account) }
        return reply
    }

    /// A cached access token for Resource Manager, fetched again a minute before it expires.
    private func accessToken() async throws -> SecretBytes {
        if let cached = token.withLock({ $0 }), ContinuousClock.now < cached.expires { return cached.value }
        let url = ProviderTransport.trimmed(account.loginURL) + "/\(account.tenant)/oauth2/v2.0/token"
        let reply = try await transport.send(.POST, url: url, what: "token request for client \(account.clientID) in tenant \(account.tenant)") { request in
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(bytes: try self.tokenForm()))
        }
        guard reply.status == 200, let object = reply.json as? [String: Any], let access = object["access_token"] as? String, !access.isEmpty else {
            let error = (reply.json as? [String: Any])?["error"] as? String
            let code: ProviderError.Code = reply.status == 400 || reply.status == 401 ? .unauthorized : reply.status >= 500 ? .unavailable : .unexpected
            throw ProviderError(code, status: reply.status, "Microsoft Entra ID refused the client secret of \(account.clientID) (tenant \(account.tenant)): "
                + "\(reply.status)\(error.map { " \($0)" } ?? ""). Check the vault credential \(account.clientSecret) and the app registration")
        }
        let value = try SecretBytes(utf8: access)
        let lifetime = (object["expires_in"] as? Int) ?? Int((object["expires_in"] as? String) ?? "") ?? 300
        token.withLock { $0 = (value, ContinuousClock.now.advanced(by: .seconds(max(0, lifetime - 60)))) }
        return value
    }

    /// `grant_type=client_credentials&client_id=…&client_secret=…&scope=<ARM>/.default`, the
    /// secret form-encoded straight from guarded memory.
    private func tokenForm() throws -> [UInt8] {
        var out = Array("grant_type=client_credentials&client_id=\(formEncoded(account.clientID))&scope=\(formEncoded(ProviderTransport.trimmed(account.managementURL) + "/.default"))&client_secret=".utf8)
        clientSecret.withUnsafeBytes { bytes in
            for b in bytes {
                if (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E {
                    out.append(b)
                } else {
                    out += Array(String(format: "%%%02X", b).utf8)
                }
            }
        }
        return out
    }

    // MARK: - Errors

    static func armError(_ reply: ProviderReply, operation: String, account: AzureAccount) -> ProviderError {
        let error = reply.object?["error"] as? [String: Any]
        let code = (error?["code"] as? String).map { " \($0)" } ?? ""
        let status = reply.status
        let what = "Azure refused \(operation) on \(account.resourcePath) (\(status)\(code))"
        return ProviderError.answer(status, what, unauthorized: "the access token was not accepted",
                                    forbidden: "the service principal \(account.clientID) needs Microsoft.CognitiveServices/accounts/listKeys/action "
                                        + "and regenerateKey/action on the account (role Cognitive Services Contributor)",
                                    notFound: "check subscription, resourceGroup and account in the policy", throttled: "throttled")
    }

    static func keys(from reply: ProviderReply, operation: String, account: AzureAccount) throws -> Keys {
        guard let object = reply.json as? [String: Any], let one = object[KeyName.key1.field] as? String, let two = object[KeyName.key2.field] as? String,
              !one.isEmpty, !two.isEmpty else {
            throw ProviderError(.unexpected, status: reply.status, "Azure's answer to \(operation) on \(account.resourcePath) has no key1 and key2")
        }
        return Keys(key1: try SecretBytes(utf8: one), key2: try SecretBytes(utf8: two))
    }
}

private func formEncoded(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
}
