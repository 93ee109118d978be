import ArgumentParser
import Foundation
import LockstepCore
import LockstepKubernetes
import Synchronization

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

    /// Runs `body` with a cluster port and closes the client afterwards. The close waits at most
    /// a quarter of a second: every request has finished by then, and what may remain is a TLS
    /// close_notify the server has not acknowledged (KubeSim's took 5 s), which a command that is
    /// about to exit need not wait for. (The daemon closes its client gracefully.)
    func withCluster<R: Sendable>(_ body: (any ClusterPort) async throws -> R) async throws -> R {
        let client = try KubernetesClient(configuration: try configuration())
        let result: Result<R, any Error>
        do { result = .success(try await body(KubernetesCluster(client: client))) } catch { result = .failure(error) }
        await firstOf({ try? await client.close() }, { try? await Task.sleep(for: .milliseconds(250)) })
        return try result.get()
    }
}

/// Returns when the first of two operations has finished; the other goes on unawaited.
func firstOf(_ a: @escaping @Sendable () async -> Void, _ b: @escaping @Sendable () async -> Void) async {
    let resumed = Mutex(false)
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let finish: @Sendable () -> Void = {
            if resumed.withLock({ done in defer { done = true }; return !done }) { continuation.resume() }
        }
        Task { await a(); finish() }
        Task { await b(); finish() }
    }
}
