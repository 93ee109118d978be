/// What a secret store lists: credentials, their versions and their runs (never a value).

/// One version of a credential, as listed (never its value).
public struct VersionRecord: Sendable, Equatable, Codable {
    public var credential: String
    public var version: Int
    public var state: VersionState
    public var source: VersionSource
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var fingerprint: String

    public init(credential: String, version: Int, state: VersionState, source: VersionSource, createdAt: Timestamp, updatedAt: Timestamp, fingerprint: String) {
        self.credential = credential
        self.version = version
        self.state = state
        self.source = source
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.fingerprint = fingerprint
    }
}

/// A journaled rotation run, as listed by `lockstep history`.
public struct RunRecord: Sendable, Equatable, Codable {
    public var id: String
    public var kind: String
    public var startedAt: String
    public var finishedAt: String?
    public var outcome: String?
    public var phase: String
    public var newVersion: Int?
    public var failure: String?
    public var rollbackFailure: String?

    public init(id: String, kind: String, startedAt: String, finishedAt: String?, outcome: String?, phase: String, newVersion: Int?, failure: String?, rollbackFailure: String?) {
        self.id = id
        self.kind = kind
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.phase = phase
        self.newVersion = newVersion
        self.failure = failure
        self.rollbackFailure = rollbackFailure
    }
}

/// A credential and its versions, newest first.
public struct CredentialRecord: Sendable, Equatable, Codable {
    public var name: String
    public var kind: String
    public var createdAt: Timestamp
    public var versions: [VersionRecord]

    public init(name: String, kind: String, createdAt: Timestamp, versions: [VersionRecord]) {
        self.name = name
        self.kind = kind
        self.createdAt = createdAt
        self.versions = versions
    }

    public var current: VersionRecord? { versions.first { $0.state == .current } }
}
