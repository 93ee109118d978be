/// One audit entry read back, without its chain fields: what resuming an incident and
/// reporting on it need.
public struct AuditedEvent: Sendable, Equatable {
    public let time: Timestamp
    public let action: AuditAction
    public let credential: String?
    public let outcome: AuditOutcome
    public let detail: String?

    public init(time: Timestamp, action: AuditAction, credential: String?, outcome: AuditOutcome, detail: String?) {
        self.time = time
        self.action = action
        self.credential = credential
        self.outcome = outcome
        self.detail = detail
    }

    /// This entry shows the old value refused at its source: the gateway seen refusing the old
    /// key (`check.passed`: through the Service, or at every gateway pod), or the old key retired
    /// at its provider (`provider-key.retired`, success). The texts are the engine's (Step+Audit).
    public var showsOldValueRefused: Bool {
        outcome == .success && [.checkPassed, .providerKeyRetired].contains(action) && Self.detailShowsRefusal(detail)
    }

    /// The engine's words for an old value seen refused (a check's detail, or a retire's).
    public static func detailShowsRefusal(_ detail: String?) -> Bool {
        guard let detail else { return false }
        return detail.contains("old key refused") || detail.contains("the old value is refused at the provider")
    }
}

/// The audit log read back by actor: an incident's entries (actor `incident:ID`), to resume
/// it after a crash and to report on it in `history`.
public protocol AuditHistory: Sendable {
    /// Every entry whose actor is `actor`, oldest first.
    func events(by actor: AuditActor) throws -> [AuditedEvent]
}

/// A store that also reads its audit log back by actor (an incident's runs need both).
public typealias IncidentStore = RotationStore & AuditHistory
