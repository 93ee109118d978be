import Foundation

/// The Deployment status the controller writes: counters, the Available condition and the
/// Progressing condition with its reasons, following `deployment/sync.go` and `progress.go`.
enum DeploymentStatusCalculator {
    struct Counts: Equatable {
        var replicas = 0
        var updated = 0
        var ready = 0
        var available = 0
    }

    struct Input {
        var deployment: JSONValue
        var counts: Counts
        var newReplicaSetName: String
        var createdNewReplicaSet: Bool
        var maxUnavailable: Int
        /// When the rollout last made progress; the deadline counts from here.
        var lastProgress: Date
        var now: Date
    }

    static let progressing = "Progressing"
    static let available = "Available"

    /// The next status, and the new time of last progress.
    static func next(_ input: Input) -> (status: JSONValue, lastProgress: Date) {
        let d = input.deployment
        let c = input.counts
        let spec = d.value(at: ["spec", "replicas"])?.intValue ?? 1
        let generation = d.value(at: ["metadata", "generation"])?.intValue ?? 1
        let old = d["status"] ?? [:]
        var lastProgress = input.lastProgress
        var status: JSONValue = [
            "observedGeneration": .int(Int64(generation)), "replicas": .int(Int64(c.replicas)),
            "updatedReplicas": .int(Int64(c.updated)), "readyReplicas": .int(Int64(c.ready)),
            "availableReplicas": .int(Int64(c.available)), "unavailableReplicas": .int(Int64(max(0, spec - c.available))),
        ]
        var conditions = old["conditions"]?.arrayValue ?? []
        let now = ObjectRules.timestamp(input.now)

        if c.available >= spec - input.maxUnavailable {
            set(&conditions, type: available, status: "True", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability.", now: now)
        } else {
            set(&conditions, type: available, status: "False", reason: "MinimumReplicasUnavailable", message: "Deployment does not have minimum availability.", now: now)
        }

        let rs = input.newReplicaSetName
        let deadline = d.value(at: ["spec", "progressDeadlineSeconds"])?.intValue
        if input.createdNewReplicaSet {
            // The real controller writes this condition on its own when it creates the ReplicaSet.
            set(&conditions, type: progressing, status: "True", reason: "NewReplicaSetCreated", message: "Created new replica set \"\(rs)\"", now: now)
            status["conditions"] = .array(conditions)
            return (status, input.now)
        }
        let current = conditions.first { $0["type"]?.stringValue == progressing }
        let reason = current?["reason"]?.stringValue
        let alreadyComplete = c.replicas == c.updated && reason == "NewReplicaSetAvailable"
        if deadline != nil && !alreadyComplete {
            let complete = c.updated == spec && c.replicas == spec && c.available == spec
            if complete {
                set(&conditions, type: progressing, status: "True", reason: "NewReplicaSetAvailable", message: "ReplicaSet \"\(rs)\" has successfully progressed.", now: now)
                lastProgress = input.now
            } else if madeProgress(old: old, new: c) {
                var condition = makeCondition(type: progressing, status: "True", reason: "ReplicaSetUpdated", message: "ReplicaSet \"\(rs)\" is progressing.", now: now)
                if current?["status"]?.stringValue == "True" { condition["lastTransitionTime"] = current?["lastTransitionTime"] }
                conditions.removeAll { $0["type"]?.stringValue == progressing }
                conditions.append(condition)
                lastProgress = input.now
            } else if let deadline, current != nil, reason != "NewReplicaSetAvailable",
                      input.now.timeIntervalSince(lastProgress) > Double(deadline) {
                set(&conditions, type: progressing, status: "False", reason: "ProgressDeadlineExceeded", message: "ReplicaSet \"\(rs)\" has timed out progressing.", now: now)
            }
        }
        status["conditions"] = .array(conditions)
        return (status, lastProgress)
    }

    /// `DeploymentProgressing`: more updated, ready or available replicas, or fewer old ones.
    private static func madeProgress(old: JSONValue, new: Counts) -> Bool {
        func int(_ k: String) -> Int { old[k]?.intValue ?? 0 }
        let oldOld = int("replicas") - int("updatedReplicas")
        let newOld = new.replicas - new.updated
        return new.updated > int("updatedReplicas") || newOld < oldOld
            || new.ready > int("readyReplicas") || new.available > int("availableReplicas")
    }

    private static func makeCondition(type: String, status: String, reason: String, message: String, now: String) -> JSONValue {
        ["type": .string(type), "status": .string(status), "reason": .string(reason), "message": .string(message),
         "lastUpdateTime": .string(now), "lastTransitionTime": .string(now)]
    }

    /// `SetDeploymentCondition`: no change for the same status and reason; transition time kept for the same status.
    private static func set(_ conditions: inout [JSONValue], type: String, status: String, reason: String, message: String, now: String) {
        let current = conditions.first { $0["type"]?.stringValue == type }
        if let current, current["status"]?.stringValue == status, current["reason"]?.stringValue == reason { return }
        var condition = makeCondition(type: type, status: status, reason: reason, message: message, now: now)
        if let current, current["status"]?.stringValue == status { condition["lastTransitionTime"] = current["lastTransitionTime"] }
        conditions.removeAll { $0["type"]?.stringValue == type }
        conditions.append(condition)
    }
}
