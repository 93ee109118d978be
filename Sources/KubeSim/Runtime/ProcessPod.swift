import Foundation
import Logging
import Synchronization

/// A pod whose container runs as a local process in its own process group, with the
/// environment resolved at start, a port of its own in `PORT`, and readiness from its httpGet probe.
final class ProcessPod: Pod {
    let name: String
    let port: Int?
    let pid: Int32
    private let monitor: Task<Void, Never>
    private let probe: Task<Void, Never>
    private let state = Locked<(ready: Bool, exited: Bool)>((false, false))
    private let logger: Logger

    let createdAt = Date()
    let logURL: URL?

    var isReady: Bool { state.withLock { $0.ready && !$0.exited } }
    var statusReason: String { hasExited ? "Error" : "Running" }

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

        var environment: [String: String] = [:]
        for key in ["PATH", "HOME", "LANG", "TMPDIR", "USER"] { environment[key] = ProcessInfo.processInfo.environment[key] }
        environment.merge(env) { _, pod in pod }
        environment["HOSTNAME"] = name
        let resolved = Self.resolveExecutable(argv, path: environment["PATH"])
        let logURL = logDirectory.appendingPathComponent("\(namespace)_\(name).log")
        self.logURL = logURL
        pid = try Spawn.start(executable: resolved[0], arguments: Array(resolved.dropFirst()), environment: environment,
                              workingDirectory: container["workingDir"]?.stringValue, logPath: logURL.path)
        let state = self.state
        let pid = self.pid
        // The one place that reaps this child.
        monitor = Task {
            while !Spawn.hasExited(pid) { try? await Task.sleep(for: .milliseconds(100)) }
            state.withLock { $0.exited = true }
        }

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
        logger.info("pod \(namespace)/\(name) started pid \(pid) port \(port)")
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

    var hasExited: Bool { state.withLock { $0.exited } }

    /// SIGTERM to the pod's process group, SIGKILL after `grace`, then waits (bounded) for the exit.
    func stop(grace: Duration) async {
        probe.cancel()
        state.withLock { $0.ready = false }
        guard !hasExited else { return }
        kill(-pid, SIGTERM)
        let deadline = ContinuousClock.now.advanced(by: grace)
        while !hasExited && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if !hasExited {
            logger.info("pod \(name) did not stop within its grace period: SIGKILL")
            kill(-pid, SIGKILL)
            let killDeadline = ContinuousClock.now.advanced(by: .seconds(5))
            while !hasExited && ContinuousClock.now < killDeadline {
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        // Children that left the group (or outlived the leader) are not chased; a pod's own
        // group is killed once more in case the leader exited first.
        kill(-pid, SIGKILL)
    }
}
