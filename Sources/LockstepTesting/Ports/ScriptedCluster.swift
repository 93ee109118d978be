import Foundation
import LockstepCore
import LockstepCrypto
import Synchronization

/// The cluster port as a model of what the rotation touches, for fast engine tests: Secrets with
/// resourceVersions, and Deployments whose pods load their Secret when they start (as LiteLLM and
/// the backend read env vars once). A restart adds a new pod generation beside the old one (a
/// rolling update) and a finished rollout leaves only the newest; a Secret patch alone changes no
/// running pod. The gateway's pods accept the master key they loaded, the key in the ring Secret
/// (a volume: seen at once) and the bridge keys (the database: shared).
///
/// After every change it checks that every backend pod's key is accepted by every gateway pod;
/// each time that does not hold (a request that would fail) is recorded in ``violations``. One
/// call (by its index from 1, over every call) can be scripted to fail, to land then fail, or to
/// crash the process (see ``CrashSwitch``).
public final class ScriptedCluster: ClusterPort, Sendable {
    public enum Fault: String, Sendable, CaseIterable {
        /// The call throws before it has any effect (a 500, a timeout, a stuck rollout).
        case fails
        /// The call has its effect, then throws (the answer was lost).
        case landsThenFails = "lands-then-fails"
        /// The process dies before the call has its effect.
        case crashes
        /// The call has its effect, then the process dies.
        case landsThenCrashes = "lands-then-crashes"
    }

    /// A scripted error.
    public struct InjectedFailure: Error, CustomStringConvertible {
        public let call: String
        public var description: String { "injected failure of \(call) (test)" }
    }

    struct Generation {
        let id: Int
        let loaded: SecretBytes?
    }

    struct Deployment {
        var generations: [Generation]
        var annotation: String?
        var surge: String?
        var surgeBefore: String?
    }

    struct State {
        var secrets: [RotationPolicy.SecretTarget: (value: SecretBytes?, rv: Int)] = [:]
        var deployments: [RotationPolicy.DeploymentRef: Deployment] = [:]
        var bridge: [String: SecretBytes] = [:]
        var nextGeneration = 1
        var calls: [String] = []
        var injection: (index: Int, fault: Fault)?
        var failing: (call: String, from: Int)?
        var violations: [String] = []
    }

    public let backend: RotationPolicy.DeploymentRef
    public let gateway: RotationPolicy.DeploymentRef
    let backendSecret: RotationPolicy.SecretTarget
    let gatewaySecret: RotationPolicy.SecretTarget
    let ring: RotationPolicy.SecretTarget?
    public let crash: CrashSwitch
    private let state = Mutex(State())

    /// `backend` loads `backendSecret`, `gateway` loads `gatewaySecret`; both start with `value`
    /// (and the ring, when named, empty).
    public init(backend: RotationPolicy.DeploymentRef, backendSecret: RotationPolicy.SecretTarget, gateway: RotationPolicy.DeploymentRef,
                gatewaySecret: RotationPolicy.SecretTarget, ring: RotationPolicy.SecretTarget?, value: SecretBytes, crash: CrashSwitch) throws {
        self.backend = backend
        self.gateway = gateway
        self.backendSecret = backendSecret
        self.gatewaySecret = gatewaySecret
        self.ring = ring
        self.crash = crash
        let empty = try SecretBytes.empty()
        state.withLock { s in
            s.secrets[backendSecret] = (value, 1)
            s.secrets[gatewaySecret] = (value, 1)
            if let ring { s.secrets[ring] = (empty, 1) }
            for d in [backend, gateway] {
                s.deployments[d] = Deployment(generations: [Generation(id: s.nextGeneration, loaded: value)])
                s.nextGeneration += 1
            }
        }
    }

    // MARK: the script and what it saw

    /// Makes call number `index` (from 1) meet `fault`.
    public func inject(_ fault: Fault, atCall index: Int) { state.withLock { $0.injection = (index, fault) } }
    /// Makes every call whose description contains `call` fail, from call number `index` on (a
    /// gateway that keeps answering 500 to one request); nil ends it.
    public func failEvery(_ call: String?, fromCall index: Int = 1) { state.withLock { $0.failing = call.map { ($0, index) } } }
    /// Takes the injection away (the restarted process meets no more faults).
    public func clearInjection() { state.withLock { $0.injection = nil } }
    /// Every call so far, in order (`writeSecret unique/chat-backend-litellm#LITELLM_API_KEY`).
    public var calls: [String] { state.withLock { $0.calls } }
    /// The moments a backend pod's key was not accepted by every gateway pod.
    public var violations: [String] { state.withLock { $0.violations } }

