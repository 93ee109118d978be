import Foundation

/// Where a credential stands against its policy: what `lockstep status` shows and what the
/// daemon will export as metrics. Pure: everything comes in as arguments.
public struct CredentialStatus: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable, CaseIterable {
        /// Current, and not yet due.
        case ok
        /// Due now (or at the next window) under its schedule.
        case due
        /// Due, but the source is manual: waiting for a person to supply the new value.
        case waitingForValue = "due-waiting-for-value"
        /// Older than the policy's maximum age.
        case overdue
        /// In the vault, but no policy names it.
        case noPolicy = "no-policy"
        /// A policy names it, but it was never adopted into the vault.
        case notAdopted = "not-adopted"
        /// A rotation run is in progress (or interrupted and waiting to resume).
        case rotating
    }

    public var credential: String
    public var state: State
    public var currentVersion: Int?
    /// When the current version became current.
    public var currentSince: Timestamp?
    public var ageSeconds: Int64?
    public var maxAgeSeconds: Int64?
    public var nextDue: Timestamp?
    /// The outcome of the last finished run (`succeeded`, `rolledBack`, `abandoned`), if any.
    public var lastOutcome: String?
    /// Targets whose live value differs from the current version: nil when not checked
    /// (`status --drift` reads the cluster), empty when none differs.
    public var drift: [String]?

    public static func evaluate(credential: String, policy: RotationPolicy?, currentVersion: Int?, currentSince: Timestamp?,
                                lastOutcome: String?, runInProgress: Bool, now: Timestamp) -> CredentialStatus {
        var s = CredentialStatus(credential: credential, state: .ok, currentVersion: currentVersion, currentSince: currentSince,
                                 ageSeconds: currentSince.map { max(0, (now.millisecondsSinceEpoch - $0.millisecondsSinceEpoch) / 1000) },
                                 maxAgeSeconds: policy?.maxAge?.seconds, nextDue: nil, lastOutcome: lastOutcome)
        guard let policy else { s.state = .noPolicy; return s }
        guard currentVersion != nil, let since = currentSince else { s.state = .notAdopted; return s }
        s.nextDue = policy.schedule?.nextDue(lastRotation: since.date, credential: credential, now: now.date).map(Timestamp.init)
        if runInProgress {
            s.state = .rotating
        } else if let maxAge = policy.maxAge, let age = s.ageSeconds, age > maxAge.seconds {
            s.state = .overdue
        } else if let due = s.nextDue, due <= now {
            s.state = policy.source == .manual ? .waitingForValue : .due
        }
        return s
    }
}
