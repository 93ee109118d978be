import Foundation
import Logging

/// A pod whose container runs as a local process in its own process group, with a port of its own
/// in `PORT` and readiness from its httpGet probe. Like the kubelet, it restarts an exited container
/// after a back-off (10 s, 20 s, ... up to 5 min by default; `CrashLoopBackOff` meanwhile), and
/// resolves the environment again for every start, so a restart sees the current Secret values.
final class ProcessPod: Pod {
    struct State {
        var pid: pid_t
        var startedAt: ContinuousClock.Instant
        var ready = false
        var exited = false
        var waitingToRestart = false
        var stopping = false
        var restarts = 0
        var configError = false
    }

    let name: String
    let port: Int?
    let createdAt = Date()
    let logURL: URL?
    private let state: Locked<State>
    private let monitor: Task<Void, Never>
    private let probe: Task<Void, Never>
    private let volumes: PodVolumes?
    /// `lifecycle.preStop.sleep.seconds` (Kubernetes 1.30+): the kubelet waits this long, inside
    /// the grace period, before SIGTERM, while the pod is already out of its Services' endpoints.
    private let preStopSleep: Duration
    private let logger: Logger

    var pid: Int32 { state.withLock { $0.pid } }
    var restartCount: Int { state.withLock { $0.restarts } }
    var hasExited: Bool { state.withLock { $0.exited } }
    var isReady: Bool { state.withLock { $0.ready && !$0.exited } }
    var statusReason: String {
        state.withLock { s in
            s.configError ? "CreateContainerConfigError" : s.waitingToRestart ? "CrashLoopBackOff" : s.exited ? "Error" : "Running"
        }
    }

    /// Starts the first container (or waits for its environment, see below); throws only when no port is free.
    init(name: String, namespace: String, template: JSONValue, container: JSONValue, store: ObjectStore, configuration: KubeSimConfiguration,
         logDirectory: URL, logger: Logger) throws {
        self.name = name
        self.logger = logger
        let port = try PortAllocator.freePort()
        self.port = port
        let logURL = logDirectory.appendingPathComponent("\(namespace)_\(name).log")
        self.logURL = logURL
        let root = logDirectory.appendingPathComponent("roots").appendingPathComponent("\(namespace)_\(name)")
        let volumes = try PodVolumes(template: template, container: container, namespace: namespace, root: root, store: store,
                                     syncDelay: configuration.volumeSyncDelay)
        self.volumes = volumes.isEmpty ? nil : volumes
        preStopSleep = .seconds(container.value(at: ["lifecycle", "preStop", "sleep", "seconds"])?.intValue ?? 0)
        let launch: @Sendable () throws -> pid_t = {
            // Volumes are in place before the container starts; a missing Secret keeps it waiting.
            if !volumes.isEmpty { try volumes.mountAll() }
            return try Self.launch(container: container, namespace: namespace, podName: name, port: port, podRoot: root.path,
                                   store: store, logPath: logURL.path)
        }
        // A container whose environment cannot be resolved yet (missing Secret or key) waits, as in
        // CreateContainerConfigError, and is started once it can be.
        let firstPid = try? launch()
        var initial = State(pid: firstPid ?? 0, startedAt: .now)
        if firstPid == nil {
            initial.exited = true
            initial.configError = true
        }
        let state = Locked(initial)
        self.state = state
        let backoff = configuration.crashLoopBackoff
        monitor = Task {
            var failures = 0
            while true {
                let pid = state.value.pid
                if pid > 0 {
                    // The one place that reaps this pod's children.
                    while !Spawn.hasExited(pid) {
                        if Task.isCancelled { return }
                        try? await Task.sleep(for: .milliseconds(100))
                    }
                    let restarts = state.withLock { s -> Int? in
                        s.exited = true
                        s.ready = false
                        if s.stopping { return nil }
                        s.waitingToRestart = true
                        s.restarts += 1
                        return s.restarts
                    }
                    guard let restarts else { return }
                    logger.info("pod \(namespace)/\(name) exited; restart \(restarts) after back-off")
                    failures = restarts
                }
                while true {
                    let delay = min(backoff * (1 << min(max(failures, 1) - 1, 10)), backoff * 30)
                    try? await Task.sleep(for: delay)
                    if state.value.stopping || Task.isCancelled { return }
                    do {
                        let pid = try launch()
                        let stopping = state.withLock { s -> Bool in
                            s.pid = pid
                            s.startedAt = .now
                            s.exited = false
                            s.waitingToRestart = false
                            s.configError = false
                            return s.stopping
                        }
                        if stopping {
                            // stop() began while this container was starting: it must not outlive the pod.
                            kill(-pid, SIGKILL)
                            for _ in 0..<100 where !Spawn.hasExited(pid) { try? await Task.sleep(for: .milliseconds(20)) }
                            state.withLock { $0.exited = true }
                            return
                        }
                        break
                    } catch {
                        failures += 1
                        state.withLock { $0.configError = true }
                        logger.warning("pod \(namespace)/\(name) cannot start: \(error)")
                    }
                }
            }
        }

        let readinessPath = container.value(at: ["readinessProbe", "httpGet", "path"])?.stringValue
        let initialDelay = Duration.seconds(container.value(at: ["readinessProbe", "initialDelaySeconds"])?.intValue ?? 0)
        // As the kubelet: a ready pod turns unready only after `failureThreshold` (default 3)
        // failed probes in a row, an unready one ready after `successThreshold` (default 1)
        // successes; each probe may take `timeoutSeconds` (default 1). One slow answer from a
        // busy process must not take it out of its Service.
        let failureThreshold = max(1, Int(container.value(at: ["readinessProbe", "failureThreshold"])?.intValue ?? 3))
        let successThreshold = max(1, Int(container.value(at: ["readinessProbe", "successThreshold"])?.intValue ?? 1))
        let probeTimeout = Duration.seconds(max(1, container.value(at: ["readinessProbe", "timeoutSeconds"])?.intValue ?? 1))
        let period = configuration.probePeriod
        let readyDelay = configuration.podReadyDelay
        let syncing = self.volumes
        probe = Task {
            var streak = (pid: pid_t(0), successes: 0, failures: 0)
            while !Task.isCancelled {
                syncing?.sync()
                let current = state.value
                if current.exited {
                    // Nothing to probe until the container is back.
                } else if let readinessPath {
                    if ContinuousClock.now >= current.startedAt.advanced(by: initialDelay) {
                        let ok = await HTTPProbe.check(port: port, path: readinessPath, timeout: probeTimeout)
                        if streak.pid != current.pid { streak = (current.pid, 0, 0) } // a new container starts unready
                        if ok { streak.successes += 1; streak.failures = 0 } else { streak.failures += 1; streak.successes = 0 }
                        let (successes, failures) = (streak.successes, streak.failures)
                        state.withLock { s in
                            guard s.pid == current.pid else { return }
                            if s.exited { s.ready = false } else if successes >= successThreshold { s.ready = true } else if failures >= failureThreshold { s.ready = false }
                        }
                    }
                } else if ContinuousClock.now >= current.startedAt.advanced(by: readyDelay) {
                    state.withLock { s in if s.pid == current.pid { s.ready = !s.exited } }
                }
                try? await Task.sleep(for: period)
            }
        }
        if let firstPid {
            logger.info("pod \(namespace)/\(name) started pid \(firstPid) port \(port)")
        } else {
            logger.warning("pod \(namespace)/\(name) waits for its environment (CreateContainerConfigError)")
        }
    }

