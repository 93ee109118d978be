import LockstepCore
import LockstepCrypto

/// The gateway port over ``ScriptedCluster``'s model: through the Service it accepts a key when
/// every gateway pod does; asked directly (`http://pod.test/GEN/i`), the pod of that generation
/// answers; the key-ring module is active on every pod when the model has a ring. Stops answering
/// when the process crashed.
public struct ScriptedGateway: GatewayPort {
    let cluster: ScriptedCluster
    public let address = "http://gateway.test:4000"

    public init(cluster: ScriptedCluster) { self.cluster = cluster }

    public func isReady() async -> Bool { !cluster.crash.isTripped }

    public func accepts(_ key: SecretBytes) async throws -> Bool {
        try cluster.crash.check()
        return cluster.gatewayAccepts(key)
    }

    public func health(models: [String], masterKey: SecretBytes) async throws -> [String: Bool] {
        try cluster.crash.check()
        return Dictionary(uniqueKeysWithValues: models.map { ($0, true) })
    }

    public func registerBridgeKey(_ key: SecretBytes, alias: String, masterKey: SecretBytes) async throws {
        try cluster.registerBridge(key, alias: alias)
    }

    public func removeBridgeKey(alias: String, masterKey: SecretBytes) async throws {
        try cluster.removeBridge(alias: alias)
    }

    public func accepts(_ key: SecretBytes, atPod url: String) async throws -> Bool {
        try cluster.crash.check()
        let parts = url.split(separator: "/")
        guard parts.count >= 2, let generation = Int(parts[parts.count - 2]) else { return false }
        return cluster.gatewayAccepts(key, generation: generation)
    }

    public func keyRingProbe(atPod url: String) async throws -> KeyRingProbe {
        try cluster.crash.check()
        return cluster.hasRing ? .active(keys: cluster.ringKeyCount()) : .absent("400 no_db_connection")
    }
}
