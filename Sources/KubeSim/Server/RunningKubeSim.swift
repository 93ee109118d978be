import Foundation
import ServiceLifecycle

/// A KubeSim that is serving. Call ``stop()`` when done: it stops every pod process, Service
/// listener and watch, then the server.
public final class RunningKubeSim: Sendable {
    /// `https://127.0.0.1:PORT` (or `http://` with `useTLS = false`).
    public let url: URL
    public let store: ObjectStore
    public let faults: FaultInjector
    public let kubeconfig: Kubeconfig
    /// The CA certificate (PEM) that signed the serving certificate; nil over plain HTTP.
    public let caPEM: String?
    /// Where process pods write their stdout and stderr (`<namespace>_<pod>.log`).
    public let podLogDirectory: URL
    let removesPodLogs: Bool
    let controller: DeploymentController
    let controllerTask: Task<Void, Never>
    let serviceGroup: ServiceGroup
    let appTask: Task<Void, Never>

    init(url: URL, store: ObjectStore, faults: FaultInjector, kubeconfig: Kubeconfig, caPEM: String?, podLogDirectory: URL, removesPodLogs: Bool,
         controller: DeploymentController, controllerTask: Task<Void, Never>, serviceGroup: ServiceGroup, appTask: Task<Void, Never>) {
        self.url = url
        self.store = store
        self.faults = faults
        self.kubeconfig = kubeconfig
        self.caPEM = caPEM
        self.podLogDirectory = podLogDirectory
        self.removesPodLogs = removesPodLogs
        self.controller = controller
        self.controllerTask = controllerTask
        self.serviceGroup = serviceGroup
        self.appTask = appTask
    }

    public var port: Int { url.port ?? 0 }

    /// The Service URL (`http://127.0.0.1:PORT`) of a Deployment whose pods are processes, once its
    /// listener runs; waits up to `timeout` for it.
    public func serviceURL(namespace: String, name: String, timeout: Duration = .seconds(10)) async -> URL? {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if let url = await controller.serviceURL(namespace: namespace, name: name) { return url }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// The live pods of a Deployment (terminating ones are left out, as in status.replicas).
    public func pods(namespace: String, name: String) async -> [PodInfo] {
        await controller.pods(namespace: namespace, name: name)
    }

    /// Creates an object (as if seeded from a manifest).
    @discardableResult
    public func create(_ object: JSONValue) throws -> JSONValue {
        try KubeSim.seed(object, into: store)
        let type = ResourceType.find(apiVersion: object["apiVersion"]?.stringValue ?? "", kind: object["kind"]?.stringValue ?? "")!
        let key = ObjectKey(type: type, namespace: object.value(at: ["metadata", "namespace"])?.stringValue ?? "default",
                            name: object.value(at: ["metadata", "name"])?.stringValue ?? "")
        return store.get(key) ?? object
    }

    /// The current state of an object.
    public func get(_ type: ResourceType, namespace: String, name: String) -> JSONValue? {
        store.get(ObjectKey(type: type, namespace: namespace, name: name))
    }

    private let stopped = Locked(false)

    /// Stops everything KubeSim started, in reverse order. Calling it again does nothing.
    public func stop() async {
        let first = stopped.withLock { wasStopped in
            defer { wasStopped = true }
            return !wasStopped
        }
        guard first else { return }
        controllerTask.cancel()
        await controllerTask.value
        await controller.shutdown()
        store.closeWatches()
        await serviceGroup.triggerGracefulShutdown()
        await appTask.value
        if removesPodLogs { try? FileManager.default.removeItem(at: podLogDirectory) }
    }
}
