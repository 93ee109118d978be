import Foundation
import Hummingbird
import Synchronization

/// Azure's key management for one Azure OpenAI account, as documented (docs/providers.md):
/// Microsoft Entra ID's client-credentials token endpoint and Resource Manager's `listKeys` and
/// `regenerateKey`, with their status codes and error shapes. The account's two keys live in a
/// keys file (key1 on the first line, key2 on the second), rewritten atomically on every
/// regeneration; the fake provider's data plane reads the same file (``KeyRing``), so a
/// regenerated key is refused by the upstream calls LiteLLM makes from then on.
///
/// Not covered: RBAC beyond "may manage keys or not", token signatures and claims (tokens are
/// opaque), ARM's async operations and ETags, key propagation delay (regeneration takes effect at
/// once here; at Azure it may take a few minutes, which the verify step's retries absorb).
public final class FakeAzure: Sendable {
    /// A service principal: its client secret and whether it holds the key actions
    /// (Cognitive Services Contributor) or only reads (Reader).
    public struct Client: Sendable {
        public let id: String
        public let secret: String
        public let managesKeys: Bool
        public init(id: String, secret: String, managesKeys: Bool) {
            self.id = id
            self.secret = secret
            self.managesKeys = managesKeys
        }
    }

    /// What the fake was asked, for tests (`GET /fake/azure/stats`).
    public struct Stats: Codable, Sendable, Equatable {
        public var tokens = 0
        public var tokensRefused = 0
        public var listKeys = 0
        public var regenerateKey = 0
        public var refused = 0
        public var faulted = 0
    }

    let resourcePath: String
    let keysFile: String
    let clients: [Client]
    private let tokens = Mutex<[String: Client]>([:])
    private let faults = FaultQueue()
    private let keysLock = Mutex(())
    private let stats = Mutex(Stats())

    /// `resourcePath`: `/subscriptions/S/resourceGroups/G/providers/Microsoft.CognitiveServices/accounts/A`;
    /// `keysFile` must hold the two keys.
    public init(resourcePath: String, keysFile: String, clients: [Client]) throws {
        self.resourcePath = resourcePath
        self.keysFile = keysFile
        self.clients = clients
        guard (try? Self.readKeys(keysFile)) != nil else {
            throw BenchError("the Azure keys file \(keysFile) must hold two keys, key1 and key2, one per line", hint: nil)
        }
    }

    /// Client lines: `CLIENT_ID SECRET keys|read` (blank lines and `#` comments skipped).
    public static func parseClients(_ text: String) throws -> [Client] {
        try KeyRing.parseFile(text).map { line in
            let parts = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard parts.count == 3, ["keys", "read"].contains(parts[2]) else {
                throw BenchError("an Azure clients line is CLIENT_ID SECRET keys|read", hint: nil)
            }
            return Client(id: parts[0], secret: parts[1], managesKeys: parts[2] == "keys")
        }
    }

    public var snapshot: Stats { stats.withLock { $0 } }

    /// Adds the token endpoint, the two ARM operations and the test controls to `router`.
    public func register(on router: Router<BasicRequestContext>) {
        router.post("/:tenant/oauth2/v2.0/token") { [self] request, _ in try await token(request) }
        let account = "/subscriptions/:subscription/resourceGroups/:group/providers/Microsoft.CognitiveServices/accounts/:account"
        router.post("\(account)/listKeys") { [self] request, context in try await arm(request, context, regenerate: false) }
        router.post("\(account)/regenerateKey") { [self] request, context in try await arm(request, context, regenerate: true) }
        faults.register(on: router, path: "/fake/azure/faults")
        router.get("/fake/azure/stats") { [self] _, _ in
            FakeProvider.json(.ok, String(decoding: try JSONEncoder.sorted.encode(snapshot), as: UTF8.self))
        }
    }

    // MARK: - Microsoft Entra ID

