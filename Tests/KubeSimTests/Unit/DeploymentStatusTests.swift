import Foundation
import Testing
@testable import KubeSim

@Suite("Deployment status and conditions")
struct DeploymentStatusTests {
    typealias Calc = DeploymentStatusCalculator

    func deployment(status: JSONValue? = nil, deadline: Int = 600) -> JSONValue {
        var d = Fixtures.deployment("web", replicas: 2, progressDeadlineSeconds: deadline)
        d.setValue(3, at: ["metadata", "generation"])
        if let status { d["status"] = status }
        return d
    }

    func progressing(_ status: JSONValue) -> JSONValue? {
        status["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Progressing" }
    }

    @Test("a new ReplicaSet sets NewReplicaSetCreated; progress sets ReplicaSetUpdated; completion NewReplicaSetAvailable")
    func reasons() {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        var (status, last) = Calc.next(.init(deployment: deployment(), counts: .init(replicas: 2, updated: 0, ready: 2, available: 2),
                                              newReplicaSetName: "web-abc", createdNewReplicaSet: true, maxUnavailable: 0, lastProgress: t0, now: t0))
        #expect(progressing(status)?["reason"]?.stringValue == "NewReplicaSetCreated")
        #expect(progressing(status)?["message"]?.stringValue == "Created new replica set \"web-abc\"")
        #expect(status["observedGeneration"] == 3)
        (status, last) = Calc.next(.init(deployment: deployment(status: status), counts: .init(replicas: 3, updated: 1, ready: 2, available: 2),
                                         newReplicaSetName: "web-abc", createdNewReplicaSet: false, maxUnavailable: 0, lastProgress: last, now: t0 + 1))
        #expect(progressing(status)?["reason"]?.stringValue == "ReplicaSetUpdated")
        #expect(last == t0 + 1)
        (status, _) = Calc.next(.init(deployment: deployment(status: status), counts: .init(replicas: 2, updated: 2, ready: 2, available: 2),
                                      newReplicaSetName: "web-abc", createdNewReplicaSet: false, maxUnavailable: 0, lastProgress: last, now: t0 + 2))
        #expect(progressing(status)?["reason"]?.stringValue == "NewReplicaSetAvailable")
        #expect(progressing(status)?["message"]?.stringValue == "ReplicaSet \"web-abc\" has successfully progressed.")
        let available = status["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Available" }
        #expect(available?["status"]?.stringValue == "True")
    }

    @Test("no progress past progressDeadlineSeconds sets ProgressDeadlineExceeded")
    func deadline() {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let counts = Calc.Counts(replicas: 3, updated: 1, ready: 2, available: 2)
        var (status, last) = Calc.next(.init(deployment: deployment(deadline: 2), counts: counts, newReplicaSetName: "web-abc",
                                              createdNewReplicaSet: true, maxUnavailable: 0, lastProgress: t0, now: t0))
        (status, last) = Calc.next(.init(deployment: deployment(status: status, deadline: 2), counts: counts, newReplicaSetName: "web-abc",
                                         createdNewReplicaSet: false, maxUnavailable: 0, lastProgress: last, now: t0 + 1))
        #expect(progressing(status)?["status"]?.stringValue == "True")
        (status, _) = Calc.next(.init(deployment: deployment(status: status, deadline: 2), counts: counts, newReplicaSetName: "web-abc",
                                      createdNewReplicaSet: false, maxUnavailable: 0, lastProgress: last, now: t0 + 3))
        #expect(progressing(status)?["status"]?.stringValue == "False")
        #expect(progressing(status)?["reason"]?.stringValue == "ProgressDeadlineExceeded")
        #expect(progressing(status)?["message"]?.stringValue == "ReplicaSet \"web-abc\" has timed out progressing.")
    }
}
