/// The journaled state of one rotation run. `Codable`, so that the vault can store it after
/// every step and a restarted process can resume exactly where the last one stopped.
public struct RotationRun: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// A scheduled or requested rotation.
        case rotate
        /// An incident: the old key must end up refused.
        case revoke
    }

    public enum Phase: String, Sendable, Codable {
        case preflight, create, stage, deliver, roll, verify, promote, cleanup
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
    /// The version being rolled out, once created.
    public var newVersion: Int?
    public var phase: Phase
    /// Position inside a phase: the next target or rollout to handle.
    public var cursor: Int
    /// How many targets received the new value (what a rollback must restore).
    public var patchedCount: Int
    /// Whether a rollout restart was issued (a rollback must roll again).
    public var rolled: Bool
    /// Whether the bridge key was (possibly) registered.
    public var bridgeStaged: Bool
    /// The first failure, kept for the report and the audit log. Never a secret.
    public var failure: String?
    /// A failure during rollback: the run needs attention and retries the step on resume.
    public var rollbackFailure: String?

    public init(id: String, credential: String, kind: Kind, policy: RotationPolicy) {
        self.id = id
        self.credential = credential
        self.kind = kind
        self.strategy = policy.strategy
        self.targets = policy.targets
        self.rollouts = policy.rollouts
        self.verifyOldRefused = kind == .revoke || policy.checks.oldKeyRefused
        self.providerModels = policy.kind == .providerKey ? (policy.gateway?.models ?? []) : []
        self.phase = .preflight
        self.cursor = 0
        self.patchedCount = 0
        self.rolled = false
        self.bridgeStaged = false
    }

    public var isFinished: Bool { [.succeeded, .rolledBack, .abandoned].contains(phase) }
}
