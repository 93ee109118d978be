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
    /// (`status --drift` reads the cluster), empty when none differs. In JSON, `namespace/name#key` texts.
    public var drift: [SecretRef]?

    public init(credential: String, state: State, currentVersion: Int?, currentSince: Timestamp?, ageSeconds: Int64?, maxAgeSeconds: Int64?,
                nextDue: Timestamp?, lastOutcome: String?, drift: [SecretRef]? = nil) {
        self.credential = credential
        self.state = state
        self.currentVersion = currentVersion
        self.currentSince = currentSince
        self.ageSeconds = ageSeconds
        self.maxAgeSeconds = maxAgeSeconds
        self.nextDue = nextDue
        self.lastOutcome = lastOutcome
        self.drift = drift
    }

    enum CodingKeys: String, CodingKey {
        case credential, state, currentVersion, currentSince, ageSeconds, maxAgeSeconds, nextDue, lastOutcome, drift
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        credential = try c.decode(String.self, forKey: .credential)
        state = try c.decode(State.self, forKey: .state)
        currentVersion = try c.decodeIfPresent(Int.self, forKey: .currentVersion)
        currentSince = try c.decodeIfPresent(Timestamp.self, forKey: .currentSince)
        ageSeconds = try c.decodeIfPresent(Int64.self, forKey: .ageSeconds)
        maxAgeSeconds = try c.decodeIfPresent(Int64.self, forKey: .maxAgeSeconds)
        nextDue = try c.decodeIfPresent(Timestamp.self, forKey: .nextDue)
        lastOutcome = try c.decodeIfPresent(String.self, forKey: .lastOutcome)
        drift = try c.decodeIfPresent([String].self, forKey: .drift).map { texts in
            try texts.map { text in
                guard let ref = SecretRef(reference: text) else {
                    throw DecodingError.dataCorruptedError(forKey: .drift, in: c, debugDescription: "not namespace/name#key")
                }
                return ref
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(credential, forKey: .credential)
        try c.encode(state, forKey: .state)
        try c.encodeIfPresent(currentVersion, forKey: .currentVersion)
        try c.encodeIfPresent(currentSince, forKey: .currentSince)
        try c.encodeIfPresent(ageSeconds, forKey: .ageSeconds)
        try c.encodeIfPresent(maxAgeSeconds, forKey: .maxAgeSeconds)
        try c.encodeIfPresent(nextDue, forKey: .nextDue)
        try c.encodeIfPresent(lastOutcome, forKey: .lastOutcome)
        try c.encodeIfPresent(drift?.map(\.reference), forKey: .drift)
    }

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
            s.state = policy.source.takesValue ? .waitingForValue : .due
        }
        return s
    }
}
