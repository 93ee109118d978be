import Foundation
import LockstepCore
import LockstepCrypto

/// The blue-green strategy's steps (docs/rotation.md): two gateway Deployments, one serving and
/// one at 0 replicas. Nothing is installed in LiteLLM; the price is a second set of gateway pods
/// while the run lasts.
extension Step {
    func requireColours() throws -> ColourSwitch {
        guard let colours = run.colourSwitch else { throw EngineError("run \(run.id) uses the blue-green strategy but names no colours (spec.blueGreen)") }
        return colours
    }

    func colour(_ role: ColourRole) throws -> RotationPolicy.BlueGreen.Colour {
        guard let colour = try requireColours().colour(role) else { throw EngineError("run \(run.id): preflight has not found which colour serves") }
        return colour
    }

    private var podPort: Int? { run.colourSwitch?.colours.podPort }

    /// Which colour serves: the one whose URL each backend Secret names (all must agree), running,
    /// while the other is at 0 replicas; every pod of it accepts the current key. Changes nothing.
    func blueGreenPreflight(current: SecretBytes) async throws -> (ColourFacts, String) {
        let colours = try requireColours().colours
        var named = Set<String>()
        for target in run.targets {
            let endpoint = RotationPolicy.SecretTarget(namespace: target.namespace, name: target.name, key: colours.endpointKey)
            guard let value = try await engine.cluster.readSecret(endpoint).value else {
                throw EngineError("preflight: \(endpoint) is missing: the blue-green strategy moves the backend by writing the gateway URL there; "
                    + "nothing was changed. Put the serving colour's URL (\(colours.colours.map { "\($0.name): \($0.url)" }.joined(separator: ", "))) into it")
            }
            named.insert(value.withUnsafeBytes { String(decoding: $0, as: UTF8.self) })
        }
        let all = colours.colours.map { "\($0.name): \($0.url)" }.joined(separator: ", ")
        guard named.count == 1, let url = named.first, let active = colours.colour(servingAt: url) else {
            throw EngineError("preflight: the backend's \(colours.endpointKey) names \(named.sorted().joined(separator: " and ")), "
                + "which is not exactly one colour (\(all)); nothing was changed")
        }
        let serving = colours.colours[active], idle = colours.colours[1 - active]
        let replicas = try await engine.cluster.desiredReplicas(serving.deployment)
        guard replicas > 0 else { throw EngineError("preflight: the backend uses \(serving), which is scaled to 0; nothing was changed") }
        let idleReplicas = try await engine.cluster.desiredReplicas(idle.deployment)
        guard idleReplicas == 0 else {
            throw EngineError("preflight: the idle \(idle) runs \(idleReplicas) replica(s); between rotations it is at 0. "
                + "Scale it to 0 (kubectl scale deployment \(idle.deployment.name) -n \(idle.deployment.namespace) --replicas=0) and try again; nothing was changed")
        }
        try await driftCheck(serving.secret)
        // Bounded, as the Service readiness check of the other strategies: one unready moment is not a failure.
        let waited = Stopwatch(engine.settings.clock)
        var checked = try await everyPod(of: serving.deployment, accepts: current, refuses: nil)
        while checked == nil, waited.elapsed < engine.settings.gatewayReadyTimeout {
            try await engine.pause(engine.settings.verifyDelay)
            checked = try await everyPod(of: serving.deployment, accepts: current, refuses: nil)
        }
        guard let checked else {
            throw EngineError("preflight: not every pod of \(serving) accepted the current key within \(engine.settings.gatewayReadyTimeout); nothing was changed")
        }
        return (ColourFacts(active: active, replicas: replicas), "\(serving.name) serves (\(checked) pod(s) accept the current key), \(idle.name) is idle")
    }

    /// The value of the Secret key a backend target's gateway URL is in, for `which` value: the
    /// idle colour's URL with the new key, the active one's with the old. Nil for other strategies.
    func endpointChange(for target: RotationPolicy.SecretTarget, _ which: RotationValue) throws -> (key: String, url: String)? {
        guard let colours = run.colourSwitch, run.targets.contains(target) else { return nil }
        return (colours.colours.endpointKey, try colour(which == .new ? .idle : .active).url)
    }

    /// Scales the colour to the run's replicas, waits for its rollout, then for every pod to accept `which` key.
    func startColour(_ role: ColourRole, _ which: RotationValue) async throws -> StepOutcome {
        let colour = try colour(role)
        guard let replicas = try requireColours().replicas else { throw EngineError("run \(run.id): preflight recorded no replica count") }
        let key = which == .new ? try newValue() : try vault.value(of: credential)
        let started = Stopwatch(engine.settings.clock)
        try await engine.cluster.scale(colour.deployment, replicas: replicas)
        try await engine.cluster.waitForRollout(colour.deployment, timeout: engine.settings.rolloutTimeout, progress: engine.progress)
        var checked: Int?
        try await retry("every pod of \(colour) accepts the \(which.rawValue) key") {
            checked = try await everyPod(of: colour.deployment, accepts: key, refuses: nil, expecting: replicas)
            return checked != nil
        }
        let seconds = started.seconds
        return StepOutcome(detail: "\(colour) started: \(checked ?? 0) pod(s) accept the \(which.rawValue) key after \(String(format: "%.1f", seconds)) s",
                           targets: [AuditTarget(namespace: colour.deployment.namespace, name: colour.deployment.name)])
    }

    /// Scales the colour to 0 and waits (bounded by the rollout timeout) until no pod of it is left.
    func stopColour(_ role: ColourRole) async throws -> StepOutcome {
        let colour = try colour(role)
        try await engine.cluster.scale(colour.deployment, replicas: 0)
        try await awaitNoPods(of: colour.deployment, port: podPort, waited: Stopwatch(engine.settings.clock), where: { _ in true }) { left in
            EngineError("\(colour) was scaled to 0, but \(left.count) pod(s) were still there after \(engine.settings.rolloutTimeout): "
                + left.map(\.name).joined(separator: ", "))
        } progress: { "\(colour): \($0) pod(s) stopping" }
        return StepOutcome(detail: "\(colour) scaled to 0, no pod left", targets: [AuditTarget(namespace: colour.deployment.namespace, name: colour.deployment.name)])
    }

    /// Every pod of the colour accepts `which` key; with the new key, also refuses the old when the run checks that.
    func verifyColour(_ role: ColourRole, _ which: RotationValue) async throws -> StepOutcome {
        let colour = try colour(role)
        let key = which == .new ? try newValue() : try vault.value(of: credential)
        let old = which == .new && run.verifyOldRefused ? try vault.value(of: credential) : nil
        var checked: Int?
        try await retry("every pod of \(colour) accepts the \(which.rawValue) key\(old == nil ? "" : " and refuses the old one")") {
            checked = try await everyPod(of: colour.deployment, accepts: key, refuses: old)
            return checked != nil
        }
        return StepOutcome(detail: "at each of \(checked ?? 0) pods of \(colour): \(which.rawValue) key accepted\(old == nil ? "" : ", old key refused")")
    }

    /// Writes `which` value to the colour's master-key Secret (guarded, conflicts decided as for targets).
    func patchColourSecret(_ role: ColourRole, _ which: RotationValue) async throws -> StepOutcome {
        // A colour's Secret is written only while that colour has no pod (the idle one before it
        // starts, the stopped one after): it serves nobody, so it takes the key whatever it held.
        var outcome = try await patch(try colour(role).secret, which, overwritingAnyValue: true)
        outcome.detail = "\(try colour(role).name): " + (outcome.detail ?? "written")
        return outcome
    }
}
