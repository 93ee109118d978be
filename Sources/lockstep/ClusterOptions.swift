import ArgumentParser
import Foundation
import LockstepCore
import LockstepKubernetes

/// How to reach Kubernetes: a kubeconfig (`--kubeconfig`, `$KUBECONFIG`, `~/.kube/config`;
/// `--context`), or the in-cluster ServiceAccount (`--in-cluster`, or automatically when
/// `KUBERNETES_SERVICE_HOST` is set and no kubeconfig or context is given).
struct ClusterOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Kubeconfig file. Default: $KUBECONFIG, then ~/.kube/config.", valueName: "FILE"))
    var kubeconfig: String?
    @Option(name: .long, help: "Kubeconfig context. Default: the current context.")
    var context: String?
    @Flag(name: .long, help: "Use the in-cluster ServiceAccount.")
    var inCluster = false

    func configuration() throws -> KubernetesConfiguration {
        do {
            if inCluster { return try .inCluster() }
            if let kubeconfig { return try .kubeconfig(paths: [kubeconfig], context: context) }
            return try .load(context: context)
        } catch let e as KubernetesError {
            throw CLIFailure(message: "cannot configure the Kubernetes client: \(e)", hint: "pass --kubeconfig FILE [--context NAME], or --in-cluster inside a pod", code: Exit.usage)
        }
    }

    /// Runs `body` with a cluster port and closes the client afterwards.
    func withCluster<R: Sendable>(_ body: (any ClusterPort) async throws -> R) async throws -> R {
        try await KubernetesClient.withClient(try configuration()) { client in
            try await body(KubernetesCluster(client: client))
        }
    }
}
