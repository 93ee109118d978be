import Foundation
import LockstepTesting
import LockstepScenario

/// A bench binary (or LiteLLM) run as a child process with stdout and stderr in files, stopped by
/// PID: SIGTERM, then SIGKILL after a grace period, always waited for (LockstepScenario's
/// `ChildProcess`, with the bench tools' own variables cleared from the inherited environment).
final class BenchProcess: @unchecked Sendable {
    let child: ChildProcess
    let directory: TempDirectory
    var process: Process { child.process }

    /// Starts `binary` with `arguments`; `environment` replaces the inherited one's entries.
    init(_ binary: String, _ arguments: [String] = [], environment: [String: String] = [:], inherit: Bool = true) throws {
        directory = try TempDirectory("bench-proc")
        var env = inherit ? ProcessInfo.processInfo.environment : ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        for name in ["LITELLM_API_KEY", "LITELLM_BASE_URL", "PORT", "LOAD_REPORT_DIR", "FAKE_PROVIDER_KEYS"] { env.removeValue(forKey: name) }
        for (k, v) in environment { env[k] = v }
        child = try ChildProcess(binary, arguments, environment: env, inherit: false, directory: URL(fileURLWithPath: directory.path))
    }

    var pid: Int32 { child.pid }
    var stdout: String { child.stdout }
    var stderr: String { child.stderr }

    /// Waits (bounded) for a stdout line starting with `prefix` and returns the rest of it.
    /// Bounded generously: a start-up on 2 busy cores (the quick round) can take many seconds.
    func waitForLine(prefix: String, timeout: Duration = .seconds(60)) async throws -> String {
        try await child.waitForLine(prefix: prefix, timeout: timeout)
    }

    /// Waits (bounded) for the process to exit by itself; SIGKILLs it past the deadline.
    @discardableResult
    func waitForExit(timeout: Duration = .seconds(30)) async -> Int32 { await child.waitForExit(timeout: timeout) }

    /// SIGTERM, then SIGKILL after `grace`; always waits. Returns the exit status (or the signal).
    @discardableResult
    func stop(grace: Duration = .seconds(5)) async -> Int32 { await child.stop(grace: grace) }
}

struct ProcessFailed: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A temporary folder removed when released.
final class TempDirectory: @unchecked Sendable {
    let path: String
    init(_ prefix: String) throws {
        path = NSTemporaryDirectory() + "\(prefix)-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}
