import Foundation
import KubeSim
import LockstepTesting
import Logging
@testable import LockstepKubernetes

/// Starts KubeSim (HTTPS, port 0) for one test and always stops it, also when the body throws.
func withKubeSim<R>(
    seed: [JSONValue] = [], configure: (inout KubeSimConfiguration) throws -> Void = { _ in },
    _ body: (RunningKubeSim) async throws -> R
) async throws -> R {
    var config = KubeSimConfiguration()
    config.podReadyDelay = .milliseconds(150)
    config.runProcesses = false
    config.seedObjects = seed
    try configure(&config)
    let sim = try await KubeSim.start(config)
    let result: Result<R, any Error>
    do { result = .success(try await body(sim)) } catch { result = .failure(error) }
    await sim.stop()
    return try result.get()
}

/// A fresh temporary directory, removed by the caller's `defer`.
func makeTempDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("lockstep-k8s-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func removeDirectory(_ url: URL) {
    try? FileManager.default.removeItem(at: url)
}

/// Records every sleep instead of sleeping, so retry tests are fast and can count attempts.
final class SleepRecorder: Sendable {
    private let delays = TestLock<[Duration]>([])
    var recorded: [Duration] { delays.withLock { $0 } }

    var policy: RetryPolicy {
        RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(100), maxDelay: .seconds(2), random: { 0.5 },
                    sleep: { [delays] d in delays.withLock { $0.append(d) } })
    }
}

/// A minimal lock for test state.
final class TestLock<Value: Sendable>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// A settable clock for token-file re-reads and exec credential expiry.
final class TestClock: Sendable {
    private let current = TestLock(Date(timeIntervalSince1970: 1_800_000_000))
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
    var closure: @Sendable () -> Date { { [self] in self.now } }
}


/// Fixtures shared by the suites.
enum K8sFixtures {
    static func secret(_ name: String, namespace: String = "gateway", data: [String: String],
                       labels: [String: String] = [:], annotations: [String: String] = [:]) -> JSONValue {
        var encoded: [String: JSONValue] = [:]
        for (k, v) in data { encoded[k] = .string(Data(v.utf8).base64EncodedString()) }
        var metadata: JSONValue = ["name": .string(name), "namespace": .string(namespace)]
        if !labels.isEmpty { metadata["labels"] = .object(labels.mapValues { .string($0) }) }
        if !annotations.isEmpty { metadata["annotations"] = .object(annotations.mapValues { .string($0) }) }
        return ["apiVersion": "v1", "kind": "Secret", "metadata": metadata, "data": .object(encoded)]
    }

    static func deployment(_ name: String, namespace: String = "gateway", replicas: Int = 2, progressDeadlineSeconds: Int? = nil) -> JSONValue {
        var spec: JSONValue = [
            "replicas": .int(Int64(replicas)),
            "selector": ["matchLabels": ["app": .string(name)]],
            "template": [
                "metadata": ["labels": ["app": .string(name)]],
                "spec": ["containers": [["name": "app", "image": "example/app:1"]]],
            ],
        ]
        if let progressDeadlineSeconds { spec["progressDeadlineSeconds"] = .int(Int64(progressDeadlineSeconds)) }
        return ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name), "namespace": .string(namespace)], "spec": spec]
    }

    static func configMap(_ name: String, namespace: String = "noise") -> JSONValue {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "namespace": .string(namespace)], "data": ["k": "v"]]
    }

    /// Writes a kubeconfig text to a file in `directory` (mode 0600) and returns its path.
    static func writeFile(_ text: String, named name: String, in directory: URL, mode: Int = 0o600) throws -> String {
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: url.path, contents: Data(text.utf8), attributes: [.posixPermissions: mode]) else {
            throw KubernetesError(.configuration, message: "cannot write \(url.path)")
        }
        return url.path
    }

    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    /// A client configuration from the sim's own kubeconfig, with fast test retries.
    static func configuration(for sim: RunningKubeSim, in directory: URL, retry: RetryPolicy? = nil) throws -> KubernetesConfiguration {
        let path = try writeFile(sim.kubeconfig.yaml, named: "kubeconfig-\(UUID().uuidString.prefix(6))", in: directory)
        var configuration = try KubernetesConfiguration.kubeconfig(environment: [:], paths: [path])
        configuration.requestTimeout = .seconds(5)
        if let retry { configuration.retry = retry }
        return configuration
    }
}
