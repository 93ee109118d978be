import Foundation

/// The read-only `v1` Pod objects KubeSim shows for the controller's pods (`kubectl get pods`).
enum PodView {
    /// Annotation naming the pod's log file (read by `GET .../pods/NAME/log`).
    static let logAnnotation = "kubesim.lockstep.dev/log-file"

    /// `deletion`: a pod being deleted gracefully, with its `deletionTimestamp` (the time after
    /// which it is killed) and grace period; it is not ready from the moment of deletion.
    static func object(_ pod: any Pod, replicaSet: SimReplicaSet, namespace: String, deletion: (at: Date, grace: Int)? = nil) -> JSONValue {
        var labels = replicaSet.template.value(at: ["metadata", "labels"])?.objectValue ?? [:]
        labels["pod-template-hash"] = .string(replicaSet.hash)
        let ready = pod.isReady && deletion == nil
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
        if let deletion {
            metadata["deletionTimestamp"] = .string(ObjectRules.timestamp(deletion.at))
            metadata["deletionGracePeriodSeconds"] = .int(Int64(deletion.grace))
        }

        return [
            "kind": "Pod", "apiVersion": "v1", "metadata": metadata,
            "spec": spec(replicaSet.template["spec"] ?? [:], port: pod.port),
            "status": [
                "phase": reason == "Error" ? "Failed" : "Running", "podIP": "127.0.0.1", "hostIP": "127.0.0.1",
                "conditions": [["type": "Ready", "status": .string(ready ? "True" : "False")],
                               ["type": "ContainersReady", "status": .string(ready ? "True" : "False")]],
                "containerStatuses": .array(containerStatuses),
            ],
        ]
    }

    /// Every pod of KubeSim shares the IP 127.0.0.1, so a process pod's container port is the one
    /// it was given: the first container's first declared port (or a new one named `http`) shows
    /// it, so that a client that reaches pods at `status.podIP` and the container port (as one in
    /// a cluster does) reaches this pod.
    private static func spec(_ spec: JSONValue, port: Int?) -> JSONValue {
        guard let port, var containers = spec["containers"]?.arrayValue, var first = containers.first else { return spec }
        var ports = first["ports"]?.arrayValue ?? []
        if ports.isEmpty {
            ports = [["name": "http", "containerPort": .int(Int64(port)), "protocol": "TCP"]]
        } else {
            ports[0].setValue(.int(Int64(port)), at: ["containerPort"])
        }
        first.setValue(.array(ports), at: ["ports"])
        containers[0] = first
        var out = spec
        out.setValue(.array(containers), at: ["containers"])
        return out
    }
}
