import LockstepAudit
import LockstepCore
import LockstepEngine
import LockstepVault

/// The exit codes of `lockstep` (README, "Exit codes"). The one table that run outcomes and
/// errors map to, for the CLI's exit status and for the admin API's answers (whose HTTP status
/// follows from the code), so that the direct path and the daemon path cannot disagree.
/// Stable: scripts depend on the numbers.
public enum ExitCode: Int32, Sendable, CaseIterable {
    case success = 0
    case failure = 1
    case wrongKey = 10
    case damaged = 11
    case auditVerifyFailed = 12
    case auditWriteFailed = 13
    case rolledBack = 20
    case rollbackStuck = 21
    case notStarted = 22
    /// `revoke --all`: not every old value is refused at its source; the report says what a person must do.
    case incidentIncomplete = 23
    case usage = 64
    case invalidInput = 65
    case notFound = 66
    case unavailable = 69
    case alreadyExists = 73
    case io = 74
    case busy = 75
    case insecurePermissions = 77
    case config = 78

    /// How a run that returned ended (`RunOutcome.exitCode`).
    public init(outcome: RotationRun.Phase) { self = RunOutcome(phase: outcome).exitCode }

    /// The code of an error from any layer (vault, audit, crypto, engine, daemon). Errors that
    /// are not listed are unexpected: 1.
    public init(error: any Error) {
        self = switch error {
        case let e as any ExplainedError: e.code
        case let e as VaultError: ExitCode(vault: e.code)
        case is CoreError: .invalidInput
        case is AuditError: .auditWriteFailed
        case is RollbackFailed: .rollbackStuck
        case is UnsupportedRequest: .usage
        case is RunInterruption: .busy
        case is DecodingError: .invalidInput
        case is OutputError: .io
        default: .failure
        }
    }

    public init(vault code: VaultError.Code) {
        self = switch code {
        case .wrongKey, .keyKindMismatch: .wrongKey
        case .damaged, .unsupportedFormat: .damaged
        case .insecurePermissions: .insecurePermissions
        case .notFound, .unknownCredential: .notFound
        case .alreadyExists: .alreadyExists
        case .badKeyFile, .invalidInput: .invalidInput
        case .busy: .busy
        case .auditFailed: .auditWriteFailed
        case .io: .io
        }
    }

    /// The admin API's HTTP status for an answer that carries this code.
    public var httpStatus: Int {
        switch self {
        case .success, .rolledBack, .notStarted: 200
        case .usage, .invalidInput: 400
        case .insecurePermissions: 403
        case .notFound: 404
        case .alreadyExists: 409
        case .busy, .unavailable: 503
        default: 500
        }
    }
}

/// An error that says what went wrong, what to do, and its exit code (a refusal of the rotation
/// service, the CLI's own refusals, the admin API's answer): shown as it is, never re-mapped.
public protocol ExplainedError: Error {
    var message: String { get }
    var hint: String? { get }
    var code: ExitCode { get }
}
