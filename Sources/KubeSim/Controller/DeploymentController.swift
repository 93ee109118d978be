import Foundation
import Logging

/// Rolls Deployments over in-memory ReplicaSets and pods, and writes their status, on a short tick.
actor DeploymentController {
    let store: ObjectStore
    let faults: FaultInjector
    let configuration: KubeSimConfiguration
    let podFactory: PodFactory
    let logger: Logger
    private var states: [String: DeploymentState] = [:]
    /// Pods and listeners being stopped; each entry removes itself when done.
    private var stopping: [UUID: Task<Void, Never>] = [:]
    /// Pods deleted but not yet exited: the apiserver keeps showing them, with
    /// `metadata.deletionTimestamp` (deletion time + grace period), until the kubelet confirms
    /// their containers stopped. Clients wait on that (the last process with an old key gone).
    private var terminating: [UUID: TerminatingPod] = [:]

    struct TerminatingPod {
        let pod: any Pod
        let replicaSet: SimReplicaSet
        let namespace: String
        let deletionTimestamp: Date
        let grace: Int
    }

    init(store: ObjectStore, faults: FaultInjector, configuration: KubeSimConfiguration, podFactory: PodFactory, logger: Logger) {
        self.store = store
        self.faults = faults
        self.configuration = configuration
        self.podFactory = podFactory
        self.logger = logger
    }

    /// Reconciles until cancelled.
    func run() async {
        while !Task.isCancelled {
            await reconcileAll()
            try? await Task.sleep(for: configuration.controllerInterval)
        }
    }

    /// Stops every pod and Service listener, and waits until they are gone.
    func shutdown() async {
        for (_, state) in states { retire(state) }
        states.removeAll()
        while let (id, task) = stopping.first {
            await task.value
            stopping[id] = nil
        }
    }

    /// The Service URL of a Deployment, once its listener runs.
    func serviceURL(namespace: String, name: String) -> URL? {
        guard let state = states.values.first(where: { $0.key.namespace == namespace && $0.key.name == name }),
              let port = state.service?.port else { return nil }
        return URL(string: "http://127.0.0.1:\(port)")
    }

    /// The live (not terminating) pods of a Deployment.
    func pods(namespace: String, name: String) -> [PodInfo] {
        guard let state = states.values.first(where: { $0.key.namespace == namespace && $0.key.name == name }) else { return [] }
        return state.replicaSets.flatMap { rs in
            rs.pods.map { PodInfo(name: $0.name, replicaSet: rs.name, ready: $0.isReady, processID: ($0 as? ProcessPod)?.pid, port: $0.port, restarts: $0.restartCount) }
        }
    }

    /// Pod objects of every Deployment (in one namespace, or all), for the read-only pods API.
    func podObjects(namespace: String?) -> [JSONValue] {
        let live = states.values.filter { namespace == nil || $0.key.namespace == namespace }.flatMap { state in
            state.replicaSets.flatMap { rs in rs.pods.map { PodView.object($0, replicaSet: rs, namespace: state.key.namespace) } }
        }
        let leaving = terminating.values.filter { namespace == nil || $0.namespace == namespace }.map { t in
            PodView.object(t.pod, replicaSet: t.replicaSet, namespace: t.namespace, deletion: (t.deletionTimestamp, t.grace))
        }
        return (live + leaving).sorted { ($0.value(at: ["metadata", "name"])?.stringValue ?? "") < ($1.value(at: ["metadata", "name"])?.stringValue ?? "") }
    }

    func reconcileAll() async {
        let deployments = store.list(.deployments, namespace: nil).items
        var seen: Set<String> = []
        for deployment in deployments {
            guard let uid = deployment.value(at: ["metadata", "uid"])?.stringValue else { continue }
            seen.insert(uid)
            await reconcile(deployment, uid: uid)
        }
        for (uid, state) in states where !seen.contains(uid) {
            retire(state)
            states[uid] = nil
        }
    }

    private func retire(_ state: DeploymentState) {
        for rs in state.replicaSets { for pod in rs.pods { terminate(pod, of: rs, namespace: state.key.namespace) } }
        if let service = state.service { track { await service.stop() } }
    }

    /// Graceful deletion: the pod leaves its ReplicaSet (and the Service's endpoints) now, and
    /// stays listed as terminating until its process has exited.
    func terminate(_ pod: any Pod, of rs: SimReplicaSet, namespace: String) {
        let seconds = rs.template.value(at: ["spec", "terminationGracePeriodSeconds"])?.intValue ?? 30
        let id = UUID()
        terminating[id] = TerminatingPod(pod: pod, replicaSet: rs, namespace: namespace, deletionTimestamp: Date().addingTimeInterval(TimeInterval(seconds)), grace: seconds)
        track(id) { await pod.stop(grace: .seconds(seconds)) }
    }

    private func track(_ id: UUID = UUID(), _ work: @escaping @Sendable () async -> Void) {
        stopping[id] = Task {
            await work()
            self.finished(id)
        }
    }

    private func finished(_ id: UUID) {
        stopping[id] = nil
        terminating[id] = nil
    }

    private func reconcile(_ deployment: JSONValue, uid: String) async {
        let namespace = deployment.value(at: ["metadata", "namespace"])?.stringValue ?? "default"
        let name = deployment.value(at: ["metadata", "name"])?.stringValue ?? ""
        var state = states[uid] ?? DeploymentState(key: ObjectKey(type: .deployments, namespace: namespace, name: name))
        let template = deployment.value(at: ["spec", "template"]) ?? [:]
        let hash = TemplateHash.of(template)
        var created = false
        if !state.replicaSets.contains(where: { $0.hash == hash }) {
            let revision = (state.replicaSets.map(\.revision).max() ?? 0) + 1
            state.replicaSets.append(SimReplicaSet(name: "\(name)-\(hash)", hash: hash, revision: revision, template: template, replicas: 0))
            created = true
        }
        let newIndex = state.replicaSets.firstIndex { $0.hash == hash }!
        let oldIndices = state.replicaSets.indices.filter { $0 != newIndex }.sorted { state.replicaSets[$0].revision < state.replicaSets[$1].revision }
        let replicas = deployment.value(at: ["spec", "replicas"])?.intValue ?? 1
        let strategy = deployment.value(at: ["spec", "strategy"]) ?? [:]
        let (surge, unavailable) = RolloutMath.surgeAndUnavailable(
            replicas: replicas, maxSurge: strategy.value(at: ["rollingUpdate", "maxSurge"]),
            maxUnavailable: strategy.value(at: ["rollingUpdate", "maxUnavailable"]))

        if deployment.value(at: ["spec", "paused"])?.boolValue != true {
            let new = state.replicaSets[newIndex].mathState
            let old = oldIndices.map { state.replicaSets[$0].mathState }
            let step = strategy["type"]?.stringValue == "Recreate"
                ? RolloutMath.recreateStep(replicas: replicas, new: new, old: old, oldPodsRunning: oldIndices.reduce(0) { $0 + state.replicaSets[$1].pods.count })
                : RolloutMath.rollingStep(replicas: replicas, surge: surge, unavailable: unavailable, new: new, old: old)
            state.replicaSets[newIndex].replicas = step.new
            for (i, index) in oldIndices.enumerated() { state.replicaSets[index].replicas = step.old[i] }
        }
        for index in state.replicaSets.indices {
            await syncPods(&state.replicaSets[index], deployment: deployment, namespace: namespace, name: name)
        }
        state.replicaSets.removeAll { $0.replicas == 0 && $0.pods.isEmpty && $0.hash != hash }
        await syncService(&state, deployment: deployment)

        let newRS = state.replicaSets.first { $0.hash == hash }!
        let allPods = state.replicaSets.flatMap(\.pods)
        let ready = allPods.filter(\.isReady).count
        let counts = DeploymentStatusCalculator.Counts(replicas: allPods.count, updated: newRS.pods.count, ready: ready, available: ready)
        let now = Date()
        let (status, lastProgress) = DeploymentStatusCalculator.next(.init(
            deployment: deployment, counts: counts, newReplicaSetName: newRS.name, createdNewReplicaSet: created,
            maxUnavailable: unavailable, lastProgress: state.lastProgress ?? now, now: now))
        state.lastProgress = lastProgress
        states[uid] = state
        if status != deployment["status"] { writeStatus(status, key: state.key) }
    }

    private func writeStatus(_ status: JSONValue, key: ObjectKey) {
        do {
            try store.modify(key, context: .controller("kube-controller-manager", subresource: "status")) { current in
                var next = current ?? [:]
                next["status"] = status
                next.setValue(nil, at: ["metadata", "resourceVersion"])
                return next
            }
        } catch {
            logger.debug("status write for \(key) failed: \(error)")
        }
    }
}
