import Foundation

/// The read-only `v1` Pod objects KubeSim shows for the controller's pods (`kubectl get pods`).
enum PodView {
    /// Annotation naming the pod's log file (read by `GET .../pods/NAME/log`).
    static let logAnnotation = "kubesim.lockstep.dev/log-file"

    static func object(_ pod: any Pod, replicaSet: SimReplicaSet, namespace: String) -> JSONValue {
        var labels = replicaSet.template.value(at: ["metadata", "labels"])?.objectValue ?? [:]
        labels["pod-template-hash"] = .string(replicaSet.hash)
        let ready = pod.isReady
        let reason = pod.statusReason
        let containers = replicaSet.template.value(at: ["spec", "containers"])?.arrayValue ?? []
        let containerStatuses: [JSONValue] = containers.map { c in
            let state: JSONValue = reason == "Running" ? ["running": [:]]
                : reason == "Error" ? ["terminated": ["reason": "Error", "exitCode": 1]]
                : ["waiting": ["reason": .string(reason)]]
            return ["name": c["name"] ?? "", "image": c["image"] ?? "", "ready": .bool(ready), "restartCount": .int(Int64(pod.restartCount)),
                    "started": .bool(reason == "Running"), "state": state]
        }
        var metadata: JSONValue = [
            "name": .string(pod.name), "namespace": .string(namespace), "labels": .object(labels),
            "creationTimestamp": .string(ObjectRules.timestamp(pod.createdAt)),
            "ownerReferences": [["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": .string(replicaSet.name), "controller": true, "blockOwnerDeletion": true]],
        ]
        var annotations: [String: JSONValue] = [:]
        if let port = pod.port { annotations["kubesim.lockstep.dev/port"] = .string(String(port)) }
        if let log = pod.logURL { annotations[logAnnotation] = .string(log.path) }
        if !annotations.isEmpty { metadata["annotations"] = .object(annotations) }
        return [
            "kind": "Pod", "apiVersion": "v1", "metadata": metadata,
            "spec": replicaSet.template["spec"] ?? [:],
            "status": [
                "phase": reason == "Error" ? "Failed" : "Running", "podIP": "127.0.0.1", "hostIP": "127.0.0.1",
                "conditions": [["type": "Ready", "status": .string(ready ? "True" : "False")],
                               ["type": "ContainersReady", "status": .string(ready ? "True" : "False")]],
                "containerStatuses": .array(containerStatuses),
            ],
        ]
    }
}
