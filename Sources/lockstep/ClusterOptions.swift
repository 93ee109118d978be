import ArgumentParser
import Foundation
import LockstepCore

/// How to reach Kubernetes: a kubeconfig (`--kubeconfig`, `$KUBECONFIG`, `~/.kube/config`;
/// `--context`), or the in-cluster ServiceAccount (`--in-cluster`, or automatically when
/// `KUBERNETES_SERVICE_HOST` is set and no kubeconfig is given).
struct ClusterOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Kubeconfig file. Default: $KUBECONFIG, then ~/.kube/config.", valueName: "FILE"))
    var kubeconfig: String?
    @Option(name: .long, help: "Kubeconfig context. Default: the current context.")
    var context: String?
    @Flag(name: .long, help: "Use the in-cluster ServiceAccount.")
    var inCluster = false

    func connect() throws -> any ClusterPort {
        throw CLIFailure(message: "the Kubernetes client is not wired into this build yet", hint: "use a build that includes LockstepKubernetes", code: Exit.failure)
    }
}
