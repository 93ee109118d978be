/// What tests can see of a pod: KubeSim does not serve pods through the API.
public struct PodInfo: Sendable, Equatable {
    public let name: String
    public let replicaSet: String
    public let ready: Bool
    /// The process ID of a process pod (its process group leader).
    public let processID: Int32?
    /// The 127.0.0.1 port a process pod was given in `PORT`.
    public let port: Int?
    /// How often the pod's process exited and was started again.
    public let restarts: Int
}
