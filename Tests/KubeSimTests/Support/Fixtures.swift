import Foundation
import KubeSim
import Logging

/// Objects and servers the tests share.
enum Fixtures {
    static func secret(_ name: String, namespace: String = "ns", data: [String: String], immutable: Bool = false) -> JSONValue {
        var encoded: [String: JSONValue] = [:]
        for (k, v) in data { encoded[k] = .string(Data(v.utf8).base64EncodedString()) }
        var secret: JSONValue = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(name), "namespace": .string(namespace)], "data": .object(encoded)]
        if immutable { secret["immutable"] = true }
        return secret
    }

    static func deployment(_ name: String, namespace: String = "ns", replicas: Int = 2, container: JSONValue? = nil,
                           progressDeadlineSeconds: Int? = nil, strategy: JSONValue? = nil) -> JSONValue {
        var spec: JSONValue = [
            "replicas": .int(Int64(replicas)),
            "selector": ["matchLabels": ["app": .string(name)]],
            "template": [
                "metadata": ["labels": ["app": .string(name)]],
                "spec": ["containers": [container ?? ["name": "app", "image": "example/app:1", "env": [["name": "MODE", "value": "a"]]]]],
            ],
        ]
        if let progressDeadlineSeconds { spec["progressDeadlineSeconds"] = .int(Int64(progressDeadlineSeconds)) }
        if let strategy { spec["strategy"] = strategy }
        return ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name), "namespace": .string(namespace)], "spec": spec]
    }

    /// A plain-HTTP KubeSim with fast simulated pods.
    static func httpSim(_ seed: [JSONValue] = [], configure: (inout KubeSimConfiguration) -> Void = { _ in }) async throws -> RunningKubeSim {
        var config = KubeSimConfiguration()
        config.useTLS = false
        config.podReadyDelay = .milliseconds(100)
        config.seedObjects = seed
        configure(&config)
        return try await KubeSim.start(config, logger: quietLogger)
    }

    static func tempDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kubesim-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Polls `condition` every 50 ms until it holds or `timeout` passes.
    static func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    /// KubeSim's log at warning level, so test output stays readable.
    static var quietLogger: Logger {
        var logger = Logger(label: "kubesim-test")
        logger.logLevel = .warning
        return logger
    }

    /// True when running in CI, where a missing prerequisite must fail instead of skip.
    static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
}

