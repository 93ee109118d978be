import Foundation
import LockstepCore
import LockstepPolicy

/// The policies in force. Reloaded from the folder on every scheduler tick so that a changed
/// ConfigMap takes effect without a restart; a reload with problems keeps the last good set and
/// reports the problems (log, metric, status) instead of dropping credentials from the schedule.
public actor PolicySet {
    public let directory: String
    public private(set) var policies: [RotationPolicy]
    public private(set) var problems: [PolicyProblem] = []

    /// Loads the folder; throws (with every problem) when the first load is not clean: the daemon
    /// refuses to start on broken policies.
    public init(directory: String) throws {
        let loaded = PolicyLoader.load(directory: directory)
        guard loaded.problems.isEmpty else { throw PolicyLoadFailure(problems: loaded.problems) }
        self.directory = directory
        self.policies = loaded.policies
    }

    /// Reloads; returns whether the set in force changed.
    @discardableResult
    public func reload() -> Bool {
        let loaded = PolicyLoader.load(directory: directory)
        problems = loaded.problems
        guard loaded.problems.isEmpty, loaded.policies != policies else { return false }
        policies = loaded.policies
        return true
    }

    public func policy(_ credential: String) -> RotationPolicy? {
        policies.first { $0.credential.rawValue == credential }
    }
}

public struct PolicyLoadFailure: Error, CustomStringConvertible {
    public let problems: [PolicyProblem]
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
