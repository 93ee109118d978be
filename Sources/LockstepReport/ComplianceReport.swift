import LockstepCore

/// The auditor's report: rotation compliance per credential, built only from a verified audit
/// log (and the policies). Every figure is an integer or a fixed-format string, and every list
/// has a fixed order, so that the same log always gives the same bytes.
public struct ComplianceReport: Sendable, Equatable, Codable {
    /// Version of this report's shape (the JSON and CSV columns).
    public static let formatVersion = 1

    public var formatVersion = Self.formatVersion
    /// What the report stands on: the verified log and its head.
    public var verification: ReportVerification
    /// The period reported on; `until` is the report's "now".
    public var window: ReportWindow
    public var summary: ReportSummary
    /// By name.
    public var credentials: [CredentialReport]
    /// `notification.failed` entries that name no credential.
    public var notificationFailures: [ReportEvent]
}

/// The result of verifying the log the report was built from. A report is only ever built from
/// a log that verified, so `result` is always `verified`; it is stated so that a printed report
/// says it.
public struct ReportVerification: Sendable, Equatable, Codable {
    public var result: String
    /// `SEQ:HASH` of the last entry read: what the report was built from.
    public var head: String
    public var entries: Int
    public var firstSeq: UInt64
    public var lastSeq: UInt64
    /// The audit public key (Base64) every entry's signature verified under.
    public var publicKey: String
    /// The head the auditor gave (`--head`), checked against the log; nil when none was given,
    /// and then a truncated tail cannot be ruled out.
    public var headGiven: String?

    public init(result: String, head: String, entries: Int, firstSeq: UInt64, lastSeq: UInt64, publicKey: String, headGiven: String? = nil) {
        self.result = result
        self.head = head
        self.entries = entries
        self.firstSeq = firstSeq
        self.lastSeq = lastSeq
        self.publicKey = publicKey
        self.headGiven = headGiven
    }
}

public struct ReportWindow: Sendable, Equatable, Codable {
    /// Events before this are folded into the state but not listed; nil: from the first entry.
    public var since: String?
    /// The report's "now": `--until`, else the time of the last entry (never the wall clock).
    public var until: String
}

public struct ReportSummary: Sendable, Equatable, Codable {
    public var credentials: Int
    /// Never older than the policy's maximum age within the window.
    public var inPolicy: Int
    /// Older than the maximum age at some time in the window.
    public var outOfPolicy: Int
    /// In the log, but no policy (or no maximum age) to judge them by.
    public var withoutPolicy: Int
    /// A policy names them, but the log never adopted them.
    public var notAdopted: Int
    /// The current version with the greatest age at `until`.
    public var oldestKey: OldestKey?
    public var openIncidents: [OpenIncident]
}

public struct OldestKey: Sendable, Equatable, Codable {
    public var credential: String
    public var version: Int
    public var ageSeconds: Int64
}

/// Something an auditor must follow up, still open at `until`.
public struct OpenIncident: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// The current version is older than the maximum age.
        case overdue
        /// A run that started and did not finish (in progress, interrupted, or a stuck rollback).
        case unfinishedRun = "unfinished-run"
        /// A live Secret differed from the vault and no rotation has happened since.
        case drift
    }
    public var kind: Kind
    public var credential: String
    public var since: String
    public var detail: String
}

public struct CredentialReport: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        case compliant, outOfPolicy = "out-of-policy", noPolicy = "no-policy", notAdopted = "not-adopted"
    }
    public var name: String
    public var status: Status
    public var policy: PolicySummary?
    public var currentVersion: Int?
    /// Age of the current version at `until`.
    public var currentAgeSeconds: Int64?
    /// The greatest age any version reached within the window, and which version.
    public var longestAgeSeconds: Int64?
    public var longestAgeVersion: Int?
    public var versions: [VersionLifetime]
    public var outOfPolicy: [OutOfPolicyPeriod]
    public var runs: [RunRecord]
    public var drift: [ReportEvent]
    public var notificationFailures: [ReportEvent]
}

public struct PolicySummary: Sendable, Equatable, Codable {
    public var name: String
    /// `every` as a duration (`30d`), or `cron EXPR (ZONE)`; nil when the policy has no schedule.
    public var interval: String?
    public var intervalSeconds: Int64?
    public var maxAge: String?
    public var maxAgeSeconds: Int64?
}

/// One version of a credential, from its creation to the end of its time as current.
public struct VersionLifetime: Sendable, Equatable, Codable {
    public enum End: String, Sendable, Codable {
        /// Still current at `until`.
        case current
        /// Replaced by a rotation (kept as previous).
        case rotated
        /// Replaced by a revoke: the old key is refused.
        case revoked
        /// A run's new version that never became current (rolled back).
        case failed
        /// Created by a run that has not finished.
        case pending
    }
    public var version: Int
    public var fingerprint: String?
    public var created: String
    /// When it became current; nil for a version that never did.
    public var currentFrom: String?
    /// When it stopped being current (or failed); nil while current or pending.
    public var currentUntil: String?
    public var end: End
    /// Time as current up to `currentUntil` or `until`.
    public var lifetimeSeconds: Int64?
}

public struct OutOfPolicyPeriod: Sendable, Equatable, Codable {
    public var version: Int
    public var from: String
    public var to: String
    public var seconds: Int64
}

/// One rotation or revocation run, as the log tells it.
public struct RunRecord: Sendable, Equatable, Codable {
    public enum Outcome: String, Sendable, Codable {
        case succeeded
        /// The new version failed; the old value was restored everywhere and verified.
        case rolledBack = "rolled-back"
        /// A step failed before anything changed (preflight, creating the value).
        case abandoned
        /// No end recorded by `until`: in progress, interrupted, or a rollback that is stuck.
        case unfinished
    }
    public var id: String
    /// `rotate` or `revoke`.
    public var kind: String
    public var strategy: String?
    public var actor: String
    public var reason: String?
    public var started: String
    public var ended: String?
    public var durationMillis: Int64?
    public var outcome: Outcome
    public var newVersion: Int?
    /// Revokes: from the start of the run until the gateway was seen refusing the old key.
    public var timeToRefusalMillis: Int64?
    /// The failed steps, in order (their audit detail).
    public var failures: [String]
    public var startSeq: UInt64
    public var endSeq: UInt64?
}

/// A single audit entry worth listing on its own (drift, a failed notification).
public struct ReportEvent: Sendable, Equatable, Codable {
    public var seq: UInt64
    public var time: String
    public var actor: String
    public var version: Int?
    public var targets: [String]
    public var detail: String?
}
