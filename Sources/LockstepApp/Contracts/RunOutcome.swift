import LockstepCore

/// How a run that returned ended: the typed form of its final phase, which the CLI, the admin
/// API, metrics and notifications all read (never the phase's name parsed back).
public enum RunOutcome: Sendable, Equatable, CustomStringConvertible {
    /// The new value is current everywhere and verified.
    case succeeded
    /// The attempt failed; the old value is in place everywhere and verified.
    case rolledBack
    /// Failed before anything was changed.
    case notStarted
    /// Stopped half-way in `phase` (a rollback step failed, or it was interrupted): needs attention; resumable.
    case stopped(RotationRun.Phase)

    public init(phase: RotationRun.Phase) {
        self = switch phase {
        case .succeeded: .succeeded
        case .rolledBack: .rolledBack
        case .abandoned: .notStarted
        default: .stopped(phase)
        }
    }

    /// From the wire (`RunSummary.outcome`, a phase name); an unknown name is a stopped run.
    public init(wire: String) {
        self = RotationRun.Phase(rawValue: wire).map(RunOutcome.init(phase:)) ?? .stopped(.preflight)
    }

    public var exitCode: ExitCode {
        switch self {
        case .succeeded: .success
        case .rolledBack: .rolledBack
        case .notStarted: .notStarted
        case .stopped: .rollbackStuck
        }
    }

    /// The label metrics and logs use.
    public var description: String {
        switch self {
        case .succeeded: "succeeded"
        case .rolledBack: "rolledBack"
        case .notStarted: "abandoned"
        case .stopped(let phase): "stopped in \(phase.rawValue)"
        }
    }

    /// What an operator is told about a run that did not succeed (nil when it did): the CLI
    /// prints it and exits with its code.
    public func problem(run: String, credential: String, failure: String?, wirePhase: String) -> ServiceProblem? {
        switch self {
        case .succeeded:
            nil
        case .rolledBack:
            ServiceProblem("rotation failed and was rolled back: \(failure ?? "?"); the old value is in place everywhere and verified",
                           hint: "`lockstep history \(credential)` shows every step; fix the cause and rotate again", code: exitCode)
        case .notStarted:
            ServiceProblem("rotation did not start: \(failure ?? "?"); nothing was changed", hint: "fix the cause shown above and rotate again", code: exitCode)
        case .stopped:
            ServiceProblem("run \(run) stopped in \(wirePhase)", hint: "rotate again to resume it", code: exitCode)
        }
    }
}
