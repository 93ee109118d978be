import LockstepAudit
import LockstepCore
import LockstepCrypto
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
    case usage = 64
    case invalidInput = 65
    case notFound = 66
    case unavailable = 69
    case alreadyExists = 73
    case io = 74
    case busy = 75
    case insecurePermissions = 77
    case config = 78

    /// How a run that returned ended: succeeded, rolled back (verified), did not start; any
    /// other phase is a run stopped half-way that needs attention.
    public init(outcome: RotationRun.Phase) {
        self = switch outcome {
        case .succeeded: .success
        case .rolledBack: .rolledBack
        case .abandoned: .notStarted
        default: .rollbackStuck
        }
    }

    /// The code of an error from any layer (vault, audit, crypto, engine, daemon). Errors that
    /// are not listed are unexpected: 1.
    public init(error: any Error) {
        self = switch error {
        case let e as AdminWire.Problem: e.code
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

    init(vault code: VaultError.Code) {
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

extension AdminWire.Problem {
    /// What `error` says to an operator, with its hint and code: the CLI prints it as `error:` and
    /// `hint:` lines and exits with the code; the daemon answers it as JSON. Errors describe
    /// themselves without secrets (VaultError, CryptoError and the adapters' errors never hold a value).
    public init(_ error: any Error) {
        switch error {
        case let e as AdminWire.Problem:
            self = e
        case let e as VaultError:
            self.init(error: e.message, hint: e.hint, exitCode: ExitCode(vault: e.code))
        case let e as AuditError:
            self.init(error: "\(e)", hint: "nothing was changed: Lockstep does not act when it cannot audit", exitCode: .auditWriteFailed)
        case let e as RollbackFailed:
            self.init(error: e.description, hint: "`lockstep history \(e.credential)` shows every step; fix the cause, then `lockstep rotate \(e.credential)` resumes the run",
                      exitCode: .rollbackStuck)
        case let e as OutputError:
            self.init(error: e.description, hint: e.hint, exitCode: .io)
        case is DecodingError:
            // Never the decoder's own text: it quotes the input and Swift's coding paths.
            self.init(error: "the request body is not the JSON this endpoint takes", hint: "send the fields docs/daemon.md lists for it", exitCode: .invalidInput)
        case let e as any CustomStringConvertible & Error:
            self.init(error: e.description, hint: nil, exitCode: ExitCode(error: e))
        default:
            self.init(error: "\(error)", hint: nil, exitCode: ExitCode(error: error))
        }
    }
}