    /// A Secret's value now.
    public func value(_ target: RotationPolicy.SecretTarget) -> SecretBytes? { state.withLock { $0.secrets[target]?.value } }
    /// What each pod generation of `deployment` loaded, oldest first.
    public func loaded(_ deployment: RotationPolicy.DeploymentRef) -> [SecretBytes?] {
        state.withLock { $0.deployments[deployment]?.generations.map(\.loaded) ?? [] }
    }
    /// The maxSurge set on `deployment` now (nil: its own).
    public func surge(_ deployment: RotationPolicy.DeploymentRef) -> String? { state.withLock { $0.deployments[deployment]?.surge } }
    /// The bridge (virtual) keys registered now, by alias.
    public var bridgeAliases: [String] { state.withLock { Array($0.bridge.keys) } }

    // MARK: the gateway's answers (ScriptedGateway)

    /// Whether every gateway pod (or the pod of generation `generation`) accepts `key`: its
    /// loaded master key, a bridge key, or the ring's key.
    func gatewayAccepts(_ key: SecretBytes, generation: Int? = nil) -> Bool {
        state.withLock { s in
            let gens = (s.deployments[gateway]?.generations ?? []).filter { generation == nil || $0.id == generation }
            return !gens.isEmpty && gens.allSatisfy { acceptsWithRing($0, key, s) }
        }
    }

    /// Whether the model has a ring Secret (the key-ring module is installed).
    var hasRing: Bool { ring != nil }

    func ringKeyCount() -> Int {
        state.withLock { s in ring.flatMap { s.secrets[$0]?.value }.map { $0.count > 0 ? 1 : 0 } ?? 0 }
    }

    func registerBridge(_ key: SecretBytes, alias: String) throws {
        try step("registerBridgeKey \(alias)") { $0.bridge[alias] = key }
    }

    func removeBridge(alias: String) throws {
        try step("removeBridgeKey \(alias)") { $0.bridge[alias] = nil }
    }

    private static func accepts(_ g: Generation, _ key: SecretBytes, _ s: State) -> Bool {
        if let loaded = g.loaded, loaded.count > 0, loaded.constantTimeEquals(key) { return true }
        if s.bridge.values.contains(where: { $0.constantTimeEquals(key) }) { return true }
        return false
    }

    private func acceptsWithRing(_ g: Generation, _ key: SecretBytes, _ s: State) -> Bool {
        if Self.accepts(g, key, s) { return true }
        if let ring, let held = s.secrets[ring]?.value, held.count > 0, held.constantTimeEquals(key) { return true }
        return false
    }

    // MARK: ClusterPort

    /// One call: counted, logged, and met by the scripted fault when it is its turn. `effect`
    /// runs under the lock, then the zero-failure check.
    @discardableResult
    private func step<T>(_ call: String, effect: (inout State) throws -> T) throws -> T {
        try crash.check()
        let fault: Fault? = state.withLock { s in
            s.calls.append(call)
            if let failing = s.failing, s.calls.count >= failing.from, call.contains(failing.call) { return .fails }
            guard let injection = s.injection, injection.index == s.calls.count else { return nil }
            return injection.fault
        }
        switch fault {
        case .fails: throw InjectedFailure(call: call)
        case .crashes:
            crash.trip()
            throw Crashed()
        default: break
        }
        let result = try state.withLock { s in
            let r = try effect(&s)
            checkZeroFailures(&s, after: call)
            return r
        }
        switch fault {
        case .landsThenFails: throw InjectedFailure(call: call)
        case .landsThenCrashes:
            crash.trip()
            throw Crashed()
        default: return result
        }
    }

    private func checkZeroFailures(_ s: inout State, after call: String) {
        let gatewayPods = s.deployments[gateway]?.generations ?? []
        for b in s.deployments[backend]?.generations ?? [] {
            guard let key = b.loaded else { continue }
            for g in gatewayPods where !acceptsWithRing(g, key, s) {
                s.violations.append("after \(call): backend pod generation \(b.id) has a key gateway pod generation \(g.id) refuses")
            }
        }
    }

