import Foundation
import Synchronization

/// Faults KubeSim injects on purpose, set from the config, the library API or `POST /kubesim/faults`.
public final class FaultInjector: Sendable {
    /// Server errors for the next `count` API requests that match `verbs`/`resources` (empty = any).
    public struct ServerErrors: Sendable, Equatable {
        public var count: Int
        public var code: Int
        public var verbs: [String]
        public var resources: [String]

        public init(count: Int, code: Int = 500, verbs: [String] = [], resources: [String] = []) {
            self.count = count
            self.code = code
            self.verbs = verbs
            self.resources = resources
        }
    }

    struct State {
        var conflicts: [ObjectKey: Int] = [:]
        var serverErrors: ServerErrors?
        var latency: Duration = .zero
        var stuckRollouts: Set<String> = []
        var crashingPods: Set<String> = []
    }

    let state = Mutex(State())

    public init() {}

    /// The next `count` writes (update, patch) to the object answer 409 Conflict.
    public func injectConflicts(_ key: ObjectKey, count: Int) {
        state.withLock { $0.conflicts[key, default: 0] += count }
    }

    public func injectServerErrors(_ errors: ServerErrors) {
        state.withLock { $0.serverErrors = errors }
    }

    /// Delay added before every API request is answered.
    public func setLatency(_ latency: Duration) {
        state.withLock { $0.latency = latency }
    }

    /// Pods the Deployment creates from now on never become ready, so its rollout never completes.
    public func setStuckRollout(namespace: String, name: String, _ stuck: Bool = true) {
        state.withLock { s in
            if stuck { s.stuckRollouts.insert("\(namespace)/\(name)") } else { s.stuckRollouts.remove("\(namespace)/\(name)") }
        }
    }

    /// Pods the Deployment creates from now on crash at start (CrashLoopBackOff, never ready).
    public func setCrashingPods(namespace: String, name: String, _ crashing: Bool = true) {
        state.withLock { s in
            if crashing { s.crashingPods.insert("\(namespace)/\(name)") } else { s.crashingPods.remove("\(namespace)/\(name)") }
        }
    }

    /// Removes every fault.
    public func clear() {
        state.withLock { $0 = State() }
    }

    var latency: Duration { state.withLock { $0.latency } }

    func isStuck(namespace: String, name: String) -> Bool {
        state.withLock { $0.stuckRollouts.contains("\(namespace)/\(name)") }
    }

    func isCrashing(namespace: String, name: String) -> Bool {
        state.withLock { $0.crashingPods.contains("\(namespace)/\(name)") }
    }

    /// Consumes one injected conflict for the object, if any is left.
    func takeConflict(_ key: ObjectKey) -> Bool {
        state.withLock { s in
            guard let left = s.conflicts[key], left > 0 else { return false }
            s.conflicts[key] = left > 1 ? left - 1 : nil
            return true
        }
    }

    /// Consumes one injected server error for a request, if any matches; returns its status code.
    func takeServerError(verb: String, resource: String) -> Int? {
        state.withLock { s in
            guard var errors = s.serverErrors, errors.count > 0 else { return nil }
            if !errors.verbs.isEmpty && !errors.verbs.contains(verb) { return nil }
            if !errors.resources.isEmpty && !errors.resources.contains(resource) { return nil }
            errors.count -= 1
            s.serverErrors = errors.count > 0 ? errors : nil
            return errors.code
        }
    }
}
