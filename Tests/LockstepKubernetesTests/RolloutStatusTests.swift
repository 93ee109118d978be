import Testing
@testable import LockstepKubernetes

@Suite("Rollout status (kubectl's algorithm)")
struct RolloutStatusTests {
    func deployment(generation: Int64 = 2, observed: Int64 = 2, replicas: Int? = 3, total: Int? = nil, updated: Int? = nil,
                    available: Int? = nil, progressingReason: String? = nil) -> Deployment {
        var meta = ObjectMeta(name: "web")
        meta.generation = generation
        let conditions = progressingReason.map { [Deployment.Status.Condition(type: "Progressing", status: "False", reason: $0, message: nil)] }
        return Deployment(metadata: meta, spec: .init(replicas: replicas),
                          status: .init(observedGeneration: observed, replicas: total, updatedReplicas: updated, availableReplicas: available, conditions: conditions))
    }

    @Test("each rule in kubectl's order", arguments: [
        (2, 1, 3, 3, 3, nil, RolloutProgress.State.waiting, "Waiting for deployment spec update to be observed..."),
        (2, 2, 3, 3, 3, "ProgressDeadlineExceeded", .failed, "deployment \"web\" exceeded its progress deadline"),
        (2, 2, 4, 1, 1, nil, .waiting, "Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated..."),
        (2, 2, 4, 3, 3, nil, .waiting, "Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination..."),
        (2, 2, 3, 3, 2, nil, .waiting, "Waiting for deployment \"web\" rollout to finish: 2 of 3 updated replicas are available..."),
        (2, 2, 3, 3, 3, nil, .complete, "deployment \"web\" successfully rolled out"),
        (3, 5, 3, 3, 3, "NewReplicaSetAvailable", .complete, "deployment \"web\" successfully rolled out"),
    ] as [(Int64, Int64, Int, Int, Int, String?, RolloutProgress.State, String)])
    func rules(generation: Int64, observed: Int64, total: Int, updated: Int, available: Int, reason: String?,
               state: RolloutProgress.State, message: String) {
        let progress = RolloutProgress.evaluate(deployment(generation: generation, observed: observed, total: total, updated: updated,
                                                           available: available, progressingReason: reason))
        #expect(progress.state == state)
        #expect(progress.message == message)
    }

    @Test("missing counters count as 0; missing replicas default to 1")
    func defaults() {
        let progress = RolloutProgress.evaluate(deployment(replicas: nil))
        #expect(progress.desired == 1)
        #expect(progress.state == .waiting)
        #expect(progress.message.contains("0 out of 1"))
    }
}
