import Foundation
import LockstepCore
import LockstepCrypto

/// Carries out rotation runs: asks the pure `RotationMachine` what to do, journals the run in
/// the vault before every step, audits every change before it is made and its outcome after,
/// and performs the step through the cluster and gateway ports.
public struct RotationEngine: Sendable {
    public struct Settings: Sendable {
        public var rolloutTimeout: Duration = .seconds(600)
        /// Checks through the gateway are retried: a Service may still route to a terminating pod.
        public var verifyAttempts: Int = 20
        public var verifyDelay: Duration = .milliseconds(500)
        /// Preflight: how long the gateway may take to answer `/health/readiness`, in all.
        public var gatewayReadyTimeout: Duration = .seconds(30)
        /// Key-ring strategy: how often a gateway pod that does not yet accept the staged key is asked again.
        public var keyRingProbeInterval: Duration = .seconds(1)
        /// The credential holding the gateway's master key (provider-key health checks).
        public var masterKeyCredential: String? = "litellm-master-key"
        /// A clean-up step (remove the bridge key, empty the ring, restore maxSurge, after the run
        /// or its rollback) is tried this often, `verifyDelay` apart, before it is given up: each
        /// is idempotent, and one lost answer must not leave a full-admin key behind.
        public var cleanupAttempts: Int = 3
        /// The clock every wait and bound of a run is on: ContinuousClock, or a virtual one in tests.
        public var clock: any Clock<Duration> = ContinuousClock()
        /// Asked before every step. Throwing stops the run *between* steps, leaving it journaled for
        /// `resume`: the daemon's fence when it loses the lease or is asked to shut down.
        public var beforeStep: (@Sendable () async throws -> Void)?
        public init() {}
    }

    let store: any RotationStore
    let cluster: any ClusterPort
    let gateway: any GatewayPort
    let settings: Settings
    let clock: any WallClock
    let random: any RandomSource
    let keySources: KeySourceFactory
    let progress: @Sendable (String) -> Void

    /// `store`: the vault (or any adapter of the store ports); `clock` names runs and times the
    /// report; `random` makes generated values; `keySources` the adapters of sources that mint
    /// and retire keys at the provider (none by default: such a policy's run is abandoned).
    public init(store: any RotationStore, cluster: any ClusterPort, gateway: any GatewayPort, settings: Settings = Settings(),
                clock: any WallClock = SystemClock(), random: any RandomSource = SystemRandom(), keySources: @escaping KeySourceFactory = { _ in nil },
                progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.store = store
        self.cluster = cluster
        self.gateway = gateway
        self.settings = settings
        self.clock = clock
        self.random = random
        self.keySources = keySources
        self.progress = progress
    }

    /// Starts and drives a new run. `manualValue` is the new value for a manual source.
    /// `immediate` (revoke only): both sides restart at once and the gateway surges to 100%,
    /// the shortest time until the old key is refused, at the price of failed requests.
    public func start(policy: RotationPolicy, kind: RotationRun.Kind, actor: AuditActor, reason: String?, manualValue: SecretBytes?,
                      immediate: Bool = false) async throws -> RunReport {
        if immediate, policy.strategy == .blueGreen {
            throw UnsupportedRequest("revoke --immediate is for a gateway that restarts in place (key-ring, restart-together); with blue-green the old key is refused "
                + "as soon as the old colour is stopped, which a plain revoke does without failed requests. Nothing was changed")
        }
        let id = "\(policy.credential.rawValue)-\(clock.now().millisecondsSinceEpoch)"
        let run = RotationRun(id: id, credential: policy.credential.rawValue, kind: kind, policy: policy, immediate: immediate && kind == .revoke)
        // Before anything is journaled or touched in the cluster: a reason quoting a stored key is refused.
        try store.refuseStoredValues(in: [("reason", reason), ("actor", actor.id)])
        try store.beginRun(run, actor: actor, reason: reason)
        return try await drive(run, policy: policy, actor: actor, manualValue: manualValue)
    }

    /// Continues an interrupted run from its journaled state (after a crash or SIGTERM).
    /// `manualValue`: a manual source's new value, for a run stopped before it stored one (its
    /// create step would otherwise abandon it); ignored once the run has its version.
    public func resume(_ run: RotationRun, policy: RotationPolicy, actor: AuditActor, manualValue: SecretBytes? = nil) async throws -> RunReport {
        try await drive(run, policy: policy, actor: actor, manualValue: run.newVersion == nil ? manualValue : nil)
    }

