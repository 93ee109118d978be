/// Where a rollout stands, judged exactly as `kubectl rollout status` does (rollout_status.go).
public struct RolloutProgress: Sendable, Equatable, CustomStringConvertible {
    public enum State: Sendable, Equatable {
        case waiting
        case complete
        /// Progressing condition with reason ProgressDeadlineExceeded.
        case failed
    }

    public var state: State
    /// kubectl's message, e.g. `Waiting for deployment "web" rollout to finish: 1 out of 2 new replicas have been updated...`.
    public var message: String
    /// spec.replicas (1 when unset, as the apiserver defaults it).
    public var desired: Int
    public var updated: Int
    public var available: Int
    /// status.replicas: pods of every ReplicaSet, old ones included.
    public var total: Int
    public var generation: Int64
    public var observedGeneration: Int64

    public var description: String { message }

    /// Evaluates one observed Deployment. Missing counters are 0.
    public static func evaluate(_ deployment: Deployment) -> RolloutProgress {
        let name = deployment.metadata.name ?? ""
        let status = deployment.status
        let desired = deployment.spec?.replicas ?? 1
        let updated = status?.updatedReplicas ?? 0
        let total = status?.replicas ?? 0
        let available = status?.availableReplicas ?? 0
        let generation = deployment.metadata.generation ?? 0
        let observed = status?.observedGeneration ?? 0
        func result(_ state: State, _ message: String) -> RolloutProgress {
            RolloutProgress(state: state, message: message, desired: desired, updated: updated, available: available,
                            total: total, generation: generation, observedGeneration: observed)
        }
        guard generation <= observed else {
            return result(.waiting, "Waiting for deployment spec update to be observed...")
        }
        if let progressing = status?.conditions?.first(where: { $0.type == "Progressing" }),
           progressing.reason == "ProgressDeadlineExceeded" {
            return result(.failed, "deployment \"\(name)\" exceeded its progress deadline")
        }
        if updated < desired {
            return result(.waiting, "Waiting for deployment \"\(name)\" rollout to finish: \(updated) out of \(desired) new replicas have been updated...")
        }
        if total > updated {
            return result(.waiting, "Waiting for deployment \"\(name)\" rollout to finish: \(total - updated) old replicas are pending termination...")
        }
        if available < updated {
            return result(.waiting, "Waiting for deployment \"\(name)\" rollout to finish: \(available) of \(updated) updated replicas are available...")
        }
        return result(.complete, "deployment \"\(name)\" successfully rolled out")
    }
}
