import Foundation
import Synchronization

/// A program started by a test: output goes to files (not pipes, which a process spawned
/// concurrently by another test could inherit and hold open), every wait is bounded, and the
/// process is stopped by PID.
public final class ChildProcess: Sendable {
    public let pid: Int32
    public let stdoutPath: String
    public let stderrPath: String
    private let process: Mutex<Process>

    /// Starts `executable`. `stdin` is written and closed at once (nil: /dev/null).
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], removing: [String] = [],
                stdin: Data? = nil, directory: String = NSTemporaryDirectory()) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for k in removing { env.removeValue(forKey: k) }
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let stem = (directory as NSString).appendingPathComponent("\((executable as NSString).lastPathComponent)-\(UUID().uuidString.prefix(8))")
        stdoutPath = stem + ".out"
        stderrPath = stem + ".err"
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        let input = stdin.map { _ in Pipe() }
        p.standardInput = input ?? FileHandle.nullDevice
        try p.run()
        if let input, let stdin {
            input.fileHandleForWriting.write(stdin)
            try? input.fileHandleForWriting.close()
        }
        pid = p.processIdentifier
        process = Mutex(p)
    }

    public var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }
    public var isRunning: Bool { process.withLock { $0.isRunning } }

    /// The first stdout line containing `text`, waiting at most `timeout`; nil if the process
    /// exits or the time runs out first.
    public func line(containing text: String, timeout: Duration) async -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = stdout.split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
            if !isRunning { return nil }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Sends `signal` (SIGTERM, SIGKILL, ...).
    public func signal(_ signal: Int32) { kill(pid, signal) }

    /// Waits for the exit; nil when still running after `timeout`.
    public func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        guard !isRunning else { return nil }
        return process.withLock { $0.waitUntilExit(); return $0.terminationStatus }
    }

    /// SIGTERM, then SIGKILL after `grace`; returns the exit status. Safe to call twice.
    @discardableResult
    public func stop(grace: Duration = .seconds(10)) async -> Int32 {
        guard isRunning else { return process.withLock { $0.terminationStatus } }
        signal(SIGTERM)
        if let code = await waitForExit(timeout: grace) { return code }
        signal(SIGKILL)
        return await waitForExit(timeout: .seconds(10)) ?? -1
    }

    /// Removes the output files.
    public func cleanUp() {
        try? FileManager.default.removeItem(atPath: stdoutPath)
        try? FileManager.default.removeItem(atPath: stderrPath)
    }

    /// Runs to completion (bounded) and returns exit status, stdout and stderr.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], removing: [String] = [],
                           stdin: Data? = nil, timeout: Duration = .seconds(120)) async throws -> (code: Int32, stdout: String, stderr: String) {
        let child = try ChildProcess(executable, arguments, environment: environment, removing: removing, stdin: stdin)
        defer { child.cleanUp() }
        guard let code = await child.waitForExit(timeout: timeout) else {
            await child.stop(grace: .seconds(2))
            throw ChildTimeout(command: ([executable] + arguments).joined(separator: " "))
        }
        return (code, child.stdout, child.stderr)
    }
}

public struct ChildTimeout: Error, CustomStringConvertible {
    public let command: String
    public var description: String { "timed out: \(command)" }
}
