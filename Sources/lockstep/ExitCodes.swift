import ArgumentParser
import Foundation
import LockstepAudit
import LockstepCore
import LockstepCrypto
import LockstepDaemon
import LockstepVault

/// Exit codes (documented in the README). Stable: scripts depend on them.
enum Exit {
    static let failure: Int32 = 1
    static let wrongKey: Int32 = 10
    static let damaged: Int32 = 11
    static let auditVerifyFailed: Int32 = 12
    static let auditWriteFailed: Int32 = 13
    static let rolledBack: Int32 = 20
    static let rollbackStuck: Int32 = 21
    static let notStarted: Int32 = 22
    static let usage: Int32 = 64
    static let invalidInput: Int32 = 65
    static let notFound: Int32 = 66
    static let unavailable: Int32 = 69
    static let alreadyExists: Int32 = 73
    static let io: Int32 = 74
    static let busy: Int32 = 75
    static let insecurePermissions: Int32 = 77
    static let config: Int32 = 78

    static func code(for error: VaultError) -> Int32 {
        switch error.code {
        case .wrongKey, .keyKindMismatch: wrongKey
        case .damaged, .unsupportedFormat: damaged
        case .insecurePermissions: insecurePermissions
        case .notFound, .unknownCredential: notFound
        case .alreadyExists: alreadyExists
        case .badKeyFile, .invalidInput: invalidInput
        case .busy: busy
        case .auditFailed: auditWriteFailed
        case .io: io
        }
    }
}

/// An error the CLI prints as `error: …` and `hint: …` before exiting with `code`.
struct CLIFailure: Error {
    let message: String
    let hint: String?
    let code: Int32
}

/// Runs a command body, turning every error into one `error:` line, an optional `hint:` line
/// and a documented exit code. Errors never carry secret values (see VaultError, CryptoError).
/// Output lost on the way (a full disk, a closed pipe) makes the command fail with 74, never exit 0.
func runCLI(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as CLIFailure {
        fail(e.message, hint: e.hint, code: e.code)
    } catch let e as OutputError {
        fail(e.description, hint: e.hint, code: Exit.io)
    } catch let e as AdminWire.Problem {
        fail(e.error, hint: e.hint, code: e.exitCode)
    } catch let e as VaultError {
        fail(e.message, hint: e.hint, code: Exit.code(for: e))
    } catch let e as CoreError {
        fail("\(e)", hint: nil, code: Exit.invalidInput)
    } catch let e as AuditError {
        fail("\(e)", hint: "nothing was changed: Lockstep does not act when it cannot audit", code: Exit.auditWriteFailed)
    } catch let e as CryptoError {
        fail("\(e)", hint: nil, code: Exit.failure)
    } catch let e as ExitCode {
        throw e
    } catch let e as any CustomStringConvertible & Error {
        // Adapter errors (cluster, gateway, engine) describe themselves without secrets.
        fail(e.description, hint: nil, code: Exit.failure)
    }
    if let lost = Console.lostOutput { fail(lost.description, hint: lost.hint, code: Exit.io) }
}

/// `runCLI` for async commands.
func runAsyncCLI(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        try runCLI { throw error }
    }
    try runCLI {}
}

func fail(_ message: String, hint: String?, code: Int32) -> Never {
    var text = "error: \(message)\n"
    if let hint { text += "hint: \(hint)\n" }
    // Standard error is the last place to report to: if this write fails too, the code still tells.
    try? StandardStream.error.write(text)
    exit(code)
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try Console.out(bytes: Array(try encoder.encode(value)) + [0x0A])
}
