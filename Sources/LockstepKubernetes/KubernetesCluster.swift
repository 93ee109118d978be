import LockstepCore
import LockstepCrypto

/// The rotation engine's cluster port over the Kubernetes client.
public struct KubernetesCluster: ClusterPort {
    public let client: KubernetesClient
    /// Pod-template annotation whose value names the credential version being rolled to.
    public let annotation: String

    public init(client: KubernetesClient, annotation: String = KubernetesClient.credentialVersionAnnotation) {
        self.client = client
        self.annotation = annotation
    }

    public func readSecret(_ target: RotationPolicy.SecretTarget) async throws -> (value: SecretBytes?, resourceVersion: String) {
        let secret = try await client.getSecret(namespace: target.namespace, name: target.name)
        return (try secret.value(forKey: target.key), secret.resourceVersion)
    }

    public func writeSecret(_ target: RotationPolicy.SecretTarget, value: SecretBytes, resourceVersion: String, alongside: [String: SecretBytes]) async throws -> String {
        do {
            return try await client.patchSecretKeys(namespace: target.namespace, name: target.name, values: alongside.merging([target.key: value]) { _, v in v },
                                                    resourceVersion: resourceVersion)
        } catch let e as KubernetesError where e.code == .conflict {
            throw ClusterConflict(object: "secret \(target.namespace)/\(target.name)")
        }
    }

    public func annotatePodTemplate(_ deployment: RotationPolicy.DeploymentRef, key: String, value: String) async throws {
        try await client.restartDeployment(namespace: deployment.namespace, name: deployment.name, value: value, annotation: key)
    }

    public func waitForRollout(_ deployment: RotationPolicy.DeploymentRef, timeout: Duration, progress: @escaping @Sendable (String) -> Void) async throws {
        try await client.waitForRollout(namespace: deployment.namespace, name: deployment.name, options: RolloutWaitOptions(timeout: timeout)) { p in
            progress("\(deployment): \(p)")
        }
    }

    public func accessProblems(targets: [RotationPolicy.SecretTarget], rollouts: [RotationPolicy.DeploymentRef],
                               scaling: [RotationPolicy.DeploymentRef]) async throws -> [String] {
        var problems: [String] = []
        for d in scaling {
            let r = try await client.canI(ResourceAttributes(verb: "patch", group: "apps", resource: "deployments", subresource: "scale", namespace: d.namespace, name: d.name))
            if !r.allowed { problems.append("may not patch deployments/scale \(d.namespace)/\(d.name)") }
        }
        for t in targets {
            for verb in ["get", "patch"] {
                let r = try await client.canI(ResourceAttributes(verb: verb, resource: "secrets", namespace: t.namespace, name: t.name))
                if !r.allowed { problems.append("may not \(verb) secret \(t.namespace)/\(t.name)") }
            }
            do {
                let secret = try await client.getSecret(namespace: t.namespace, name: t.name)
                if secret.immutable { problems.append("secret \(t.namespace)/\(t.name) is immutable") }
            } catch let e as KubernetesError where e.code == .notFound {
                problems.append("secret \(t.namespace)/\(t.name) does not exist")
            }
        }
        for d in rollouts {
            for verb in ["get", "patch", "list", "watch"] {
                let r = try await client.canI(ResourceAttributes(verb: verb, group: "apps", resource: "deployments", namespace: d.namespace, name: d.name))
                if !r.allowed { problems.append("may not \(verb) deployment \(d.namespace)/\(d.name)") }
            }
            do {
                _ = try await client.getDeployment(namespace: d.namespace, name: d.name)
            } catch let e as KubernetesError where e.code == .notFound {
                problems.append("deployment \(d.namespace)/\(d.name) does not exist")
            }
        }
        return problems
    }

    public func ownershipWarnings(_ target: RotationPolicy.SecretTarget) async throws -> [String] {
        let secret = try await client.getSecret(namespace: target.namespace, name: target.name)
        return SecretOwnership.findings(secret.metadata).map { "\($0)" }
    }

    public func setMaxSurge(_ deployment: RotationPolicy.DeploymentRef, to value: String) async throws {
        try await client.setMaxSurge(namespace: deployment.namespace, name: deployment.name, to: value)
    }

    public func restoreMaxSurge(_ deployment: RotationPolicy.DeploymentRef) async throws {
        try await client.restoreMaxSurge(namespace: deployment.namespace, name: deployment.name)
    }

    public func rolloutComplete(_ deployment: RotationPolicy.DeploymentRef) async throws -> Bool {
        RolloutProgress.evaluate(try await client.getDeployment(namespace: deployment.namespace, name: deployment.name)).state == .complete
    }

    public func scale(_ deployment: RotationPolicy.DeploymentRef, replicas: Int) async throws {
        try await client.scaleDeployment(namespace: deployment.namespace, name: deployment.name, replicas: replicas)
    }

    public func desiredReplicas(_ deployment: RotationPolicy.DeploymentRef) async throws -> Int {
        try await client.getDeployment(namespace: deployment.namespace, name: deployment.name).spec?.replicas ?? 1
    }

    public func podEndpoints(_ deployment: RotationPolicy.DeploymentRef, port: Int?) async throws -> [PodEndpoint] {
        let d = try await client.getDeployment(namespace: deployment.namespace, name: deployment.name)
        guard let labels = d.spec?.selector?.matchLabels, !labels.isEmpty else {
            throw KubernetesError(.invalid, object: "deployment \(deployment)", message: "no spec.selector.matchLabels: its pods cannot be listed")
        }
        return try await client.listPods(namespace: deployment.namespace, labels: labels).map { pod in
            let url: String? = pod.status?.podIP.flatMap { ip in
                (port ?? pod.httpPort).map { "http://\(ip.contains(":") ? "[\(ip)]" : ip):\($0)" }
            }
            return PodEndpoint(name: pod.metadata.name ?? "?", url: url, ready: pod.isReady, terminating: pod.metadata.deletionTimestamp != nil)
        }
    }
}
