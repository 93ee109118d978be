import Foundation

/// Samples the two Deployments every 50 ms and records each rollout's interval: from the
/// generation bump (the template changed) to complete by `kubectl rollout status`'s rules.
final class RolloutWatch: @unchecked Sendable {
    private var intervals: [String: (start: Date, end: Date?)] = [:]
    private let lock = NSLock()
    private var task: Task<Void, Never>?

    /// Starts sampling `deployments` (namespace, name) of `scenario`.
    init(_ scenario: RunningScenario, _ deployments: [(String, String)]) {
        let baseline = deployments.map { scenario.sim.get(.deployments, namespace: $0.0, name: $0.1)?["metadata"]?["generation"]?.intValue ?? 0 }
        task = Task { [self] in
            while !Task.isCancelled {
                for (i, (ns, name)) in deployments.enumerated() {
                    let generation = scenario.sim.get(.deployments, namespace: ns, name: name)?["metadata"]?["generation"]?.intValue ?? 0
                    let complete = scenario.rolledOut(ns, name)
                    lock.withLock {
                        let key = ns + "/" + name
                        if intervals[key] == nil, generation > baseline[i] { intervals[key] = (Date(), nil) }
                        if let iv = intervals[key], iv.end == nil, complete { intervals[key] = (iv.start, Date()) }
                    }
                }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Stops sampling; the seconds covered by the union of the completed rollout intervals.
    func finish() async -> Double {
        task?.cancel()
        await task?.value
        let done = lock.withLock { intervals.values.compactMap { iv in iv.end.map { (iv.start, $0) } } }.sorted { $0.0 < $1.0 }
        return RotationStats.unionSeconds(done)
    }
}
