import Foundation

extension KubernetesClient {
    /// Annotation on a Deployment holding the `maxSurge` it had before Lockstep raised it (JSON:
    /// `"25%"`, `1`, or `null` when it was unset).
    public static let maxSurgeBeforeAnnotation = "lockstep.dev/max-surge-before"

    /// Sets `spec.strategy.rollingUpdate.maxSurge` (a RollingUpdate Deployment; Recreate is left
    /// alone) and keeps the value it had in ``maxSurgeBeforeAnnotation``, unless that is there
    /// already (a repeat after a crash must keep the original). Strategy changes roll nothing.
    public func setMaxSurge(namespace: String, name: String, to value: String) async throws {
        let object = try await rawDeployment(namespace: namespace, name: name)
        let strategy = (object["spec"] as? [String: Any])?["strategy"] as? [String: Any]
        guard (strategy?["type"] as? String ?? "RollingUpdate") == "RollingUpdate" else { return }
        let annotations = (object["metadata"] as? [String: Any])?["annotations"] as? [String: String] ?? [:]
        var metadata: [String: Any] = [:]
        if annotations[Self.maxSurgeBeforeAnnotation] == nil {
            let before = (strategy?["rollingUpdate"] as? [String: Any])?["maxSurge"] ?? NSNull()
            let text = String(decoding: try JSONSerialization.data(withJSONObject: [before], options: [.fragmentsAllowed]), as: UTF8.self)
            metadata["annotations"] = [Self.maxSurgeBeforeAnnotation: String(text.dropFirst().dropLast())]
        }
        try await patchDeployment(namespace: namespace, name: name,
                                  ["metadata": metadata, "spec": ["strategy": ["rollingUpdate": ["maxSurge": value]]]])
    }

    /// Puts back the `maxSurge` kept by ``setMaxSurge(namespace:name:to:)`` and removes the annotation.
    public func restoreMaxSurge(namespace: String, name: String) async throws {
        let object = try await rawDeployment(namespace: namespace, name: name)
        let annotations = (object["metadata"] as? [String: Any])?["annotations"] as? [String: String] ?? [:]
        guard let kept = annotations[Self.maxSurgeBeforeAnnotation] else { return }
        let before = (try? JSONSerialization.jsonObject(with: Data(kept.utf8), options: [.fragmentsAllowed])) ?? NSNull()
        try await patchDeployment(namespace: namespace, name: name,
                                  ["metadata": ["annotations": [Self.maxSurgeBeforeAnnotation: NSNull()]],
                                   "spec": ["strategy": ["rollingUpdate": ["maxSurge": before]]]])
    }

    private func rawDeployment(namespace: String, name: String) async throws -> [String: Any] {
        let data = try await send(APICall(method: .GET, path: Self.deploymentPath(namespace, name), context: Self.deploymentContext("get", namespace, name)))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw KubernetesError(.decoding, object: "deployment \(namespace)/\(name)", message: "not a JSON object")
        }
        return object
    }

    private func patchDeployment(namespace: String, name: String, _ patch: [String: Any]) async throws {
        let body = try JSONSerialization.data(withJSONObject: patch, options: [.sortedKeys])
        _ = try await send(APICall(method: .PATCH, path: Self.deploymentPath(namespace, name), query: [("fieldManager", "lockstep")],
                                   body: body, contentType: "application/merge-patch+json", context: Self.deploymentContext("patch", namespace, name)))
    }
}