    private func token(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 1 << 16)
        let form = Self.parseForm(String(decoding: body.readableBytesView, as: UTF8.self))
        guard form["grant_type"] == "client_credentials", let id = form["client_id"], let scope = form["scope"], scope.hasSuffix("/.default") else {
            stats.withLock { $0.tokensRefused += 1 }
            return Self.entraError(.badRequest, "invalid_request", "AADSTS900144: The request body must contain grant_type=client_credentials, client_id and a scope ending in /.default.")
        }
        guard let client = clients.first(where: { $0.id == id }) else {
            stats.withLock { $0.tokensRefused += 1 }
            return Self.entraError(.badRequest, "unauthorized_client", "AADSTS700016: Application with identifier was not found in the directory.")
        }
        guard let secret = form["client_secret"], KeyRing.constantTimeEqual(Array(secret.utf8), Array(client.secret.utf8)) else {
            stats.withLock { $0.tokensRefused += 1 }
            return Self.entraError(.unauthorized, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
        }
        let token = "fake-arm-token-" + Self.randomHex(24)
        tokens.withLock { $0[token] = client }
        stats.withLock { $0.tokens += 1 }
        return FakeProvider.json(.ok, #"{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"\#(token)"}"#)
    }

    // MARK: - Resource Manager

    private func arm(_ request: Request, _ context: BasicRequestContext, regenerate: Bool) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 1 << 16)
        if let fault = faults.take() {
            stats.withLock { $0.faulted += 1 }
            return FaultQueue.response(fault, body: Self.armErrorBody(fault.status == 429 ? "TooManyRequests" : "InternalServerError",
                                                                      fault.status == 429 ? "The request is being throttled." : "The server encountered an internal error."))
        }
        guard request.uri.queryParameters["api-version"] != nil else {
            return refuse(Self.armError(.badRequest, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests."))
        }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              let client = tokens.withLock({ $0[String(header.dropFirst("Bearer ".count))] }) else {
            return refuse(Self.armError(.unauthorized, "InvalidAuthenticationToken", "The access token is invalid."))
        }
        let path = request.uri.path.replacingOccurrences(of: regenerate ? "/regenerateKey" : "/listKeys", with: "")
        guard path.lowercased() == resourcePath.lowercased() else {
            let account = context.parameters.get("account") ?? "?"
            return refuse(Self.armError(.notFound, "ResourceNotFound", "The Resource 'Microsoft.CognitiveServices/accounts/\(account)' was not found."))
        }
        let action = regenerate ? "regenerateKey" : "listKeys"
        guard client.managesKeys else {
            return refuse(Self.armError(.forbidden, "AuthorizationFailed",
                                        "The client '\(client.id)' does not have authorization to perform action 'Microsoft.CognitiveServices/accounts/\(action)/action' over scope '\(resourcePath)'."))
        }
        let keys: (String, String)
        if regenerate {
            let name = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])?["keyName"] as? String
            guard let name, ["key1", "key2"].contains(name.lowercased()) else {
                return refuse(Self.armError(.badRequest, "InvalidRequestContent", "keyName must be Key1 or Key2."))
            }
            keys = try regenerateKey(name.lowercased() == "key1")
            stats.withLock { $0.regenerateKey += 1 }
        } else {
            keys = try keysLock.withLock { _ in try Self.readKeys(keysFile) }
            stats.withLock { $0.listKeys += 1 }
        }
        return FakeProvider.json(.ok, #"{"key1":"\#(keys.0)","key2":"\#(keys.1)"}"#)
    }

    private func regenerateKey(_ first: Bool) throws -> (String, String) {
        try keysLock.withLock { _ in
            var keys = try Self.readKeys(keysFile)
            if first { keys.0 = Self.randomHex(16) } else { keys.1 = Self.randomHex(16) }
            try Data("\(keys.0)\n\(keys.1)\n".utf8).write(to: URL(fileURLWithPath: keysFile), options: .atomic)
            return keys
        }
    }

    private func refuse(_ response: Response) -> Response {
        stats.withLock { $0.refused += 1 }
        return response
    }

    static func readKeys(_ path: String) throws -> (String, String) {
        let keys = KeyRing.parseFile(try String(contentsOfFile: path, encoding: .utf8))
        guard keys.count == 2 else { throw BenchError("the Azure keys file must hold exactly two keys", hint: nil) }
        return (keys[0], keys[1])
    }

    static func parseForm(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
            if parts.count == 2 { out[parts[0]] = parts[1] }
        }
        return out
    }

    /// 32 lowercase hexadecimal characters for 16 bytes: the shape of an Azure OpenAI key.
    static func randomHex(_ bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    static func armError(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> Response {
        FakeProvider.json(status, armErrorBody(code, message))
    }

    static func armErrorBody(_ code: String, _ message: String) -> String {
        let body = (try? JSONSerialization.data(withJSONObject: ["error": ["code": code, "message": message]], options: [.sortedKeys])) ?? Data()
        return String(decoding: body, as: UTF8.self)
    }

    static func entraError(_ status: HTTPResponse.Status, _ error: String, _ description: String) -> Response {
        let body = (try? JSONSerialization.data(withJSONObject: ["error": error, "error_description": description], options: [.sortedKeys])) ?? Data()
        return FakeProvider.json(status, String(decoding: body, as: UTF8.self))
    }
}
