/// What a caller asks to record in the audit log, and its parts. They live in the core because
/// the engine's audit port (`AuditSink`) takes them; the signed entry, the chain and the
/// verifier are LockstepAudit's.

/// Who caused an audited action.
public struct AuditActor: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A person at the CLI or the admin API (id: login name or uid).
        case user
        /// The daemon's scheduler (id: the policy name).
        case schedule
        /// An incident response, e.g. a revoke (id: the incident id).
        case incident
        /// Lockstep itself (recovery, migrations).
        case system
    }

    public var kind: Kind
    public var id: String

    public init(kind: Kind, id: String) {
        self.kind = kind
        self.id = id
    }
}

/// A Kubernetes object an action touched, with the resourceVersion before and after.
public struct AuditTarget: Sendable, Equatable, Codable {
    public var namespace: String
    public var name: String
    public var key: String?
    public var resourceVersionBefore: String?
    public var resourceVersionAfter: String?

    public init(namespace: String, name: String, key: String? = nil, resourceVersionBefore: String? = nil, resourceVersionAfter: String? = nil) {
        self.namespace = namespace
        self.name = name
        self.key = key
        self.resourceVersionBefore = resourceVersionBefore
        self.resourceVersionAfter = resourceVersionAfter
    }
}

/// How an audited step ended.
public enum AuditOutcome: String, Sendable, Codable, CaseIterable {
    case success, failure, started
}

/// What a caller asks to record; the chain adds seq, time, prev, hash and signature.
public struct AuditDraft: Sendable, Equatable {
    public var actor: AuditActor
    public var action: AuditAction
    public var credential: String?
    public var version: Int?
    /// Label → fingerprint (keyed BLAKE2b), e.g. `"new": "b2k:…"`. Never a value.
    public var fingerprints: [String: String]
    public var targets: [AuditTarget]
    public var outcome: AuditOutcome
    public var detail: String?

    public init(actor: AuditActor, action: AuditAction, credential: String? = nil, version: Int? = nil,
                fingerprints: [String: String] = [:], targets: [AuditTarget] = [], outcome: AuditOutcome = .success, detail: String? = nil) {
        self.actor = actor
        self.action = action
        self.credential = credential
        self.version = version
        self.fingerprints = fingerprints
        self.targets = targets
        self.outcome = outcome
        self.detail = detail
    }
}

