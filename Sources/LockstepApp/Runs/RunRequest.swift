import LockstepCore
import LockstepCrypto

/// A rotation or revocation someone asked for: on the command line, through the admin API, or
/// by the daemon's scheduler. ``RotationService`` runs it.
public struct RunRequest: Sendable {
    /// Where a request came from: it names the request's text fields in refusals as the asker
    /// typed them (`--reason` on the command line, `reason` in the admin API's JSON).
    public enum Origin: String, Sendable {
        case commandLine, adminAPI, scheduler

        var reasonField: String { self == .commandLine ? "--reason" : "reason" }
        var incidentField: String { self == .commandLine ? "--incident" : "incident" }
    }

    public var credential: String
    public var kind: RotationRun.Kind
    public var actor: AuditActor
    public var reason: String?
    /// The incident id of a revoke (the actor is then `incident:ID`).
    public var incident: String?
    /// The new value of a manual credential.
    public var manualValue: SecretBytes?
    /// `revoke --immediate`: the shortest time to refusal, failed requests accepted.
    public var immediate = false
    public var origin: Origin

    public init(credential: String, kind: RotationRun.Kind, actor: AuditActor, reason: String?, incident: String? = nil, manualValue: SecretBytes? = nil,
                immediate: Bool = false, origin: Origin = .scheduler) {
        self.credential = credential
        self.kind = kind
        self.actor = actor
        self.reason = reason
        self.incident = incident
        self.manualValue = manualValue
        self.immediate = immediate
        self.origin = origin
    }
}

/// Why a run was stopped between steps (the run stays journaled and resumes later).
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
