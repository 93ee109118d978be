import Foundation
import KubeSim

/// A child process with stdout and stderr in files (not pipes: a pod process spawned meanwhile
/// could inherit a pipe and hold it open), stopped by PID: SIGTERM, SIGKILL after a grace
/// period, always waited for. Secrets go in through `stdin` or the environment, never argv.
public final class ChildProcess: @unchecked Sendable {
    /// What a finished command left behind.
    public struct Result: Sendable {
        public let code: Int32
        public let stdout: String
        public let stderr: String
        public let duration: Duration
    }

    /// The process itself (its termination status and reason once it ended).
    public let process = Process()
    let started = ContinuousClock.now
    private let outPath: String
    private let errPath: String

    /// Starts `executable` (a path, or a name looked up on PATH), its output files in `directory`,
    /// in `workingDirectory` (the current one when nil). `environment` is added to the inherited
    /// one (less `removing`), or is the whole environment with `inherit` false.
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], inherit: Bool = true, removing: [String] = [],
                stdin: Data? = nil, directory: URL = FileManager.default.temporaryDirectory, workingDirectory: String? = nil) throws {
        let id = UUID().uuidString.prefix(8)
        outPath = directory.appendingPathComponent("child-\(id).out").path
        errPath = directory.appendingPathComponent("child-\(id).err").path
        guard FileManager.default.createFile(atPath: outPath, contents: nil), FileManager.default.createFile(atPath: errPath, contents: nil),
              let out = FileHandle(forWritingAtPath: outPath), let err = FileHandle(forWritingAtPath: errPath) else {
            throw ChildProcessError("cannot create output files in \(directory.path)")
        }
        process.executableURL = URL(fileURLWithPath: executable.contains("/") ? executable : "/usr/bin/env")
        process.arguments = executable.contains("/") ? arguments : [executable] + arguments
        var env = inherit ? ProcessInfo.processInfo.environment : [:]
        for k in removing { env.removeValue(forKey: k) }
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
        process.standardOutput = out
        process.standardError = err
        if let stdin {
            let pipe = Pipe()
            process.standardInput = pipe
            try process.run()
            pipe.fileHandleForWriting.write(stdin)
            try pipe.fileHandleForWriting.close()
        } else {
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
        try out.close()
        try err.close()
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }
    public var stdout: String { (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }

    /// Runs a command to its end (at most `timeout`, then SIGKILL) and returns what it printed.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], removing: [String] = [], stdin: Data? = nil,
                           directory: URL = FileManager.default.temporaryDirectory, timeout: Duration = .seconds(600)) async throws -> Result {
        let child = try ChildProcess(executable, arguments, environment: environment, removing: removing, stdin: stdin, directory: directory)
        defer { child.removeOutputFiles() }
        let code = await child.waitForExit(timeout: timeout)
        return Result(code: code, stdout: child.stdout, stderr: child.stderr, duration: ContinuousClock.now - child.started)
    }

    /// The first stdout line containing `text`, waiting at most `timeout`; nil when the process
    /// exits or the time runs out first.
    public func line(containing text: String, timeout: Duration) async -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = stdout.split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
            if !process.isRunning { return nil }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Sends a signal (SIGTERM, SIGKILL, ...) to the process.
    public func signal(_ signal: Int32) { kill(pid, signal) }

    /// Removes the stdout and stderr files.
    public func removeOutputFiles() {
        try? FileManager.default.removeItem(atPath: outPath)
        try? FileManager.default.removeItem(atPath: errPath)
    }

    /// Waits (bounded) for a stdout line starting with `prefix`; returns the rest of it.
    public func waitForLine(prefix: String, timeout: Duration) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = stdout.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) { return String(line.dropFirst(prefix.count)) }
            guard process.isRunning else { throw ChildProcessError("\(process.executableURL?.lastPathComponent ?? "?") exited before \"\(prefix)\": \(stderr.suffix(800))") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ChildProcessError("no \"\(prefix)\" line within \(timeout)")
    }

    /// Waits (bounded) for the process to exit; SIGKILLs it past the deadline.
    @discardableResult
    public func waitForExit(timeout: Duration) async -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline, !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning, Task.isCancelled {
            // Interrupted (the demo got SIGINT): give the child its SIGTERM and a moment to end.
            kill(pid, SIGTERM)
            for _ in 0..<100 where process.isRunning { usleep(50_000) }
        }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// SIGTERM, then SIGKILL after `grace`; always waits.
    @discardableResult
    public func stop(grace: Duration = .seconds(5)) async -> Int32 {
        if process.isRunning { kill(pid, SIGTERM) }
        return await waitForExit(timeout: grace)
    }

    /// `stop` for a `defer` (blocks the thread): SIGTERM, SIGKILL after `grace`, always waited for.
    @discardableResult
    public func stopBlocking(grace: Duration = .seconds(5)) -> Int32 {
        if process.isRunning {
            kill(pid, SIGTERM)
            let deadline = ContinuousClock.now + grace
            while process.isRunning, ContinuousClock.now < deadline { usleep(20_000) }
            if process.isRunning { kill(pid, SIGKILL) }
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// A child process could not be started or did not do what was waited for.
public struct ChildProcessError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A free TCP port on 127.0.0.1 (bind to 0, read, close), for a server a test starts.
public func freePort() throws -> Int { try PortAllocator.freePort() }
