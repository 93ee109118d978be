import LockstepApp
import LockstepAudit
import LockstepCore
import LockstepEngine
import LockstepVault

/// The JSON bodies of the admin API (`docs/daemon.md`), shared by the daemon and the CLI.
/// None carries a credential value: a manual credential's new value is the raw body of
/// `POST /v1/credentials/NAME/value`, over the admin socket only, and is never logged or echoed.
public enum AdminWire {
    public struct StatusResponse: Sendable, Codable {
        public var leadership: LeadershipSnapshot
        public var credentials: [CredentialStatus]
        /// Policy problems seen at the last reload (the last good set stays in force).
        public var policyProblems: [String]
        public init(leadership: LeadershipSnapshot, credentials: [CredentialStatus], policyProblems: [String]) {
            self.leadership = leadership
            self.credentials = credentials
            self.policyProblems = policyProblems
        }
    }

    public struct PlanResponse: Sendable, Codable {
        public var lines: [String]
        public init(lines: [String]) { self.lines = lines }
    }

    /// `POST /v1/incidents`: `revoke --all` on the daemon. Keys only a person can mint are not sent
    /// here; they are reported as needing a person and supplied one by one (`/v1/credentials/NAME/value`).
    public struct IncidentRequest: Sendable, Codable {
        public var incident: String
        public var reason: String
        /// Only the credentials whose policy's gateway URL is this one (nil: every policy).
        public var gateway: String?
        public init(incident: String, reason: String, gateway: String? = nil) {
            self.incident = incident
            self.reason = reason
            self.gateway = gateway
        }
    }

    public struct RotateRequest: Sendable, Codable {
        public enum Kind: String, Sendable, Codable { case rotate, revoke }
        public var credential: String
        public var kind: Kind
        public var reason: String?
        /// `incident:ID` becomes the actor when given (revoke).
        public var incident: String?
        /// `revoke --immediate` (nil from older clients: false).
        public var immediate: Bool?
        public init(credential: String, kind: Kind, reason: String?, incident: String? = nil, immediate: Bool = false) {
            self.credential = credential
            self.kind = kind
            self.reason = reason
            self.incident = incident
            self.immediate = immediate ? true : nil
        }
    }

    public struct HistoryResponse: Sendable, Codable {
        public var credential: CredentialRecord
        public var runs: [RunRecord]
        public var audit: [AuditLine]
        public init(credential: CredentialRecord, runs: [RunRecord], audit: [AuditLine]) {
            self.credential = credential
            self.runs = runs
            self.audit = audit
        }
        public init(_ history: CredentialHistory) {
            self.init(credential: history.credential, runs: history.runs, audit: history.audit.map(AuditLine.init))
        }
    }

    /// One audit entry as people read it (the signed form is `lockstep audit export`).
    public struct AuditLine: Sendable, Codable, Equatable {
        public var seq: UInt64
        public var time: String
        public var actor: String
        public var action: String
        public var credential: String?
        public var outcome: String
        public var detail: String?
        public init(_ e: AuditEntry) {
            seq = e.seq
            time = e.time.rfc3339
            actor = "\(e.actor.kind.rawValue):\(e.actor.id)"
            action = e.action.rawValue
            credential = e.credential
            outcome = e.outcome.rawValue
            detail = e.detail
        }
    }

    /// An error answer: what went wrong and what to do, plus the CLI exit code it maps to.
    public struct Problem: Sendable, Codable, ExplainedError, CustomStringConvertible {
        public var error: String
        public var hint: String?
        /// An `ExitCode` raw value on the wire.
        public var exitCode: Int32
        public init(error: String, hint: String?, exitCode: ExitCode) {
            self.error = error
            self.hint = hint
            self.exitCode = exitCode.rawValue
        }
        /// What `error` says to an operator (``ServiceProblem``, the one mapping of errors to
        /// messages, hints and codes), as the admin API answers it.
        public init(_ error: any Error) {
            let problem = ServiceProblem(error)
            self.init(error: problem.message, hint: problem.hint, exitCode: problem.code)
        }
        public var description: String { error }
        public var message: String { error }
        /// The typed code (a code this client does not know is an unexpected error, 1).
        public var code: ExitCode { ExitCode(rawValue: exitCode) ?? .failure }
    }
}

/// A finished (or stopped) run as the CLI prints it and scripts read it (`--json`).
public struct RunSummary: Sendable, Codable {
    public var run: String, credential: String, outcome: String, newVersion: Int?, failure: String?, oldKeyRefusedAfterMillis: Int64?, warnings: [String]
    /// The strategy the run used (nil from a daemon that predates it).
    public var strategy: String?
    public var steps: [Step]
    public struct Step: Sendable, Codable { public var at: String; public var millis: Int64; public var action: String; public var outcome: String }
    public init(_ r: RunReport) {
        run = r.run.id; credential = r.run.credential; outcome = r.run.phase.rawValue; newVersion = r.run.newVersion; failure = r.run.failure
        oldKeyRefusedAfterMillis = r.oldKeyRefusedAfterMillis; warnings = r.warnings; strategy = r.run.strategy.rawValue
        steps = r.steps.map { Step(at: $0.at.rfc3339, millis: $0.millis, action: $0.action, outcome: $0.outcome) }
    }
}