    private func drive(_ run: RotationRun, policy: RotationPolicy, actor: AuditActor, manualValue: SecretBytes?) async throws -> RunReport {
        var machine = RotationMachine(run: run)
        var report = RunReport(run: run)
        let started = Stopwatch(settings.clock)
        var guardSteps = 0
        while let action = machine.next() {
            guardSteps += 1
            if let fence = settings.beforeStep { try await fence() }
            if guardSteps > 500 { throw EngineError("run \(run.id) did not finish within 500 steps; it is journaled and can be resumed") }
            let stepStart = Stopwatch(settings.clock)
            let step = Step(engine: self, run: machine.run, policy: policy, actor: actor)
            if let draft = step.startedEntry(action) {
                // Fail closed: journal and audit before acting; if that fails, nothing happens.
                try store.saveRun(machine.run, audit: draft)
            }
            progress(describe(action))
            let cleaningUp = [.cleanup, .rollbackCleanup].contains(machine.run.phase)
            do {
                let outcome = try await attempt(cleaningUp ? settings.cleanupAttempts : 1) { try await step.perform(action, manualValue: manualValue) }
                report.warnings += outcome.warnings
                machine.succeeded(action, newVersion: outcome.newVersion, colours: outcome.colours)
                try store.saveRun(machine.run, audit: step.finishedEntry(action, outcome: outcome, failure: nil))
                if action == .verifyOldRefused || (action == .verifyAtGatewayPods && machine.run.verifyOldRefused) || action == .stopColour(.active)
                    || action == .retireOldAtSource {
                    // At every pod (key-ring) is later than through the Service: the later time counts.
                    // Blue-green: the old key is refused everywhere once no pod of the old colour is left.
                    // A key retired at its source: the provider refuses it from then on.
                    report.oldKeyRefusedAfterMillis = started.milliseconds
                }
                report.steps.append(.init(at: clock.now(), action: describe(action), outcome: "ok\(outcome.detail.map { ": \($0)" } ?? "")", millis: stepStart.milliseconds))
            } catch {
                let reason = "\(error)"
                machine.failed(action, reason: reason)
                try store.saveRun(machine.run, audit: step.finishedEntry(action, outcome: nil, failure: reason))
                report.steps.append(.init(at: clock.now(), action: describe(action), outcome: "FAILED: \(reason)", millis: stepStart.milliseconds))
                if cleaningUp, machine.run.phase == .succeeded {
                    // Rotated and verified; what was left is named, with what to do about it.
                    report.warnings.append("clean-up failed after \(settings.cleanupAttempts) attempts: \(machine.run.failure ?? reason); \(Self.leftover(action, runID: machine.run.id))")
                }
                if machine.run.rollbackFailure != nil {
                    // A rollback step failed: stop loudly; the journal keeps the run for `resume`.
                    report.run = machine.run
                    throw RollbackFailed(report: report, step: describe(action), reason: reason)
                }
            }
        }
        report.run = machine.run
        return report
    }

    /// Runs `body` up to `times` times, `verifyDelay` apart, until it does not throw.
    private func attempt<T>(_ times: Int, _ body: () async throws -> T) async throws -> T {
        var tries = 1
        while true {
            do { return try await body() } catch {
                guard tries < times else { throw error }
                tries += 1
                try await pause(settings.verifyDelay)
            }
        }
    }

    /// What a clean-up step that was given up leaves behind, and what to do about it.
    static func leftover(_ action: RotationAction, runID: String) -> String {
        switch action {
        case .removeBridgeKey: "the new key is also registered as a LiteLLM virtual key (alias lockstep-\(runID)): delete it (POST /key/delete), or the next rotation's old-key check fails"
        case .clearKeyRing: "the key ring still holds the new key, which is now the master key (no extra access); the next run's preflight accepts that, or empty it with kubectl patch secret"
        case .restoreGatewaySurge: "the gateway keeps maxSurge 100%: set it back (the value it had is in the annotation lockstep.dev/max-surge-before)"
        case .patchColourSecret: "the stopped colour's Secret still holds the old key: write the current one into it (kubectl patch secret)"
        case .awaitOldPodsStopped: "pods that started with the old key were still stopping, so the old key was not retired at the provider: regenerate it there once they are gone"
        case .retireOldAtSource: "the old key still works at the provider: retire it there (Azure: regenerate the key that is not the vault's current one, az cognitiveservices account keys regenerate; Anthropic: set it inactive in the Console; OpenAI: delete the service account that owns it in the project's settings)"
        default: "see `lockstep history` for the step"
        }
    }

    func describe(_ action: RotationAction) -> String {
        switch action {
        case .preflight: "preflight"
        case .createVersion: "create new version"
        case .stageBridgeKey: "stage bridge key"
        case .patchSecret(let t, let v): "patch \(t) with the \(v.rawValue) value"
        case .restartDeployment(let d, .forward(let v)): "restart \(d) onto v\(v)"
        case .restartDeployment(let d, .rollback(let v)): "restart \(d) back (v\(v) failed)"
        case .waitForRollout(let d): "wait for rollout of \(d)"
        case .verifyAccepted(let v): "verify the \(v.rawValue) key is accepted"
        case .verifyOldRefused: "verify the old key is refused"
        case .verifyProviderHealth(let m): "verify provider health of \(m.joined(separator: ", "))"
        case .awaitGatewayShare: "wait until half of the gateway's pods accept the new key"
        case .surgeGateway: "set the gateway's maxSurge to 100% (immediate)"
        case .restoreGatewaySurge: "restore the gateway's maxSurge"
        case .stageKeyRing: "stage the new key in the key ring"
        case .awaitKeyRing: "wait until every gateway pod accepts the staged key"
        case .clearKeyRing: "empty the key ring"
        case .verifyAtGatewayPods: "verify at every gateway pod"
        case .patchColourSecret(let role, let v): "write the \(v.rawValue) key to the \(role.rawValue) colour's Secret"
        case .startColour(let role, let v): "start the \(role.rawValue) colour with the \(v.rawValue) key"
        case .stopColour(let role): "scale the \(role.rawValue) colour to 0"
        case .verifyColour(let role, let v): "verify the \(v.rawValue) key at every pod of the \(role.rawValue) colour"
        case .removeBridgeKey: "remove bridge key"
        case .awaitOldPodsStopped: "wait until the pods that started with the old key have exited"
        case .retireOldAtSource: "retire the old key at the provider"
        case .promote: "promote new version"
        case .markFailed: "mark the new version failed"
        }
    }
}

struct EngineError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

func millis(_ d: Duration) -> Int64 { d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000 }
