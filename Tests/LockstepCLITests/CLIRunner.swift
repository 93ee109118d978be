import Foundation

/// Runs the built `lockstep` binary as a user would, with a bounded wait.
struct CLIResult {
    let code: Int32
    let stdout: String
    let stderr: String
    var all: String { stdout + stderr }
}

enum CLI {
    /// `.build/<config>/lockstep`, next to the test bundle.
    static var binary: String {
        var url = Bundle.main.bundleURL
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") { url = bundle.bundleURL.deletingLastPathComponent() }
        let candidate = url.appendingPathComponent("lockstep").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lockstep").path
    }

    @discardableResult
    /// `wrapper` runs the binary through another program (e.g. `/bin/sh -c 'ulimit -f 0; exec "$0" "$@"'`).
    static func run(_ args: [String], stdin: String? = nil, env: [String: String] = [:], cwd: String? = nil, timeout: Duration = .seconds(60),
                    wrapper: [String] = []) async throws -> CLIResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: wrapper.first ?? binary)
        p.arguments = wrapper.isEmpty ? args : Array(wrapper.dropFirst()) + [binary] + args
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "LOCKSTEP_VAULT")
        environment.removeValue(forKey: "LOCKSTEP_KEY_FILE")
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        // Pipes, not ChildProcess's files: the full-disk tests run the CLI under `ulimit -f 0`,
        // where a child could not write its error to a file.
        let inPipe = Pipe(), outPipe = Pipe(), errPipe = Pipe()
        p.standardInput = inPipe
        p.standardOutput = outPipe
        p.standardError = errPipe
        try p.run()
        if let stdin { inPipe.fileHandleForWriting.write(Data(stdin.utf8)) }
        try inPipe.fileHandleForWriting.close()
        // Collect output as it comes and wait for the process itself, not for EOF: another
        // process spawned concurrently by a parallel test can inherit a pipe's write end and
        // keep it open long after our child exited.
        let out = Collected(), err = Collected()
        outPipe.fileHandleForReading.readabilityHandler = { out.append($0.availableData) }
        errPipe.fileHandleForReading.readabilityHandler = { err.append($0.availableData) }
        let deadline = Date().addingTimeInterval(Double(timeout.components.seconds))
        // Polled with Task.sleep, never a blocking sleep or wait: a test that blocks a thread of the
        // cooperative pool (2 threads on 2 cores) stalls every other test of the process.
        while p.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
        let timedOut = p.isRunning
        if timedOut { kill(p.processIdentifier, SIGKILL) }
        while p.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: .milliseconds(100)) // let the handlers drain what the child wrote last
        outPipe.fileHandleForReading.readabilityHandler = nil
        errPipe.fileHandleForReading.readabilityHandler = nil
        if timedOut { throw CLITimeout(args: args) }
        return CLIResult(code: p.terminationStatus, stdout: out.text, stderr: err.text)
    }
}

struct CLITimeout: Error { let args: [String] }

final class TempDir: @unchecked Sendable {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "lockstep-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A temp dir with a key file and an initialised vault.
struct CLIVault {
    let dir: TempDir
    var vault: String { dir.file("vault.db") }
    var key: String { dir.file("vault.key") }

    init() async throws {
        dir = try TempDir()
        let k = try await CLI.run(["vault", "keygen", "--out", dir.file("vault.key")])
        guard k.code == 0 else { throw CLIFailed(result: k) }
        let i = try await CLI.run(["vault", "init", "--vault", dir.file("vault.db"), "--key-file", dir.file("vault.key")])
        guard i.code == 0 else { throw CLIFailed(result: i) }
    }

    @discardableResult
    func importValue(_ name: String, _ value: String) async throws -> CLIResult {
        try await CLI.run(["credential", "import", name, "--vault", vault, "--key-file", key], stdin: value)
    }
}

struct CLIFailed: Error { let result: CLIResult }

/// Bytes a readability handler collects from another thread.
final class Collected: @unchecked Sendable {
    private var data = Data()
    private let lock = NSLock()
    func append(_ d: Data) { lock.lock(); data.append(d); lock.unlock() }
    var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
}
