import LockstepCore
import LockstepCrypto

extension Step {
    /// Asks every pod of `deployment` directly (not through its Service): each is ready, not
    /// terminating, accepts `key` and, when given, refuses `refused`. Returns how many pods were
    /// asked when all of them (at least one, and at least `expecting`) answered so; nil otherwise.
    func everyPod(of deployment: RotationPolicy.DeploymentRef, accepts key: SecretBytes, refuses refused: SecretBytes?,
                  expecting: Int = 1, port: Int? = nil) async throws -> Int? {
        let pods = try await engine.cluster.podEndpoints(deployment, port: port ?? run.colourSwitch?.colours.podPort ?? policy.keyRing?.podPort)
            .filter { !$0.terminating }
        guard pods.count >= max(1, expecting) else { return nil }
        for pod in pods {
            guard pod.ready, let url = pod.url, try await engine.gateway.accepts(key, atPod: url) else { return nil }
            if let refused, try await engine.gateway.accepts(refused, atPod: url) { return nil }
        }
        return pods.count
    }
}
