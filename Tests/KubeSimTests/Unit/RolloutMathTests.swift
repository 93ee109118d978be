import Foundation
import Testing
@testable import KubeSim

@Suite("Rolling update arithmetic")
struct RolloutMathTests {
    @Test("maxSurge rounds up, maxUnavailable rounds down, both 0 gives unavailable 1", arguments: [
        (1, JSONValue?.none, JSONValue?.none, 1, 0),
        (2, nil, nil, 1, 0),
        (4, nil, nil, 1, 1),
        (10, nil, nil, 3, 2),
        (3, "50%", "50%", 2, 1),
        (5, 0, 0, 0, 1),
        (5, "0%", "0%", 0, 1),
        (5, 2, 1, 2, 1),
        (3, 0, "100%", 0, 3),
    ] as [(Int, JSONValue?, JSONValue?, Int, Int)])
    func resolution(replicas: Int, surge: JSONValue?, unavailable: JSONValue?, wantSurge: Int, wantUnavailable: Int) {
        let got = RolloutMath.surgeAndUnavailable(replicas: replicas, maxSurge: surge, maxUnavailable: unavailable)
        #expect(got.surge == wantSurge)
        #expect(got.unavailable == wantUnavailable)
    }

    /// Runs a rollout from a fully available old ReplicaSet; new pods become available one step
    /// after they are created. Checks the bounds at every step and that it completes.
    func simulate(replicas: Int, surge: JSONValue, unavailable: JSONValue) -> (steps: Int, maxTotal: Int, minAvailable: Int, done: Bool) {
        let (s, u) = RolloutMath.surgeAndUnavailable(replicas: replicas, maxSurge: surge, maxUnavailable: unavailable)
        var new = RolloutMath.ReplicaSet(replicas: 0, available: 0)
        var old = [RolloutMath.ReplicaSet(replicas: replicas, available: replicas)]
        var maxTotal = replicas
        var minAvailable = replicas
        for step in 1...200 {
            let next = RolloutMath.rollingStep(replicas: replicas, surge: s, unavailable: u, new: new, old: old)
            // Pods removed from old ReplicaSets take availability with them.
            for i in old.indices {
                old[i].replicas = next.old[i]
                old[i].available = min(old[i].available, old[i].replicas)
            }
            let becameReady = new.replicas
            new.replicas = next.new
            maxTotal = max(maxTotal, new.replicas + old.reduce(0) { $0 + $1.replicas })
            minAvailable = min(minAvailable, new.available + old.reduce(0) { $0 + $1.available })
            new.available = min(becameReady, new.replicas)
            if new.replicas == replicas && new.available == replicas && old.allSatisfy({ $0.replicas == 0 }) {
                return (step, maxTotal, minAvailable, true)
            }
        }
        return (200, maxTotal, minAvailable, false)
    }

    @Test("a rollout stays within replicas + maxSurge and above replicas - maxUnavailable, and completes", arguments: [
        (1, JSONValue("25%"), JSONValue("25%")),
        (2, "25%", "25%"),
        (3, "25%", "25%"),
        (4, "25%", "25%"),
        (10, "25%", "25%"),
        (5, 0, 1),
        (5, 1, 0),
        (6, "50%", "50%"),
        (3, 0, 0),
        (7, 3, 2),
    ] as [(Int, JSONValue, JSONValue)])
    func rolloutBounds(replicas: Int, surge: JSONValue, unavailable: JSONValue) {
        let (s, u) = RolloutMath.surgeAndUnavailable(replicas: replicas, maxSurge: surge, maxUnavailable: unavailable)
        let result = simulate(replicas: replicas, surge: surge, unavailable: unavailable)
        #expect(result.done, "rollout of \(replicas) did not complete")
        #expect(result.maxTotal <= replicas + s)
        #expect(result.minAvailable >= replicas - u)
        #expect(result.steps <= 4 * replicas + 4)
    }

    @Test("the first step of a default rollout of 2 surges one new pod")
    func firstStep() {
        let step = RolloutMath.rollingStep(replicas: 2, surge: 1, unavailable: 0,
                                           new: .init(replicas: 0, available: 0), old: [.init(replicas: 2, available: 2)])
        #expect(step.new == 1)
        #expect(step.old == [2])
        let second = RolloutMath.rollingStep(replicas: 2, surge: 1, unavailable: 0,
                                             new: .init(replicas: 1, available: 1), old: [.init(replicas: 2, available: 2)])
        #expect(second.new == 1)
        #expect(second.old == [1])
    }

    @Test("unavailable old pods are cleaned up first")
    func unhealthyOldPodsGoFirst() {
        // 6 pods, at least 3 must stay available: the 3 unavailable old pods go, the available one stays.
        let targets = RolloutMath.oldReplicaSetTargets(replicas: 4, unavailable: 1, new: .init(replicas: 2, available: 2),
                                                       old: [.init(replicas: 4, available: 1)])
        #expect(targets == [1])
        // Cleanup never takes more than availability allows.
        let bounded = RolloutMath.oldReplicaSetTargets(replicas: 4, unavailable: 1, new: .init(replicas: 1, available: 0),
                                                       old: [.init(replicas: 4, available: 2)])
        #expect(bounded == [3])
    }

    @Test("Recreate scales old ReplicaSets to zero before the new one grows")
    func recreate() {
        let first = RolloutMath.recreateStep(replicas: 3, new: .init(replicas: 0, available: 0), old: [.init(replicas: 3, available: 3)], oldPodsRunning: 3)
        #expect(first.new == 0 && first.old == [0])
        let second = RolloutMath.recreateStep(replicas: 3, new: .init(replicas: 0, available: 0), old: [.init(replicas: 0, available: 0)], oldPodsRunning: 0)
        #expect(second.new == 3)
    }
}
