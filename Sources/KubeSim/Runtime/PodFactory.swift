import Foundation
import Logging

/// Makes the pods of a ReplicaSet: a process pod when the first container has a `command` (and
/// processes are enabled), else a simulated one. Faults turn pods into never-ready ones.
struct PodFactory: Sendable {
    let store: ObjectStore
    let configuration: KubeSimConfiguration
    let logDirectory: URL
    let logger: Logger

    func makePod(name: String, namespace: String, template: JSONValue, behaviour: SimulatedPod.Behaviour) async -> any Pod {
        let container = template.value(at: ["spec", "containers"])?.arrayValue?.first ?? [:]
        let hasCommand = !(container["command"]?.arrayValue ?? []).isEmpty
        guard behaviour == .normal, configuration.runProcesses, hasCommand else {
            return SimulatedPod(name: name, readyDelay: configuration.podReadyDelay, behaviour: behaviour)
        }
        do {
            return try ProcessPod(name: name, namespace: namespace, template: template, container: container, store: store,
                                  configuration: configuration, logDirectory: logDirectory, logger: logger)
        } catch {
            // No free port: a pod that never becomes ready.
            logger.warning("pod \(namespace)/\(name) cannot start: \(error)")
            return SimulatedPod(name: name, readyDelay: configuration.podReadyDelay, behaviour: .crashing)
        }
    }
}
