import LockstepAudit
import LockstepCore
import LockstepEngine
import LockstepVault

/// What went wrong, for an operator: a message, what to do, and the exit code. The one mapping
/// from any error to what the CLI prints (`error:`/`hint:` and the exit status) and what the
/// admin API answers (its JSON and HTTP status), so that the direct path and the daemon path
/// cannot disagree. Errors describe themselves without secrets (VaultError, CryptoError and the
/// adapters' errors never hold a value).
public struct ServiceProblem: Sendable, ExplainedError, CustomStringConvertible {
    public var message: String
    public var hint: String?
    public var code: ExitCode

    public init(_ message: String, hint: String?, code: ExitCode) {
        self.message = message
        self.hint = hint
        self.code = code
    }

    public var description: String { message }

    /// What `error` says to an operator: the one mapping from errors to messages, hints and codes.
    public init(_ error: any Error) {
        switch error {
        case let e as ServiceProblem:
            self = e
        case let e as any ExplainedError:
            self.init(e.message, hint: e.hint, code: e.code)
        case let e as VaultError:
            self.init(e.message, hint: e.hint, code: ExitCode(vault: e.code))
        case let e as AuditError:
            self.init("\(e)", hint: "nothing was changed: Lockstep does not act when it cannot audit", code: .auditWriteFailed)
        case let e as RollbackFailed:
            self.init(e.description, hint: "`lockstep history \(e.credential)` shows every step; fix the cause, then `lockstep rotate \(e.credential)` resumes the run",
                      code: .rollbackStuck)
        case let e as OutputError:
            self.init(e.description, hint: e.hint, code: .io)
        case is DecodingError:
            // Never the decoder's own text: it quotes the input and Swift's coding paths.
            self.init("the request body is not the JSON this endpoint takes", hint: "send the fields docs/daemon.md lists for it", code: .invalidInput)
        case let e as any CustomStringConvertible & Error:
            self.init(e.description, hint: nil, code: ExitCode(error: e))
        default:
            self.init("\(error)", hint: nil, code: ExitCode(error: error))
        }
    }
}
