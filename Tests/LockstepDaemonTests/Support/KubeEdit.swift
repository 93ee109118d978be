import Foundation
import LockstepKubernetes

/// Changes made "by hand" in a test: what an operator with kubectl would do outside Lockstep.
enum KubeEdit {
    static func setSecret(kubeconfig: String, namespace: String, name: String, key: String, value: String) async throws {
        try await KubernetesClient.withClient(try .kubeconfig(paths: [kubeconfig])) { client in
            let current = try await client.getSecret(namespace: namespace, name: name)
            _ = try await client.patchSecretKey(namespace: namespace, name: name, key: key, value: try secretValue(value),
                                                resourceVersion: current.metadata.resourceVersion ?? "", fieldManager: "kubectl-edit")
        }
    }
}
