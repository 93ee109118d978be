import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs an exec credential plugin with a timeout and returns its standard output.
///
/// Output is read on a thread of its own that polls with a short timeout and stops when told, so a
/// plugin whose children keep the pipe open after a timeout cannot hold it; the plugin itself is
/// always waited for (SIGTERM, then SIGKILL) before this returns.
enum ExecPluginRunner {
    static func run(_ plugin: ExecPluginConfiguration) async throws -> Data {
        let process = try makeProcess(plugin)
        let stdout = Pipe()
        process.standardOutput = stdout
        // The plugin's stderr is not kept: it might echo a credential into our messages.
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice

        let output = OutputCollector()
        let exited = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { p in
            exited.continuation.yield(p.terminationStatus)
            exited.continuation.finish()
        }
        do {
            try process.run()
        } catch {
            throw KubernetesError.configuration("exec plugin \(plugin) could not be started: \(error.localizedDescription)")
        }
        output.startReading(stdout.fileHandleForReading)
        defer { output.stop() }
        let status = await withTaskGroup(of: Int32?.self) { group in
            group.addTask {
                await output.waitForEnd()
                for await status in exited.stream { return status }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: plugin.timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let status else {
            await stop(process)
            throw KubernetesError.configuration("exec plugin \(plugin) did not answer within \(plugin.timeout)")
        }
        guard status == 0 else {
            throw KubernetesError.configuration("exec plugin \(plugin) exited with status \(status)")
        }
        return output.data
    }

    private static func makeProcess(_ plugin: ExecPluginConfiguration) throws -> Process {
        let process = Process()
        if plugin.command.contains("/") {
            process.executableURL = URL(fileURLWithPath: plugin.command)
            process.arguments = plugin.arguments
        } else {
            // A bare name is looked up on PATH, as client-go does.
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [plugin.command] + plugin.arguments
        }
        var environment = ProcessInfo.processInfo.environment
        for (name, value) in plugin.environment { environment[name] = value.text }
        environment["KUBERNETES_EXEC_INFO"] =
            #"{"apiVersion":"\#(plugin.apiVersion)","kind":"ExecCredential","spec":{"interactive":false}}"#
        process.environment = environment
        if let directory = plugin.workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        return process
    }

    /// SIGTERM, a short grace period, then SIGKILL; waits (bounded) until the process is gone.
    private static func stop(_ process: Process) async {
        let pid = process.processIdentifier
        // Signal the whole group only when the plugin leads its own group: never our own group.
        let ownGroup = getpgid(pid) == pid
        if ownGroup { kill(-pid, SIGTERM) } else { process.terminate() }
        for _ in 0..<20 where process.isRunning { try? await Task.sleep(for: .milliseconds(25)) }
        if process.isRunning { kill(ownGroup ? -pid : pid, SIGKILL) }
        for _ in 0..<40 where process.isRunning { try? await Task.sleep(for: .milliseconds(25)) }
    }
}

/// Reads a plugin's output on a thread of its own (poll with a 50 ms timeout, so it can be stopped).
private final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = Data()
    private var stopped = false
    private let end = AsyncStream<Void>.makeStream()
    /// An ExecCredential is a few KB; a plugin printing megabytes is broken.
    private let limit = 4 * 1024 * 1024

    func startReading(_ handle: FileHandle) {
        let fd = handle.fileDescriptor
        Thread.detachNewThread { [self] in
            var chunk = [UInt8](repeating: 0, count: 16 * 1024)
            while !lock.withLock({ stopped }) {
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&pfd, 1, 50)
                if ready < 0 && errno != EINTR { break }
                if ready <= 0 { continue }
                let n = read(fd, &chunk, chunk.count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }  // EOF: every writer has closed the pipe
                lock.withLock { if buffer.count < limit { buffer.append(contentsOf: chunk[0..<n]) } }
            }
            withExtendedLifetime(handle) {}
            end.continuation.finish()
        }
    }

    /// Tells the reader thread to finish (it notices within 50 ms).
    func stop() {
        lock.withLock { stopped = true }
    }

    /// Returns at end of output, or when the task is cancelled (the timeout won).
    func waitForEnd() async {
        for await _ in end.stream {}
    }

    var data: Data { lock.withLock { buffer } }
}
