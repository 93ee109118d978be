import Foundation
import LockstepCore
import LockstepCrypto

/// A port fake for fast tests: a provider account with two key slots (Azure's key1/key2) as a
/// ``KeySourcePort``, with the adapter's contract — preflight finds the current value in a
/// slot, mint regenerates the other one, retire regenerates the slot of the old value — and
/// faults to script: a preflight refused (no rights), a mint or a retire that fails some times.
/// ``accepts(_:)`` is what the provider's data plane would answer for a key.
public final class TwoKeyProvider: KeySourcePort, @unchecked Sendable {
    public enum Fault: Sendable, Equatable {
        case none
        /// Every call is refused, as a principal without the key actions is (403).
        case forbidden
        /// The next `n` mints fail before reaching the provider.
        case mintFails(Int)
        /// The next `n` retires fail before reaching the provider.
        case retireFails(Int)
        /// Every minted key is accepted, but the gateway's models are unhealthy on it (a
        /// deployment name the new key's resource lacks): the run rolls back.
        case mintedUnhealthy
        /// As `mintedUnhealthy`, and every retire fails too (the admin credential lost its rights mid-run).
        case mintedUnhealthyRetireFails
    }

    public struct Refused: Error, CustomStringConvertible {
        public let description: String
    }

    private let lock = NSLock()
    private var slots: [SecretBytes]
    private var fault: Fault = .none
    private var counter = 0
    private var minted: [SecretBytes] = []
    public private(set) var regenerations = 0

    public init(key1: SecretBytes, key2: SecretBytes) {
        slots = [key1, key2]
    }

    public func set(_ fault: Fault) { lock.withLock { self.fault = fault } }

    /// Whether the provider accepts `key` now.
    public func accepts(_ key: SecretBytes) -> Bool { lock.withLock { slots.contains { $0.constantTimeEquals(key) } } }

    /// Whether the gateway's models answer on `key`: accepted, and not a minted key under `mintedUnhealthy`.
    public func healthy(_ key: SecretBytes) -> Bool {
        lock.withLock {
            slots.contains { $0.constantTimeEquals(key) }
                && !([.mintedUnhealthy, .mintedUnhealthyRetireFails].contains(fault) && minted.contains { $0.constantTimeEquals(key) })
        }
    }

    public func preflight(current: SecretBytes) async throws -> String {
        try lock.withLock {
            if fault == .forbidden { throw Refused(description: "403 AuthorizationFailed: no right to list the keys") }
            guard let slot = slots.firstIndex(where: { $0.constantTimeEquals(current) }) else { throw Refused(description: "neither key is the current value") }
            return "the current value is key\(slot + 1)"
        }
    }

    public func mint(replacing current: SecretBytes) async throws -> SecretBytes {
        try lock.withLock {
            if fault == .forbidden { throw Refused(description: "403 AuthorizationFailed") }
            if case .mintFails(let n) = fault, n > 0 {
                fault = n > 1 ? .mintFails(n - 1) : .none
                throw Refused(description: "503 from the provider")
            }
            guard let slot = slots.firstIndex(where: { $0.constantTimeEquals(current) }) else { throw Refused(description: "neither key is the current value") }
            let key = try regenerate(1 - slot)
            minted.append(key)
            return key
        }
    }

    public func retire(_ old: SecretBytes, keeping current: SecretBytes) async throws -> String {
        try lock.withLock {
            if fault == .forbidden { throw Refused(description: "403 AuthorizationFailed") }
            if case .retireFails(let n) = fault, n > 0 {
                fault = n > 1 ? .retireFails(n - 1) : .none
                throw Refused(description: "503 from the provider")
            }
            if fault == .mintedUnhealthyRetireFails { throw Refused(description: "403 AuthorizationFailed") }
            guard let slot = slots.firstIndex(where: { $0.constantTimeEquals(old) }), !slots[slot].constantTimeEquals(current) else { return "retired before" }
            _ = try regenerate(slot)
            return "key\(slot + 1) regenerated"
        }
    }

    private func regenerate(_ slot: Int) throws -> SecretBytes {
        counter += 1
        regenerations += 1
        slots[slot] = try SecretBytes(utf8: String(format: "provider-key-%04d-%@", counter, UUID().uuidString.lowercased()))
        return slots[slot]
    }
}

/// The gateway port for provider-key runs: a model is healthy exactly when the key in the
/// gateway's Secret is accepted by the provider.
public final class ProviderBackedGateway: GatewayPort, Sendable {
    let cluster: InMemoryCluster
    let keySecret: RotationPolicy.SecretTarget
    let provider: TwoKeyProvider
    public let address = "http://gateway.test:4000"

    public init(cluster: InMemoryCluster, keySecret: RotationPolicy.SecretTarget, provider: TwoKeyProvider) {
        self.cluster = cluster
        self.keySecret = keySecret
        self.provider = provider
    }

    public func isReady() async -> Bool { true }
    public func accepts(_ key: SecretBytes) async throws -> Bool { true }
    public func health(models: [String], masterKey: SecretBytes) async throws -> [String: Bool] {
        let healthy = cluster.value(keySecret).map(provider.healthy) ?? false
        return Dictionary(uniqueKeysWithValues: models.map { ($0, healthy) })
    }
    public func registerBridgeKey(_ key: SecretBytes, alias: String, masterKey: SecretBytes) async throws {}
    public func removeBridgeKey(alias: String, masterKey: SecretBytes) async throws {}
    public func accepts(_ key: SecretBytes, atPod url: String) async throws -> Bool { true }
    public func keyRingProbe(atPod url: String) async throws -> KeyRingProbe { .absent("no module") }
}
