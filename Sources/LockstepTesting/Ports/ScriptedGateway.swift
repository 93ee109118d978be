import LockstepCore
import LockstepCrypto

/// The gateway port over ``ScriptedCluster``'s model: through the Service it accepts a key when
/// every gateway pod does; asked directly (`http://pod.test/GEN/i`), the pod of that generation
/// answers; the key-ring module is active on every pod when the model has a ring. Every check is
/// a counted call of the cluster's script (so it can fail, time out, crash or refuse); a gateway
/// that is not ready is one whose readiness call failed. Stops answering when the process crashed.
public struct ScriptedGateway: GatewayPort {
    let cluster: ScriptedCluster
    public let address = "http://gateway.test:4000"

    public init(cluster: ScriptedCluster) { self.cluster = cluster }

    public func isReady() async -> Bool {
        (try? cluster.gatewayCheck("gateway isReady", refused: false) { _ in true }) ?? false
    }

    public func accepts(_ key: SecretBytes) async throws -> Bool {
        try cluster.gatewayCheck("gateway accepts", refused: false) { cluster.gatewayAccepts(key, in: $0) }
    }

    public func health(models: [String], masterKey: SecretBytes) async throws -> [String: Bool] {
        let healthy = try cluster.gatewayCheck("gateway health", refused: false) { _ in true }
        return Dictionary(uniqueKeysWithValues: models.map { ($0, healthy) })
    }

    public func registerBridgeKey(_ key: SecretBytes, alias: String, masterKey: SecretBytes) async throws {
        try cluster.registerBridge(key, alias: alias)
    }

    public func removeBridgeKey(alias: String, masterKey: SecretBytes) async throws {
        try cluster.removeBridge(alias: alias)
    }

    public func accepts(_ key: SecretBytes, atPod url: String) async throws -> Bool {
        let parts = url.split(separator: "/")
        let generation = parts.count >= 2 ? Int(parts[parts.count - 2]) : nil
        return try cluster.gatewayCheck("gateway accepts at \(url)", refused: false) { s in
            generation.map { cluster.gatewayAccepts(key, generation: $0, in: s) } ?? false
        }
    }

    public func keyRingProbe(atPod url: String) async throws -> KeyRingProbe {
        try cluster.gatewayCheck("gateway keyRingProbe at \(url)", refused: .absent("400 no_db_connection")) { s in
            cluster.hasRing ? .active(keys: cluster.ringKeyCount(in: s)) : .absent("400 no_db_connection")
        }
    }
}
