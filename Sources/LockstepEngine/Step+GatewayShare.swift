import LockstepCore

extension Step {
    /// restart-together, gateway first: waits until at least half of the gateway's desired
    /// replicas, asked directly, accept the new key (bounded by the rollout timeout).
    func awaitGatewayShare() async throws -> StepOutcome {
        let gateway = try requireGatewayDeployment()
        let key = try newValue()
        let started = Stopwatch(engine.settings.clock)
        var accepting = 0, wanted = 1
        var refusedAfterRollout = 0
        while true {
            // Read before probing: a rollout complete before the pods were asked is a real answer.
            let complete = try await engine.cluster.rolloutComplete(gateway)
            wanted = max(1, (try await engine.cluster.desiredReplicas(gateway) + 1) / 2)
            accepting = 0
            for pod in try await engine.cluster.podEndpoints(gateway, port: policy.keyRing?.podPort) where pod.ready && !pod.terminating {
                if let url = pod.url, (try? await engine.gateway.accepts(key, atPod: url)) == true { accepting += 1 }
            }
            if accepting >= wanted {
                let seconds = started.seconds
                return StepOutcome(detail: "\(accepting) gateway pod(s) accept the new key after \(String(format: "%.1f", seconds)) s; the backend restarts now")
            }
            engine.progress("\(gateway): \(accepting) of the \(wanted) pod(s) wanted accept the new key")
            // Rolled out and still refusing (three rounds in a row): the gateway does not read the
            // Secret that was patched.
            refusedAfterRollout = complete ? refusedAfterRollout + 1 : 0
            if refusedAfterRollout >= 3 {
                throw EngineError("\(gateway) rolled out, but only \(accepting) of \(wanted) pod(s) accept the new key: does the gateway read the Secret the policy names?")
            }
            guard started.elapsed < engine.settings.rolloutTimeout else { break }
            try await engine.pause(engine.settings.keyRingProbeInterval)
        }
        throw EngineError("\(gateway): only \(accepting) of \(wanted) pod(s) accepted the new key within \(engine.settings.rolloutTimeout)")
    }
}
