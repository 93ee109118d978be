import Foundation

/// The Deployment controller's arithmetic, as in kube-controller-manager's `rolling.go` and
/// `deployment/util`: pure functions over replica counts, so that they can be tested exhaustively.
public enum RolloutMath {
    /// One ReplicaSet as the rolling update sees it.
    public struct ReplicaSet: Sendable, Equatable {
        /// spec.replicas
        public var replicas: Int
        /// status.availableReplicas
        public var available: Int

        public init(replicas: Int, available: Int) {
            self.replicas = replicas
            self.available = available
        }
    }

    /// maxSurge and maxUnavailable as counts: percentages of `replicas`, surge rounded up,
    /// unavailable rounded down; when both come out 0, unavailable is 1 (so a rollout can proceed).
    public static func surgeAndUnavailable(replicas: Int, maxSurge: JSONValue?, maxUnavailable: JSONValue?) -> (surge: Int, unavailable: Int) {
        let surge = resolve(maxSurge ?? "25%", total: replicas, roundUp: true)
        var unavailable = resolve(maxUnavailable ?? "25%", total: replicas, roundUp: false)
        if surge == 0 && unavailable == 0 { unavailable = 1 }
        return (surge, min(unavailable, replicas))
    }

    /// An IntOrString: an integer, or a percentage of `total`.
    public static func resolve(_ value: JSONValue, total: Int, roundUp: Bool) -> Int {
        if let int = value.intValue { return max(0, int) }
        guard let text = value.stringValue else { return 0 }
        guard text.hasSuffix("%"), let percent = Int(text.dropLast()) else { return Int(text) ?? 0 }
        let exact = Double(percent * total) / 100
        return max(0, Int(roundUp ? exact.rounded(.up) : exact.rounded(.down)))
    }

    /// The new ReplicaSet's next size (`NewRSNewReplicas`): grow while the total stays within replicas + surge.
    public static func newReplicaSetTarget(replicas: Int, surge: Int, newReplicas: Int, totalReplicas: Int) -> Int {
        if newReplicas == replicas { return newReplicas }
        if newReplicas > replicas { return replicas }
        let maxTotal = replicas + surge
        if totalReplicas >= maxTotal { return newReplicas }
        let scaleUp = min(maxTotal - totalReplicas, replicas - newReplicas)
        return newReplicas + scaleUp
    }

    /// The old ReplicaSets' next sizes (`reconcileOldReplicaSets`), oldest first: first drop their
    /// unavailable pods, then scale down while availability stays at replicas - maxUnavailable.
    public static func oldReplicaSetTargets(replicas: Int, unavailable: Int, new: ReplicaSet?, old: [ReplicaSet]) -> [Int] {
        var old = old
        let oldCount = old.reduce(0) { $0 + $1.replicas }
        guard oldCount > 0 else { return old.map(\.replicas) }
        let allCount = oldCount + (new?.replicas ?? 0)
        let minAvailable = replicas - unavailable
        let newUnavailable = (new?.replicas ?? 0) - (new?.available ?? 0)
        let maxScaledDown = allCount - minAvailable - newUnavailable
        guard maxScaledDown > 0 else { return old.map(\.replicas) }

        // cleanupUnhealthyReplicas
        var cleaned = 0
        for i in old.indices {
            if cleaned >= maxScaledDown { break }
            let unhealthy = old[i].replicas - old[i].available
            if old[i].replicas == 0 || unhealthy <= 0 { continue }
            let down = min(maxScaledDown - cleaned, unhealthy)
            old[i].replicas -= down
            cleaned += down
        }

        // scaleDownOldReplicaSetsForRollingUpdate
        let available = old.reduce(0) { $0 + min($1.available, $1.replicas) } + (new?.available ?? 0)
        guard available > minAvailable else { return old.map(\.replicas) }
        let allowed = available - minAvailable
        var scaled = 0
        for i in old.indices {
            if scaled >= allowed { break }
            if old[i].replicas == 0 { continue }
            let down = min(old[i].replicas, allowed - scaled)
            old[i].replicas -= down
            scaled += down
        }
        return old.map(\.replicas)
    }

    /// One reconcile of a RollingUpdate: scale the new ReplicaSet up if it may grow, else scale old ones
    /// down. Returns the new ReplicaSet's size and the old ones' sizes.
    public static func rollingStep(replicas: Int, surge: Int, unavailable: Int, new: ReplicaSet, old: [ReplicaSet]) -> (new: Int, old: [Int]) {
        let total = new.replicas + old.reduce(0) { $0 + $1.replicas }
        let target = newReplicaSetTarget(replicas: replicas, surge: surge, newReplicas: new.replicas, totalReplicas: total)
        if target != new.replicas { return (target, old.map(\.replicas)) }
        return (new.replicas, oldReplicaSetTargets(replicas: replicas, unavailable: unavailable, new: new, old: old))
    }

    /// One reconcile of a Recreate rollout: old ReplicaSets to 0 first, the new one up once no old pod is left.
    public static func recreateStep(replicas: Int, new: ReplicaSet, old: [ReplicaSet], oldPodsRunning: Int) -> (new: Int, old: [Int]) {
        if old.contains(where: { $0.replicas > 0 }) || oldPodsRunning > 0 { return (new.replicas, old.map { _ in 0 }) }
        return (replicas, old.map { _ in 0 })
    }
}
