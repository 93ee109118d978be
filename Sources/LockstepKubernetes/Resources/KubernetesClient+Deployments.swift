import Foundation

extension KubernetesClient {
    /// The pod-template annotation a restart sets; its value names the credential version.
    public static let credentialVersionAnnotation = "lockstep.dev/credential-version"

    /// Reads a Deployment.
    public func getDeployment(namespace: String, name: String) async throws -> Deployment {
        let call = APICall(method: .GET, path: Self.deploymentPath(namespace, name),
                           context: Self.deploymentContext("get", namespace, name))
        return try await send(call, as: Deployment.self)
    }

    /// Restarts a Deployment's pods by setting the pod-template annotation `annotation` to `value`
    /// (e.g. `litellm-master-key.v3`), with a strategic-merge patch as `kubectl rollout restart` does.
    ///
    /// The value names the credential version rather than a time, so sending the same restart twice
    /// (a retry, a resumed run) changes nothing the second time: no new generation, no second rollout.
    /// - Returns: the Deployment after the patch; compare `metadata.generation` to see whether it changed.
    @discardableResult
    public func restartDeployment(namespace: String, name: String, value: String,
                                  annotation: String = KubernetesClient.credentialVersionAnnotation,
                                  fieldManager: String = "lockstep") async throws -> Deployment {
        let patch = ["spec": ["template": ["metadata": ["annotations": [annotation: value]]]]]
        let body = try JSONSerialization.data(withJSONObject: patch, options: [.sortedKeys])
        // Setting the same value again is a no-op on the server, so the call is safe to retry.
        let call = APICall(method: .PATCH, path: Self.deploymentPath(namespace, name), query: [("fieldManager", fieldManager)],
                           body: body, contentType: "application/strategic-merge-patch+json",
                           context: Self.deploymentContext("patch", namespace, name))
        return try await send(call, as: Deployment.self)
    }

    /// Sets `spec.replicas` through the `scale` subresource, as `kubectl scale` does (RBAC:
    /// `patch` on `deployments/scale`). The same count twice changes nothing: safe to retry.
    public func scaleDeployment(namespace: String, name: String, replicas: Int, fieldManager: String = "lockstep") async throws {
        let body = try JSONSerialization.data(withJSONObject: ["spec": ["replicas": replicas]], options: [.sortedKeys])
        let call = APICall(method: .PATCH, path: Self.deploymentPath(namespace, name) + "/scale", query: [("fieldManager", fieldManager)],
                           body: body, contentType: "application/merge-patch+json",
                           context: RequestContext(verb: "patch", resource: "deployments/scale", group: "apps", namespace: namespace, name: name, idempotent: true))
        _ = try await send(call)
    }

    static func deploymentPath(_ namespace: String, _ name: String? = nil) -> String {
        "/apis/apps/v1/namespaces/\(escape(namespace))/deployments" + (name.map { "/" + escape($0) } ?? "")
    }

    static func deploymentContext(_ verb: String, _ namespace: String, _ name: String?) -> RequestContext {
        RequestContext(verb: verb, resource: "deployments", group: "apps", namespace: namespace, name: name, idempotent: true)
    }
}
