import LockstepCore

/// Something operators are told about (webhooks) and that the daemon counts. Never carries a
/// credential value: only names, versions, run ids and operator-readable text.
public struct DaemonEvent: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case rotationFinished = "rotation-finished"
        case rotationFailed = "rotation-failed"
        case rolledBack = "rolled-back"
        case revoked = "revoke"
        case drift
        case overdue
        /// `revoke --all` ended (credential: the incident's credentials, comma-separated).
        case incidentClosed = "incident-closed"
    }

    public var kind: Kind
    public var credential: String
    public var runID: String?
    /// The version now current (finished, revoke) or the one that failed.
    public var version: Int?
    /// One line for a person: what happened and what to do.
    public var message: String
    public var at: Timestamp
    /// Who asked: `scheduler`, `user:1000`, `incident:INC-7`.
    public var actor: String?

    public init(kind: Kind, credential: String, runID: String? = nil, version: Int? = nil, message: String, at: Timestamp, actor: String? = nil) {
        self.kind = kind
        self.credential = credential
        self.runID = runID
        self.version = version
        self.message = message
        self.at = at
        self.actor = actor
    }
}

/// Where events go. `notify` must return quickly and never throw: a notification never blocks or
/// fails a rotation (delivery, retries and auditing of failures happen behind it).
public protocol EventNotifier: Sendable {
    func notify(_ event: DaemonEvent) async
}

/// No sinks configured.
public struct NoNotifier: EventNotifier {
    public init() {}
    public func notify(_ event: DaemonEvent) async {}
}
