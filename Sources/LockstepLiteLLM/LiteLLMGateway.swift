import LockstepCore
import LockstepCrypto

/// The rotation engine's gateway port over the LiteLLM client.
public struct LiteLLMGateway: GatewayPort {
    public let client: LiteLLMClient

    public init(client: LiteLLMClient) { self.client = client }

    public var address: String { client.baseURL }

    public func isReady() async -> Bool { await client.isReady() }

    public func accepts(_ key: SecretBytes) async throws -> Bool { try await Self.accepts(key, client) }

    public func accepts(_ key: SecretBytes, atPod url: String) async throws -> Bool { try await Self.accepts(key, client.at(url)) }

    public func keyRingProbe(atPod url: String) async throws -> KeyRingProbe { try await client.at(url).keyRingProbe() }

    private static func accepts(_ key: SecretBytes, _ client: LiteLLMClient) async throws -> Bool {
        switch try await client.verdict(for: key) {
        case .accepted: return true
        case .refused: return false
        case .inconclusive(let status, let type):
            throw GatewayError(code: .unexpected, status: status, errorType: type, message: "the gateway's answer is not about the key")
        }
    }

    public func health(models: [String], masterKey: SecretBytes) async throws -> [String: Bool] {
        var out: [String: Bool] = [:]
        for model in models { out[model] = try await client.health(model: model, masterKey: masterKey).isHealthy }
        return out
    }

    public func registerBridgeKey(_ key: SecretBytes, alias: String, masterKey: SecretBytes) async throws {
        try await client.generateKey(key, alias: alias, masterKey: masterKey)
    }

    public func removeBridgeKey(alias: String, masterKey: SecretBytes) async throws {
        do {
            try await client.deleteKey(alias: alias, masterKey: masterKey)
        } catch let e as GatewayError where e.code == .databaseRequired {
            // Without a database no virtual key can exist: there is nothing to remove.
        }
    }
}
