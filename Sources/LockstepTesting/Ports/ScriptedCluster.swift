import Foundation
import LockstepCore
import LockstepCrypto
import Synchronization

/// The cluster port as a model of what the rotation touches, for fast engine tests: Secrets with
/// resourceVersions, and Deployments whose pods load their Secret when they start (as LiteLLM and
/// the backend read env vars once). A restart adds a new pod generation beside the old one (a
/// rolling update) and a finished rollout leaves only the newest; a Secret patch alone changes no
/// running pod. Scaling to 0 removes a Deployment's pods, scaling from 0 starts them (blue-green's
/// colours). The gateway's pods accept the master key they loaded, the key in the ring Secret (a
/// volume: seen at once) and the bridge keys (the database: shared).
///
/// After every change it checks that every backend pod's key is accepted by every pod of the
/// gateway it calls (the URL it loaded, for blue-green);
/// each time that does not hold (a request that would fail) is recorded in ``violations``. One
/// call (by its index from 1, over every call, the gateway's through ``ScriptedGateway`` too) can
/// be scripted to fail, to land then fail, or to crash the process (see ``CrashSwitch``); a
/// gateway check can be scripted to answer with a refusal, and a rollout to take longer than it
/// may (on the clock the cluster is given, virtual in tests).
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

    /// A rollout slower than the wait's bound (``slowRollouts(_:take:times:)``).
    public struct RolloutTimedOut: Error, CustomStringConvertible {
        public let deployment: RotationPolicy.DeploymentRef
        public let timeout: Duration
        public var description: String { "timed out after \(timeout) waiting for the rollout of \(deployment) (test)" }
    }

    /// What runs where: the backend (its key and, for blue-green, the gateway URL it reads from
    /// its Secret), the gateway Deployments (one, or the two colours, the first serving), the ring.
    public struct Layout: Sendable {
        public struct Gateway: Sendable {
            public let deployment: RotationPolicy.DeploymentRef
            public let secret: RotationPolicy.SecretTarget
            public let url: String
            public init(deployment: RotationPolicy.DeploymentRef, secret: RotationPolicy.SecretTarget, url: String) {
                self.deployment = deployment
                self.secret = secret
                self.url = url
            }
        }
        public var backend: RotationPolicy.DeploymentRef
        public var backendKey: RotationPolicy.SecretTarget
        /// The backend Secret's key with the gateway URL (blue-green); nil: it always calls the first gateway.
        public var backendEndpoint: RotationPolicy.SecretTarget?
        public var gateways: [Gateway]
        public var ring: RotationPolicy.SecretTarget?
        public init(backend: RotationPolicy.DeploymentRef, backendKey: RotationPolicy.SecretTarget, backendEndpoint: RotationPolicy.SecretTarget? = nil,
                    gateways: [Gateway], ring: RotationPolicy.SecretTarget? = nil) {
            self.backend = backend
            self.backendKey = backendKey
            self.backendEndpoint = backendEndpoint
            self.gateways = gateways
            self.ring = ring
        }
    }

    /// The pods of one start of a Deployment's template: what they loaded then.
    struct Generation {
        let id: Int
        let loaded: [RotationPolicy.SecretTarget: SecretBytes]
    }

    struct Deployment {
        let sources: [RotationPolicy.SecretTarget]
        var replicas: Int
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
        var ringHidden = false
        var interference: (index: Int, target: RotationPolicy.SecretTarget, value: SecretBytes?)?
        var refusal: Int?
        var slowRollouts: [RotationPolicy.DeploymentRef: (takes: Duration, times: Int)] = [:]
        var violations: [String] = []

        mutating func start(_ d: RotationPolicy.DeploymentRef) -> Generation {
            let sources = deployments[d]?.sources ?? []
            defer { nextGeneration += 1 }
            return Generation(id: nextGeneration, loaded: Dictionary(uniqueKeysWithValues: sources.compactMap { t in secrets[t]?.value.map { (t, $0) } }))
        }
    }

    public let layout: Layout
    public let crash: CrashSwitch
    /// What a rollout's time passes on (``slowRollouts(_:take:times:)``).
    let clock: any Clock<Duration>
    private let state = Mutex(State())
    var backend: RotationPolicy.DeploymentRef { layout.backend }

    /// Every Secret holds `value` (the ring is empty; the backend's endpoint names the first
    /// gateway); the backend and the first gateway run 2 replicas, a second gateway 0.
    public init(_ layout: Layout, value: SecretBytes, crash: CrashSwitch, clock: any Clock<Duration> = ContinuousClock()) throws {
        self.layout = layout
        self.crash = crash
        self.clock = clock
        let empty = try SecretBytes.empty()
        let firstURL = try SecretBytes(utf8: layout.gateways[0].url)
        state.withLock { s in
            s.secrets[layout.backendKey] = (value, 1)
            if let endpoint = layout.backendEndpoint { s.secrets[endpoint] = (firstURL, 1) }
            if let ring = layout.ring { s.secrets[ring] = (empty, 1) }
            for g in layout.gateways { s.secrets[g.secret] = (value, 1) }
            s.deployments[layout.backend] = Deployment(sources: [layout.backendKey] + (layout.backendEndpoint.map { [$0] } ?? []), replicas: 2, generations: [])
            for (i, g) in layout.gateways.enumerated() {
                s.deployments[g.deployment] = Deployment(sources: [g.secret], replicas: i == 0 ? 2 : 0, generations: [])
            }
            for d in [layout.backend, layout.gateways[0].deployment] {
                let first = s.start(d)
                s.deployments[d]?.generations = [first]
            }
        }
    }

    // MARK: the script and what it saw

    /// Makes call number `index` (from 1) meet `fault`.
    public func inject(_ fault: Fault, atCall index: Int) { state.withLock { $0.injection = (index, fault) } }
    /// Makes every call whose description contains `call` fail, from call number `index` on (a
    /// gateway that keeps answering 500 to one request); nil ends it.
    public func failEvery(_ call: String?, fromCall index: Int = 1) { state.withLock { $0.failing = call.map { ($0, index) } } }
    /// Another writer (Helm, Argo CD, a person with kubectl) touches `target` just before call
    /// number `index`: a new resourceVersion, and `value` in the key when given (nil: only the
    /// metadata or another key changed, so the value stays).
    public func interfere(atCall index: Int, with target: RotationPolicy.SecretTarget, writing value: SecretBytes?) {
        state.withLock { $0.interference = (index, target, value) }
    }

    /// Whether the pods see the ring Secret (false: a ring mounted with `subPath` or as env, which
    /// the kubelet never updates).
    public func hideRing(_ hidden: Bool) { state.withLock { $0.ringHidden = hidden } }
    /// Makes call number `index` (from 1), a gateway check, answer as a gateway that refuses: the
    /// key refused (401), the models unhealthy, no key-ring module.
    public func refuse(atCall index: Int) { state.withLock { $0.refusal = index } }
    /// Makes the next `times` rollouts of `deployment` take `duration` on the cluster's clock (pods
    /// slow to become ready); a wait with a shorter bound waits out its bound and throws
    /// ``RolloutTimedOut``, the rollout left unfinished.
    public func slowRollouts(_ deployment: RotationPolicy.DeploymentRef, take duration: Duration, times: Int = .max) {
        state.withLock { $0.slowRollouts[deployment] = (duration, times) }
    }
    /// Takes the injection away (the restarted process meets no more faults).
    public func clearInjection() { state.withLock { $0.injection = nil; $0.refusal = nil } }
    /// Every call so far, in order (`writeSecret unique/chat-backend-litellm#LITELLM_API_KEY`).
    public var calls: [String] { state.withLock { $0.calls } }
    /// The moments a backend pod's key was not accepted by every gateway pod it calls.
    public var violations: [String] { state.withLock { $0.violations } }

    /// A Secret's value now.
    public func value(_ target: RotationPolicy.SecretTarget) -> SecretBytes? { state.withLock { $0.secrets[target]?.value } }
    /// What each pod generation of `deployment` loaded from `target`, oldest first (empty: no pod).
    public func loaded(_ deployment: RotationPolicy.DeploymentRef, from target: RotationPolicy.SecretTarget) -> [SecretBytes?] {
        state.withLock { $0.deployments[deployment]?.generations.map { $0.loaded[target] } ?? [] }
    }
    /// The replicas `deployment` is scaled to.
    public func replicas(_ deployment: RotationPolicy.DeploymentRef) -> Int { state.withLock { $0.deployments[deployment]?.replicas ?? 0 } }
    /// The maxSurge set on `deployment` now (nil: its own).
    public func surge(_ deployment: RotationPolicy.DeploymentRef) -> String? { state.withLock { $0.deployments[deployment]?.surge } }
    /// The bridge (virtual) keys registered now, by alias.
    public var bridgeAliases: [String] { state.withLock { Array($0.bridge.keys) } }

    // MARK: the gateway's answers (ScriptedGateway)

    /// One gateway check, counted and scripted like every call: `answer` reads the model, and a
    /// scripted refusal gives `refused` instead.
    func gatewayCheck<T>(_ call: String, refused: T, answer: (State) -> T) throws -> T {
        let refuse = state.withLock { $0.refusal == $0.calls.count + 1 }
        return try step(call) { s in refuse ? refused : answer(s) }
    }

    /// Whether every pod of the first gateway (or the pod of generation `generation`, of any
    /// gateway) accepts `key`: its loaded master key, a bridge key, or the ring's key.
    func gatewayAccepts(_ key: SecretBytes, generation: Int? = nil, in s: State) -> Bool {
        if let generation {
            for g in layout.gateways {
                if let gen = s.deployments[g.deployment]?.generations.first(where: { $0.id == generation }) { return accepts(gen, g, key, s) }
            }
            return false
        }
        let first = layout.gateways[0]
        let gens = s.deployments[first.deployment]?.generations ?? []
        return !gens.isEmpty && gens.allSatisfy { accepts($0, first, key, s) }
    }

    /// Whether the model has a ring Secret (the key-ring module is installed).
    var hasRing: Bool { layout.ring != nil }

    func ringKeyCount(in s: State) -> Int {
        layout.ring.flatMap { s.secrets[$0]?.value }.map { $0.count > 0 ? 1 : 0 } ?? 0
    }

    func registerBridge(_ key: SecretBytes, alias: String) throws {
        try step("registerBridgeKey \(alias)") { $0.bridge[alias] = key }
    }

    func removeBridge(alias: String) throws {
        try step("removeBridgeKey \(alias)") { $0.bridge[alias] = nil }
    }

    private func accepts(_ gen: Generation, _ gateway: Layout.Gateway, _ key: SecretBytes, _ s: State) -> Bool {
        if let master = gen.loaded[gateway.secret], master.count > 0, master.constantTimeEquals(key) { return true }
        if s.bridge.values.contains(where: { $0.constantTimeEquals(key) }) { return true }
        if let ring = layout.ring, !s.ringHidden, let held = s.secrets[ring]?.value, held.count > 0, held.constantTimeEquals(key) { return true }
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
            if let i = s.interference, i.index == s.calls.count {
                let rv = (s.secrets[i.target]?.rv ?? 0) + 1
                s.secrets[i.target] = (i.value ?? s.secrets[i.target]?.value, rv)
            }
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

    /// Every backend pod's calls go to the gateway its endpoint names (or the first): that
    /// gateway must have pods, and each must accept the backend pod's key.
    private func checkZeroFailures(_ s: inout State, after call: String) {
        for b in s.deployments[layout.backend]?.generations ?? [] {
            guard let key = b.loaded[layout.backendKey] else { continue }
            let url = layout.backendEndpoint.flatMap { b.loaded[$0] }.map { $0.withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }
            guard let gateway = url.map({ u in layout.gateways.first { $0.url == u } }) ?? layout.gateways.first else {
                s.violations.append("after \(call): backend pod generation \(b.id) calls a URL no gateway serves")
                continue
            }
            let pods = s.deployments[gateway.deployment]?.generations ?? []
            if pods.isEmpty { s.violations.append("after \(call): backend pod generation \(b.id) calls \(gateway.deployment), which has no pod") }
            for g in pods where !accepts(g, gateway, key, s) {
                s.violations.append("after \(call): backend pod generation \(b.id) has a key pod generation \(g.id) of \(gateway.deployment) refuses")
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

    /// A changed pod template starts a pod generation that loads the Secrets as they are now,
    /// beside the generation that was fully running (a rollout still in progress is replaced).
    public func annotatePodTemplate(_ deployment: RotationPolicy.DeploymentRef, key: String, value: String) async throws {
        try step("restart \(deployment)") { s in
            guard var d = s.deployments[deployment] else { throw InjectedFailure(call: "restart of unknown \(deployment)") }
            guard d.annotation != value else { return }
            d.annotation = value
            if d.replicas > 0 { d.generations = Array(d.generations.prefix(1)) + [s.start(deployment)] }
            s.deployments[deployment] = d
        }
    }

    /// Completes the rollout, after the time scripted for it; a bound shorter than that is waited
    /// out and the wait throws, as `kubectl rollout status --timeout` does, the rollout unfinished.
    public func waitForRollout(_ deployment: RotationPolicy.DeploymentRef, timeout: Duration, progress: @escaping @Sendable (String) -> Void) async throws {
        let slow: Duration? = state.withLock { s in
            guard let scripted = s.slowRollouts[deployment], scripted.times > 0 else { return nil }
            s.slowRollouts[deployment]?.times -= 1
            return scripted.takes
        }
        if let takes = slow {
            try await clock.sleep(for: min(takes, timeout))
            if takes > timeout {
                try step("waitForRollout \(deployment)") { _ in }
                throw RolloutTimedOut(deployment: deployment, timeout: timeout)
            }
        }
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

    /// During a rollout one pod of each generation, else `replicas` pods of the one generation.
    public func podEndpoints(_ deployment: RotationPolicy.DeploymentRef, port: Int?) async throws -> [PodEndpoint] {
        try step("podEndpoints \(deployment)") { s in
            guard let d = s.deployments[deployment] else { return [] }
            let pods = d.generations.count > 1 ? d.generations : Array(repeating: d.generations, count: d.replicas).flatMap { $0 }
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
            guard var d = s.deployments[deployment], let before = d.surgeBefore else { return }
            d.surge = before == "25%" ? nil : before
            d.surgeBefore = nil
            s.deployments[deployment] = d
        }
    }

    public func rolloutComplete(_ deployment: RotationPolicy.DeploymentRef) async throws -> Bool {
        try step("rolloutComplete \(deployment)") { s in (s.deployments[deployment]?.generations.count ?? 0) <= 1 }
    }

    public func desiredReplicas(_ deployment: RotationPolicy.DeploymentRef) async throws -> Int {
        try step("desiredReplicas \(deployment)") { s in s.deployments[deployment]?.replicas ?? 0 }
    }

    /// To 0: every pod goes (at once, in the model); from 0: pods start, loading the Secret now.
    public func scale(_ deployment: RotationPolicy.DeploymentRef, replicas: Int) async throws {
        try step("scale \(deployment) to \(replicas)") { s in
            guard var d = s.deployments[deployment] else { throw InjectedFailure(call: "scale of unknown \(deployment)") }
            let was = d.replicas
            d.replicas = replicas
            if replicas == 0 { d.generations = [] }
            s.deployments[deployment] = d
            if was == 0, replicas > 0 {
                let started = s.start(deployment)
                s.deployments[deployment]?.generations = [started]
            }
        }
    }
}
