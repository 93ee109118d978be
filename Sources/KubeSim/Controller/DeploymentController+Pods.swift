import Foundation
import Logging

/// The ReplicaSet controller's part (pods) and the Service listeners.
extension DeploymentController {
    /// Writes the allocated Service port into the Deployment's annotation, so CLI users can read it.
    func reportServicePort(_ port: Int, key: ObjectKey) {
        let annotation = ["metadata", "annotations", ServiceProxy.portAnnotation]
        let fields: JSONValue = ["f:metadata": ["f:annotations": .object(["f:" + ServiceProxy.portAnnotation: [:]])]]
        do {
            try store.modify(key, context: WriteContext(manager: "kubesim-service", fieldsSet: fields)) { current in
                var next = current ?? [:]
                next.setValue(.string(String(port)), at: annotation)
                next.setValue(nil, at: ["metadata", "resourceVersion"])
                return next
            }
        } catch {
            logger.warning("cannot record the service port of \(key): \(error)")
        }
    }

    /// The ReplicaSet controller: creates or deletes pods until the count matches spec.replicas.
    func syncPods(_ rs: inout SimReplicaSet, deployment: JSONValue, namespace: String, name: String) async {
        while rs.pods.count < rs.replicas {
            let podName = "\(rs.name)-\(RandomName.suffix(5))"
            let behaviour: SimulatedPod.Behaviour = faults.isCrashing(namespace: namespace, name: name) ? .crashing
                : faults.isStuck(namespace: namespace, name: name) ? .neverReady : .normal
            let pod = await podFactory.makePod(name: podName, namespace: namespace, template: rs.template, behaviour: behaviour)
            rs.pods.append(pod)
        }
        if rs.pods.count > rs.replicas {
            // Delete not-ready pods first, then the newest, as the ReplicaSet controller ranks them.
            let ranked = rs.pods.enumerated().sorted { a, b in
                if a.element.isReady != b.element.isReady { return !a.element.isReady }
                return a.offset > b.offset
            }
            let doomed = Set(ranked.prefix(rs.pods.count - rs.replicas).map { ObjectIdentifier($0.element) })
            for pod in rs.pods where doomed.contains(ObjectIdentifier(pod)) { terminate(pod, of: rs, namespace: namespace) }
            rs.pods.removeAll { doomed.contains(ObjectIdentifier($0)) }
        }
    }

    func syncService(_ state: inout DeploymentState, deployment: JSONValue) async {
        let pods = state.replicaSets.flatMap(\.pods)
        // As a Service object exists apart from its pods, a Deployment of process pods has its
        // listener from the start, also at 0 replicas (the idle colour of a blue-green pair).
        let container = deployment.value(at: ["spec", "template", "spec", "containers"])?.arrayValue?.first
        let processTemplate = podFactory.configuration.runProcesses && !(container?["command"]?.arrayValue ?? []).isEmpty
        if state.service == nil, processTemplate || pods.contains(where: { $0.port != nil })
            || deployment.value(at: ["metadata", "annotations", ServiceProxy.portAnnotation]) != nil {
            let wanted = deployment.value(at: ["metadata", "annotations", ServiceProxy.portAnnotation])?.stringValue.flatMap { Int($0) } ?? 0
            do {
                let service = try await ServiceProxy.start(port: wanted, logger: logger)
                state.service = service
                logger.info("service for \(state.key.namespace)/\(state.key.name) on 127.0.0.1:\(service.port)")
                if wanted != service.port { reportServicePort(service.port, key: state.key) }
            } catch {
                logger.error("cannot start service for \(state.key): \(error)")
            }
        }
        state.service?.setBackends(pods.filter(\.isReady).compactMap(\.port))
    }
}
