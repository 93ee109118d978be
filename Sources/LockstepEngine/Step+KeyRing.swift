import Foundation
import LockstepCore
import LockstepCrypto

/// The key-ring strategy's steps (docs/rotation.md). The ring Secret holds at most one key, the
/// new one, and only during a run: a ring key is a full admin of the gateway.
extension Step {
    func requireRing() throws -> RotationPolicy.SecretTarget {
        guard let ring = run.ring else { throw EngineError("run \(run.id) uses the key-ring strategy but names no ring Secret (spec.keyRing)") }
        return ring
    }

    func requireGatewayDeployment() throws -> RotationPolicy.DeploymentRef {
        guard let gateway = run.rollouts.last else { throw EngineError("run \(run.id) has no gateway Deployment (the last rollout)") }
        return gateway
    }

    var propagationTimeout: Duration { .seconds(policy.keyRing?.propagationTimeout.seconds ?? 180) }

    /// Preflight for key-ring: the ring is empty (or holds only the current key, left by a run
    /// whose clean-up failed), and every gateway pod runs the module. Changes nothing.
    func keyRingPreflight(current: SecretBytes) async throws -> String {
        let ring = try requireRing()
        let live = try await engine.cluster.readSecret(ring)
        if let value = live.value, value.count > 0, !value.constantTimeEquals(current) {
            throw EngineError("preflight: the key ring \(ring) is not empty: it holds a key that is not \(credential)'s current value; "
                + "Lockstep keeps a key there only during a run. Find out who wrote it, then empty it (kubectl patch secret) and try again")
        }
        let pods = try await servingPods()
        guard !pods.isEmpty else { throw EngineError("preflight: the gateway \(try requireGatewayDeployment()) has no running pod to probe") }
        var missing: [String] = []
        for pod in pods {
            guard let url = pod.url else { missing.append("\(pod.name): no pod IP yet"); continue }
            let probe = try await engine.gateway.keyRingProbe(atPod: url)
            if case .active = probe { continue }
            missing.append("\(pod.name): \(probe)")
        }
        if !missing.isEmpty {
            throw EngineError("preflight: the key-ring strategy needs Lockstep's auth module on every gateway pod, and "
                + missing.joined(separator: "; ") + ". Install deploy/components/litellm-keyring (docs/rotation.md), or use strategy restart-together")
        }
        return "key-ring module active on \(pods.count) gateway pod(s)"
    }

    /// The gateway pods that can receive traffic (not terminating), by probing each directly.
    func servingPods() async throws -> [PodEndpoint] {
        let gateway = try requireGatewayDeployment()
        return try await engine.cluster.podEndpoints(gateway, port: policy.keyRing?.podPort).filter { !$0.terminating }
    }

    /// Writes `desired` (the new key, or nothing) into the ring, guarded by the resourceVersion
    /// just read; a conflict is re-read and decided, at most 3 times.
    func writeRing(_ desired: SecretBytes, what: String) async throws -> StepOutcome {
        let ring = try requireRing()
        var live = try await engine.cluster.readSecret(ring)
        let first = live.resourceVersion
        for attempt in 0...3 {
            if try (live.value ?? SecretBytes.empty()).constantTimeEquals(desired) {
                return StepOutcome(detail: "key ring \(what) (it already was)",
                                   targets: [AuditTarget(namespace: ring.namespace, name: ring.name, key: ring.key, resourceVersionBefore: first, resourceVersionAfter: live.resourceVersion)])
            }
            do {
                let after = try await engine.cluster.writeSecret(ring, value: desired, resourceVersion: live.resourceVersion)
                return StepOutcome(detail: "key ring \(what)\(attempt == 0 ? "" : " after \(attempt) conflict(s)")",
                                   targets: [AuditTarget(namespace: ring.namespace, name: ring.name, key: ring.key, resourceVersionBefore: first, resourceVersionAfter: after)])
            } catch let conflict as ClusterConflict {
                if attempt == 3 { throw conflict }
                live = try await engine.cluster.readSecret(ring)
            }
        }
        throw EngineError("unreachable")
    }

    /// Waits until every serving gateway pod, asked directly, accepts the staged key. The kubelet
    /// updates a Secret volume within its sync period plus cache (60–90 s), so this polls each
    /// pod that has not yet accepted, bounded by the policy's `propagationTimeout`.
    func awaitRing() async throws -> StepOutcome {
        let key = try newValue()
        let started = Stopwatch(engine.settings.clock)
        var accepted = Set<String>()
        var pending: [String] = []
        while true {
            let pods = try await servingPods()
            pending = []
            for pod in pods where !accepted.contains(pod.name) {
                if pod.ready, let url = pod.url, (try? await engine.gateway.accepts(key, atPod: url)) == true {
                    accepted.insert(pod.name)
                } else {
                    pending.append(pod.name)
                }
            }
            if pending.isEmpty, !pods.isEmpty {
                let seconds = started.seconds
                return StepOutcome(detail: "every gateway pod (\(pods.count)) accepts the new key, \(String(format: "%.1f", seconds)) s after it was staged")
            }
            engine.progress("key ring: \(pods.count - pending.count) of \(pods.count) gateway pods accept the new key")
            guard started.elapsed < propagationTimeout else { break }
            try await engine.pause(engine.settings.keyRingProbeInterval)
        }
        throw EngineError("the key ring did not reach every gateway pod within \(policy.keyRing?.propagationTimeout.description ?? "3m") (spec.keyRing.propagationTimeout): "
            + "\(pending.isEmpty ? "no gateway pod is running" : "still refusing the staged key: \(pending.joined(separator: ", "))"). "
            + "Is the ring Secret mounted as a volume (not subPath, not env) on every pod?")
    }

    /// At every serving gateway pod: the new key accepted and, when asked, the old one refused.
    func verifyAtPods() async throws -> StepOutcome {
        let new = try newValue()
        let old = run.verifyOldRefused ? try vault.value(of: credential) : nil
        let gateway = try requireGatewayDeployment()
        var checked: Int?
        try await retry("every gateway pod accepts the new key\(old == nil ? "" : " and refuses the old one")") {
            checked = try await everyPod(of: gateway, accepts: new, refuses: old)
            return checked != nil
        }
        return StepOutcome(detail: "at each of \(checked ?? 0) gateway pods: new key accepted\(old == nil ? "" : ", old key refused")")
    }
}