    public func readSecret(_ target: RotationPolicy.SecretTarget) async throws -> (value: SecretBytes?, resourceVersion: String) {
        try step("readSecret \(target)") { s in (s.secrets[target]?.value, String(s.secrets[target]?.rv ?? 0)) }
    }

    public func writeSecret(_ target: RotationPolicy.SecretTarget, value: SecretBytes, resourceVersion: String, alongside: [String: SecretBytes]) async throws -> String {
        try step("writeSecret \(target)") { s in
            let rv = s.secrets[target]?.rv ?? 0
            guard String(rv) == resourceVersion else { throw ClusterConflict(object: "\(target)") }
            s.secrets[target] = (value, rv + 1)
            for (key, other) in alongside {
                s.secrets[RotationPolicy.SecretTarget(namespace: target.namespace, name: target.name, key: key)] = (other, rv + 1)
            }
            return String(rv + 1)
        }
    }

    /// A changed pod template starts a pod generation that loads the Secret as it is now, beside
    /// the generation that was fully running (a rollout that was still in progress is replaced).
    public func annotatePodTemplate(_ deployment: RotationPolicy.DeploymentRef, key: String, value: String) async throws {
        try step("restart \(deployment)") { s in
            guard var d = s.deployments[deployment] else { throw InjectedFailure(call: "restart of unknown \(deployment)") }
            guard d.annotation != value else { return }
            d.annotation = value
            let source = deployment == backend ? backendSecret : gatewaySecret
            let oldest = d.generations[0]
            d.generations = [oldest, Generation(id: s.nextGeneration, loaded: s.secrets[source]?.value)]
            s.nextGeneration += 1
            s.deployments[deployment] = d
        }
    }

    public func waitForRollout(_ deployment: RotationPolicy.DeploymentRef, timeout: Duration, progress: @escaping @Sendable (String) -> Void) async throws {
        try step("waitForRollout \(deployment)") { s in
            if let newest = s.deployments[deployment]?.generations.last { s.deployments[deployment]?.generations = [newest] }
        }
    }

    public func accessProblems(targets: [RotationPolicy.SecretTarget], rollouts: [RotationPolicy.DeploymentRef], scaling: [RotationPolicy.DeploymentRef]) async throws -> [String] {
        try step("accessProblems") { _ in [] }
    }

    public func ownershipWarnings(_ target: RotationPolicy.SecretTarget) async throws -> [String] {
        try step("ownershipWarnings \(target)") { _ in [] }
    }

    /// Two pods: during a rollout one of each generation, else two of the one generation.
    public func podEndpoints(_ deployment: RotationPolicy.DeploymentRef, port: Int?) async throws -> [PodEndpoint] {
        try step("podEndpoints \(deployment)") { s in
            let gens = s.deployments[deployment]?.generations ?? []
            let pods = gens.count > 1 ? gens : gens + gens
            return pods.enumerated().map { i, g in
                PodEndpoint(name: "\(deployment.name)-g\(g.id)-\(i)", url: "http://pod.test/\(g.id)/\(i)", ready: true)
            }
        }
    }

    public func setMaxSurge(_ deployment: RotationPolicy.DeploymentRef, to value: String) async throws {
        try step("setMaxSurge \(deployment)") { s in
            guard var d = s.deployments[deployment] else { return }
            if d.surgeBefore == nil { d.surgeBefore = d.surge ?? "25%" }
            d.surge = value
            s.deployments[deployment] = d
        }
    }

    public func restoreMaxSurge(_ deployment: RotationPolicy.DeploymentRef) async throws {
        try step("restoreMaxSurge \(deployment)") { s in
            if let before = s.deployments[deployment]?.surgeBefore {
                s.deployments[deployment]?.surge = before == "25%" ? nil : before
                s.deployments[deployment]?.surgeBefore = nil
            }
        }
    }

    public func rolloutComplete(_ deployment: RotationPolicy.DeploymentRef) async throws -> Bool {
        try step("rolloutComplete \(deployment)") { s in (s.deployments[deployment]?.generations.count ?? 0) == 1 }
    }

    public func desiredReplicas(_ deployment: RotationPolicy.DeploymentRef) async throws -> Int {
        try step("desiredReplicas \(deployment)") { _ in 2 }
    }

    public func scale(_ deployment: RotationPolicy.DeploymentRef, replicas: Int) async throws {
        try step("scale \(deployment)") { _ in throw InjectedFailure(call: "scale (blue-green is not modelled by ScriptedCluster)") }
    }
}
