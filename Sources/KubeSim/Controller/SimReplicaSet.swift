import Foundation

/// A ReplicaSet the Deployment controller keeps in memory (not served by the API).
struct SimReplicaSet {
    let name: String
    let hash: String
    let revision: Int
    let template: JSONValue
    /// spec.replicas
    var replicas: Int
    var pods: [any Pod] = []

    var readyPods: Int { pods.filter(\.isReady).count }

    var mathState: RolloutMath.ReplicaSet { RolloutMath.ReplicaSet(replicas: replicas, available: readyPods) }
}

/// What the controller remembers about one Deployment.
struct DeploymentState {
    let key: ObjectKey
    var replicaSets: [SimReplicaSet] = []
    var lastProgress: Date?
    var service: ServiceProxy?
}
