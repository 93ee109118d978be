import LockstepCore

/// A rollback step failed: the run stopped loudly, half-way back, and is journaled for
/// `resume`. Exit 21 on the CLI's direct path and through the daemon alike (`ExitCode`).
public struct RollbackFailed: Error, CustomStringConvertible, Sendable {
    /// The run as far as it got, with every step's outcome.
    public let report: RunReport
    /// The rollback step that failed, as the timeline names it.
    public let step: String
    public let reason: String

    public var credential: String { report.run.credential }

    public var description: String {
        "rollback of run \(report.run.id) is stuck at \(step): \(reason). The run is journaled; fix the cause and resume it."
    }
}