    /// Resolves the environment (now, from the current Secrets) and starts the container.
    private static func launch(container: JSONValue, namespace: String, podName: String, port: Int, podRoot: String,
                               store: ObjectStore, logPath: String) throws -> pid_t {
        let env = try PodEnvironment.resolve(container: container, namespace: namespace, podName: podName, port: port, podRoot: podRoot, store: store)
        let argv = ((container["command"]?.arrayValue ?? []) + (container["args"]?.arrayValue ?? []))
            .compactMap(\.stringValue).map { PodEnvironment.expand($0, env) }
        guard !argv.isEmpty else { throw PodEnvironment.Failure(description: "container has no command") }
        var environment: [String: String] = [:]
        for key in ["PATH", "HOME", "LANG", "TMPDIR", "USER"] { environment[key] = ProcessInfo.processInfo.environment[key] }
        environment.merge(env) { _, pod in pod }
        environment["HOSTNAME"] = podName
        let resolved = resolveExecutable(argv, path: environment["PATH"])
        return try Spawn.start(executable: resolved[0], arguments: Array(resolved.dropFirst()), environment: environment,
                               workingDirectory: container["workingDir"]?.stringValue, logPath: logPath)
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
        let pid = state.withLock { s -> pid_t in
            s.stopping = true
            s.ready = false
            return s.pid
        }
        // pid 0 means never started: kill(0) would signal KubeSim's own process group.
        if pid > 0 && !hasExited {
            // Not ready from here on, so the Service stops sending it connections; the preStop
            // sleep lets connections already on their way arrive before the process stops listening.
            let deadline = ContinuousClock.now.advanced(by: grace)
            if preStopSleep > .zero { try? await Task.sleep(for: min(preStopSleep, grace)) }
            kill(-pid, SIGTERM)
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
            // Members of the group that outlived its leader go too.
            kill(-pid, SIGKILL)
        }
        monitor.cancel()
        await monitor.value
        volumes?.remove()
    }
}
