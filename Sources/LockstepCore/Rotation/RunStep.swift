/// Where a run stands: its phase with the data that phase needs, so that what to do next never
/// depends on reading a bare counter in the light of the strategy. Indices are positions in the
/// run's own fixed lists (its `targets`, and the actions of its `StrategyPlan`).
public enum RunStep: Sendable, Equatable {
    case preflight
    case create
    /// The plan's `stage[action]`.
    case stage(action: Int)
    /// Delivering segment `segment` of the plan: `targets[target]` gets the new value.
    case deliver(segment: Int, target: Int)
    /// Rolling segment `segment`: its roll actions' `[action]`.
    case roll(segment: Int, action: Int)
    /// The plan's `verify[action]`.
    case verify(action: Int)
    case promote
    /// The plan's `cleanup[action]`.
    case cleanup(action: Int)
    /// Blue-green: start the colour the run began on again, before the backend moves back to it.
    case rollbackRestore
    /// `targets[target]` gets the old value back (from the last one changed down to the first).
    case rollbackDeliver(target: Int)
    /// The rollback's roll actions' `[action]` (the rollouts restarted, last first).
    case rollbackRoll(action: Int)
    case rollbackVerify
    /// The plan's `rollbackCleanup[action]`.
    case rollbackCleanup(action: Int)
    case markFailed
    case succeeded
    case rolledBack
    case abandoned

    /// The phase's name: what status, history, the admin API and metrics show.
    public var phase: RotationRun.Phase {
        switch self {
        case .preflight: .preflight
        case .create: .create
        case .stage: .stage
        case .deliver: .deliver
        case .roll: .roll
        case .verify: .verify
        case .promote: .promote
        case .cleanup: .cleanup
        case .rollbackRestore: .rollbackRestore
        case .rollbackDeliver: .rollbackDeliver
        case .rollbackRoll: .rollbackRoll
        case .rollbackVerify: .rollbackVerify
        case .rollbackCleanup: .rollbackCleanup
        case .markFailed: .markFailed
        case .succeeded: .succeeded
        case .rolledBack: .rolledBack
        case .abandoned: .abandoned
        }
    }

    /// Undoing what the run changed.
    public var isRollback: Bool {
        switch self {
        case .rollbackRestore, .rollbackDeliver, .rollbackRoll, .rollbackVerify, .rollbackCleanup: true
        default: false
        }
    }
}

/// What a run has (possibly) changed so far: exactly what a rollback must undo. "Possibly",
/// because a step that failed may have landed (a timeout after the write) and is undone too.
public struct RunChanges: Sendable, Equatable {
    /// `targets[0..<patchedTargets]` hold the new value.
    public var patchedTargets: Int
    /// `rollouts[0..<restartedRollouts]` were restarted onto it.
    public var restartedRollouts: Int
    /// The strategy's stage ran (bridge key registered, ring written, idle colour started, surge set).
    public var staged: Bool

    public static let none = RunChanges(patchedTargets: 0, restartedRollouts: 0, staged: false)

    public init(patchedTargets: Int, restartedRollouts: Int, staged: Bool) {
        self.patchedTargets = patchedTargets
        self.restartedRollouts = restartedRollouts
        self.staged = staged
    }
}
