import Foundation
import Synchronization

/// A pod the Deployment controller runs: simulated, or a local process (``ProcessPod``).
protocol Pod: AnyObject, Sendable {
    var name: String { get }
    /// Passes its readiness check now (available = ready, as minReadySeconds is 0).
    var isReady: Bool { get }
    /// 127.0.0.1 port the Service forwards to, for process pods.
    var port: Int? { get }
    var createdAt: Date { get }
    /// Where a process pod's stdout and stderr go.
    var logURL: URL? { get }
    /// What `kubectl get pods` shows in STATUS: Running, CrashLoopBackOff, Error.
    var statusReason: String { get }
    var restartCount: Int { get }
    /// Stops the pod: SIGTERM, then SIGKILL after `grace` for processes.
    func stop(grace: Duration) async
}

/// A pod without a process: ready `readyDelay` after start, unless it is stuck or crashing.
final class SimulatedPod: Pod {
    enum Behaviour: Sendable { case normal, neverReady, crashing }

    let name: String
    let port: Int? = nil
    let createdAt = Date()
    let logURL: URL? = nil
    let restartCount = 0
    private let readyAt: ContinuousClock.Instant
    private let behaviour: Behaviour
    private let stopped = Mutex(false)

    init(name: String, readyDelay: Duration, behaviour: Behaviour = .normal, clock: ContinuousClock = ContinuousClock()) {
        self.name = name
        self.readyAt = clock.now.advanced(by: readyDelay)
        self.behaviour = behaviour
    }

    var isReady: Bool {
        behaviour == .normal && !stopped.withLock { $0 } && ContinuousClock.now >= readyAt
    }

    var statusReason: String { behaviour == .crashing ? "CrashLoopBackOff" : "Running" }

    func stop(grace: Duration) async {
        stopped.withLock { $0 = true }
    }
}
