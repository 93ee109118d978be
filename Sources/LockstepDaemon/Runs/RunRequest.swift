import LockstepAudit
import LockstepCore
import LockstepCrypto

/// A rotation the coordinator is asked to run: by the scheduler, or through the admin API.
public struct RunRequest: Sendable {
    public var credential: String
    public var kind: RotationRun.Kind
    public var actor: AuditActor
    public var reason: String?
    /// The new value of a manual credential.
    public var manualValue: SecretBytes?
    /// `revoke --immediate`: the shortest time to refusal, failed requests accepted.
    public var immediate = false

    public init(credential: String, kind: RotationRun.Kind, actor: AuditActor, reason: String?, manualValue: SecretBytes? = nil, immediate: Bool = false) {
        self.immediate = immediate
        self.credential = credential
        self.kind = kind
        self.actor = actor
        self.reason = reason
        self.manualValue = manualValue
    }
}

/// Why the coordinator stopped a run between steps (the run stays journaled and resumes later).
public enum RunInterruption: Error, Sendable, CustomStringConvertible {
    case lostLeadership
    case shuttingDown

    public var description: String {
        switch self {
        case .lostLeadership: "this instance lost the leader lease; the run is journaled and the new leader resumes it"
        case .shuttingDown: "the daemon is shutting down; the run is journaled and resumes at the next start"
        }
    }
}
