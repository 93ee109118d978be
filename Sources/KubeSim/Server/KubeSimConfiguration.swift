import Foundation

/// Everything KubeSim is started with; validated once by ``KubeSim/start(_:)``.
public struct KubeSimConfiguration: Sendable {
    /// TCP port on 127.0.0.1; 0 picks a free one.
    public var port: Int = 0
    /// Serve HTTPS with a CA generated at start (default) or plain HTTP.
    public var useTLS = true
    /// What `/version` reports; kubectl's dispatcher picks its binary from it. 1.31 makes kubectl send JSON.
    public var serverVersion = "1.31"
    /// Bearer tokens; without them (and with TLS) the kubeconfig authenticates with an admin client certificate.
    public var tokens: TokenFile?
    /// Authorization rules; without them every authenticated user may do everything.
    public var rbac: RBACRules?
    /// Objects created at start (Secrets, ConfigMaps, Deployments, Leases).
    public var seedObjects: [JSONValue] = []
    /// Where to write a kubeconfig for kubectl.
    public var kubeconfigOut: URL?
    /// How long a simulated pod (or a process pod without a readiness probe) takes to become ready.
    public var podReadyDelay: Duration = .milliseconds(500)
    /// How often the Deployment controller reconciles.
    public var controllerInterval: Duration = .milliseconds(50)
    /// Watch events kept for resuming; older resourceVersions get 410 Gone.
    public var watchHistoryLimit = 1000
    /// How often watches that asked for bookmarks get one.
    public var bookmarkInterval: Duration = .seconds(5)
    /// Run containers that have a `command` as local processes (otherwise pods are simulated).
    public var runProcesses = true
    /// Initial faults, in the JSON form of `POST /kubesim/faults`.
    public var faults: JSONValue?
    /// Where process pods write stdout/stderr (`<namespace>_<pod>.log`). When nil, a temporary folder
    /// that ``RunningKubeSim/stop()`` removes.
    public var podLogDirectory: URL?
    /// First back-off before an exited process pod is restarted (doubling, capped at 30 times this).
    public var crashLoopBackoff: Duration = .seconds(10)
    /// Readiness probes of process pods: period and per-attempt timeout.
    public var probePeriod: Duration = .milliseconds(250)
    /// How long a Secret or ConfigMap change takes to reach a running pod's volume files (the
    /// kubelet's sync period plus its cache: 60–90 s in a real cluster). Applied at the next
    /// probe tick, so within `probePeriod` of this.
    public var volumeSyncDelay: Duration = .seconds(1)

    public init() {}

    /// Loads every Secret/ConfigMap/Deployment/Lease manifest (`*.yaml`, `*.yml`, `*.json`,
    /// multi-document) from a folder, in file name order.
    public mutating func addManifests(from directory: URL) throws {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { ["yaml", "yml", "json"].contains($0.pathExtension) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            do {
                seedObjects += try JSONValue.parseYAMLDocuments(text)
            } catch {
                throw KubeSimError.invalidConfiguration("manifest \(file.lastPathComponent): \(error)")
            }
        }
    }
}
