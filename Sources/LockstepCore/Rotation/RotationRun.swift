/// The journaled state of one rotation run. `Codable` (RotationRun+Journal.swift holds the
/// stored shape), so that the vault can store it after every step and a restarted process can
/// resume exactly where the last one stopped.
public struct RotationRun: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// A scheduled or requested rotation.
        case rotate
        /// An incident: the old key must end up refused.
        case revoke
    }

    /// The name of a run's phase (its `step` without the step's data).
    public enum Phase: String, Sendable, Codable {
        case preflight, create, stage, deliver, roll, verify, promote, cleanup
        /// Blue-green: start the colour the run began on again, before the backend moves back to it.
        case rollbackRestore
        case rollbackDeliver, rollbackRoll, rollbackVerify, rollbackCleanup, markFailed
        /// Finished: the new value is current everywhere and verified.
        case succeeded
        /// Finished: the old value is in place everywhere and verified; the attempt failed.
        case rolledBack
        /// Failed before anything was changed (preflight or create): nothing to undo.
        case abandoned
    }

    public let id: String
    public let credential: String
    public let kind: Kind
    public let strategy: RotationPolicy.Strategy
    public let targets: [RotationPolicy.SecretTarget]
    public let rollouts: [RotationPolicy.DeploymentRef]
    public let verifyOldRefused: Bool
    public let providerModels: [String]
    /// Key-ring strategy: the ring Secret key the new value is staged in.
    public let ring: RotationPolicy.SecretTarget?
    /// `revoke --immediate`: the shortest time to refusal, failed requests accepted. Both sides
    /// restart at once (restart-together without waiting for the gateway), the gateway with a
    /// maximum surge of 100% for the rollout.
    public let immediate: Bool
    /// The source mints the new value and retires the old one at the provider after promotion
    /// (an Azure account's two keys).
    public let retiresAtSource: Bool
    /// The version being rolled out, once created.
    public var newVersion: Int?
    /// Where the run stands.
    public var step: RunStep
    /// What the run has changed so far (what a rollback undoes).
    public var changes: RunChanges
    /// Blue-green strategy: the colours and what the run did to them (nil for the others).
    public var colourSwitch: ColourSwitch?
    /// No target, no rollout: the value lives only in the vault (``RotationPolicy/vaultOnly``).
    public var vaultOnly: Bool { targets.isEmpty && rollouts.isEmpty && colourSwitch == nil }
    /// The first failure, kept for the report and the audit log. Never a secret.
    public var failure: String?
    /// A failure during rollback: the run needs attention and retries the step on resume.
    public var rollbackFailure: String?

    public init(id: String, credential: String, kind: Kind, policy: RotationPolicy, immediate: Bool = false) {
        self.id = id
        self.credential = credential
        self.kind = kind
        self.immediate = immediate
        self.strategy = immediate ? .restartTogether : policy.strategy
        self.targets = policy.targets
        self.rollouts = policy.rollouts
        // A server login's old value is refused once it is retired there, which that step checks.
        self.verifyOldRefused = !policy.source.checksLogins && (kind == .revoke || policy.checks.oldKeyRefused)
        self.providerModels = policy.kind == .providerKey ? (policy.gateway?.models ?? []) : []
        self.retiresAtSource = policy.source.retiresAtSource
        self.ring = !immediate && policy.strategy == .keyRing ? policy.keyRing?.secret : nil
        self.colourSwitch = !immediate && policy.strategy == .blueGreen ? policy.blueGreen.map(ColourSwitch.init) : nil
        self.step = .preflight
        self.changes = .none
    }

    /// The phase's name.
    public var phase: Phase { step.phase }

    /// Targets and rollouts delivered and rolled together, in order (the strategy's plan).
    public var segments: [(targets: Range<Int>, rollouts: Range<Int>)] { StrategyPlan.of(self).segments }

    /// The rollouts a rollback rolls again, in the order it rolls them: those restarted, last first,
    /// so that the gateway is back on the old key while the backend still uses the new one (which
    /// the bridge key or the ring keeps accepted), and only then the backend.
    public var rollbackRollouts: [RotationPolicy.DeploymentRef] {
        Array(rollouts.prefix(min(changes.restartedRollouts, rollouts.count)).reversed())
    }

    public var isFinished: Bool { [.succeeded, .rolledBack, .abandoned].contains(phase) }
}
