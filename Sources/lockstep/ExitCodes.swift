import ArgumentParser
import Foundation
import LockstepApp
import LockstepCore
import LockstepDaemon

/// Exit codes (README, "Exit codes"): the one table, `LockstepApp.ExitCode`, that the daemon
/// uses too. (`ExitCode` alone would be ArgumentParser's.)
typealias Exit = LockstepApp.ExitCode

/// An error the CLI prints as `error: …` and `hint: …` before exiting with `code`.
struct CLIFailure: ExplainedError {
    let message: String
    let hint: String?
    let code: Exit
}

/// Runs a command body, turning every error into one `error:` line, an optional `hint:` line
/// and a documented exit code (through `ServiceProblem(_:)`, the mapping the daemon uses).
/// Errors never carry secret values (see VaultError, CryptoError). Output lost on the way
/// (a full disk, a closed pipe) makes the command fail with 74, never exit 0.
func runCLI(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as ArgumentParser.ExitCode {
        throw e
    } catch {
        let problem = ServiceProblem(error)
        fail(problem.message, hint: problem.hint, code: problem.code)
    }
    if let lost = Console.lostOutput { fail(lost.description, hint: lost.hint, code: .io) }
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

func fail(_ message: String, hint: String?, code: Exit) -> Never {
    var text = "error: \(message)\n"
    if let hint { text += "hint: \(hint)\n" }
    // Standard error is the last place to report to: if this write fails too, the code still tells.
    try? StandardStream.error.write(text)
    exit(code.rawValue)
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try Console.out(bytes: Array(try encoder.encode(value)) + [0x0A])
}
