import Foundation
import Logging
import Synchronization

/// A pod whose container runs as a local process in its own process group (via `setsid`), with the
/// environment resolved at start, a port of its own in `PORT`, and readiness from its httpGet probe.
final class ProcessPod: Pod {
    let name: String
    let port: Int?
    private let process: Process
    private let probe: Task<Void, Never>
    private let state = Locked<(ready: Bool, exited: Bool)>((false, false))
    private let logger: Logger

    var isReady: Bool { state.withLock { $0.ready && !$0.exited } }
    var pid: Int32 { process.processIdentifier }

    init(name: String, namespace: String, container: JSONValue, store: ObjectStore, configuration: KubeSimConfiguration,
         logDirectory: URL, logger: Logger) throws {
        self.name = name
        self.logger = logger
        let port = try PortAllocator.freePort()
        self.port = port
        let env = try PodEnvironment.resolve(container: container, namespace: namespace, podName: name, port: port, store: store)
        let argv = ((container["command"]?.arrayValue ?? []) + (container["args"]?.arrayValue ?? []))
            .compactMap(\.stringValue).map { PodEnvironment.expand($0, env) }
        guard !argv.isEmpty else { throw PodEnvironment.Failure(description: "container has no command") }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        process.arguments = ["--"] + Self.resolveExecutable(argv, path: env["PATH"]) 
        var environment: [String: String] = [:]
        for key in ["PATH", "HOME", "LANG", "TMPDIR", "USER"] { environment[key] = ProcessInfo.processInfo.environment[key] }
        environment.merge(env) { _, pod in pod }
        environment["HOSTNAME"] = name
        process.environment = environment
        if let workingDir = container["workingDir"]?.stringValue { process.currentDirectoryURL = URL(fileURLWithPath: workingDir) }
        let logURL = logDirectory.appendingPathComponent("\(namespace)_\(name).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        let state = self.state
        process.terminationHandler = { _ in state.withLock { $0.exited = true } }
        try process.run()
        try? log.close()
        self.process = process

        let readinessPath = container.value(at: ["readinessProbe", "httpGet", "path"])?.stringValue
        let initialDelay = Duration.seconds(container.value(at: ["readinessProbe", "initialDelaySeconds"])?.intValue ?? 0)
        let period = configuration.probePeriod
        let readyDelay = configuration.podReadyDelay
        probe = Task {
            guard let readinessPath else {
                try? await Task.sleep(for: readyDelay)
                state.withLock { $0.ready = !$0.exited }
                return
            }
            try? await Task.sleep(for: initialDelay)
            while !Task.isCancelled && !state.withLock({ $0.exited }) {
                let ok = await HTTPProbe.check(port: port, path: readinessPath, timeout: .seconds(1))
                state.withLock { $0.ready = ok }
                try? await Task.sleep(for: period)
            }
        }
        logger.info("pod \(namespace)/\(name) started pid \(process.processIdentifier) port \(port)")
    }

    /// `command[0]` as a path: as given when it contains a slash, else looked up in PATH.
    private static func resolveExecutable(_ argv: [String], path: String?) -> [String] {
        guard let first = argv.first, !first.contains("/") else { return argv }
        let searchPath = path ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in searchPath.split(separator: ":") {
            let candidate = "\(dir)/\(first)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return [candidate] + argv.dropFirst() }
        }
        return argv
    }

    /// SIGTERM to the pod's process group, SIGKILL after `grace`, then waits (bounded) for the exit.
    func stop(grace: Duration) async {
        probe.cancel()
        state.withLock { $0.ready = false }
        let pid = process.processIdentifier
        guard process.isRunning else { return }
        kill(-pid, SIGTERM)
        let deadline = ContinuousClock.now.advanced(by: grace)
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning {
            logger.info("pod \(name) did not stop within its grace period: SIGKILL")
            kill(-pid, SIGKILL)
            let killDeadline = ContinuousClock.now.advanced(by: .seconds(5))
            while process.isRunning && ContinuousClock.now < killDeadline {
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}
