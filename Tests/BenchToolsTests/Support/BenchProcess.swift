import Foundation

/// A bench binary (or LiteLLM) run as a child process with stdout and stderr in files, stopped by
/// PID: SIGTERM, then SIGKILL after a grace period, always waited for.
final class BenchProcess: @unchecked Sendable {
    let process = Process()
    let directory: TempDirectory
    var stdoutPath: String { directory.file("stdout") }
    var stderrPath: String { directory.file("stderr") }

    /// Starts `binary` with `arguments`; `environment` replaces the inherited one's entries.
    init(_ binary: String, _ arguments: [String] = [], environment: [String: String] = [:], inherit: Bool = true) throws {
        directory = try TempDirectory("bench-proc")
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var env = inherit ? ProcessInfo.processInfo.environment : ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        for name in ["LITELLM_API_KEY", "LITELLM_BASE_URL", "PORT", "LOAD_REPORT_DIR", "FAKE_PROVIDER_KEYS"] { env.removeValue(forKey: name) }
        for (k, v) in environment { env[k] = v }
        process.environment = env
        guard FileManager.default.createFile(atPath: stdoutPath, contents: nil), FileManager.default.createFile(atPath: stderrPath, contents: nil),
              let out = FileHandle(forWritingAtPath: stdoutPath), let err = FileHandle(forWritingAtPath: stderrPath) else {
            throw ProcessFailed("cannot create output files in \(directory.path)")
        }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits (bounded) for a stdout line starting with `prefix` and returns the rest of it.
    func waitForLine(prefix: String, timeout: Duration = .seconds(20)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = stdout.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) {
                return String(line.dropFirst(prefix.count))
            }
            guard process.isRunning else { throw ProcessFailed("exited with \(process.terminationStatus) before \"\(prefix)\": \(stderr.suffix(1500))") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ProcessFailed("no \"\(prefix)\" line within \(timeout): \(stderr.suffix(1500))")
    }

    /// Waits (bounded) for the process to exit by itself; SIGKILLs it past the deadline.
    @discardableResult
    func waitForExit(timeout: Duration = .seconds(30)) async -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// SIGTERM, then SIGKILL after `grace`; always waits. Returns the exit status (or the signal).
    @discardableResult
    func stop(grace: Duration = .seconds(5)) async -> Int32 {
        if process.isRunning { kill(pid, SIGTERM) }
        return await waitForExit(timeout: grace)
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
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

/// Polls `condition` every 100 ms until it holds or `timeout` passes; returns the last answer.
func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return try await condition()
}
