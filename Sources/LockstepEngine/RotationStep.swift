import Foundation
import LockstepCore
import LockstepCrypto

/// The result of one step, for the machine, the audit log and the report.
struct StepOutcome {
    var newVersion: Int?
    /// Blue-green preflight: which colour serves.
    var colours: ColourFacts?
    var detail: String?
    var targets: [AuditTarget] = []
    var warnings: [String] = []
}

/// Performs one action of one run. Every action is idempotent: done twice, it has the effect
/// of doing it once (a crash between doing and journaling repeats it on resume).
struct Step {
    let engine: RotationEngine
    let run: RotationRun
    let policy: RotationPolicy
    let actor: AuditActor

    var vault: any RotationStore { engine.store }
    var credential: String { run.credential }
    var bridgeAlias: String { "lockstep-\(run.id)" }

    func perform(_ action: RotationAction, manualValue: SecretBytes?) async throws -> StepOutcome {
        switch action {
        case .preflight: return try await preflight()
        case .createVersion: return try await createVersion(manualValue)
        case .retireOldAtSource: return try await retireOldAtSource()
        case .awaitOldPodsStopped: return try await awaitOldPodsStopped()
        case .stageBridgeKey:
            try await engine.gateway.registerBridgeKey(try newValue(), alias: bridgeAlias, masterKey: try vault.value(of: credential))
            return StepOutcome(detail: "virtual key \(bridgeAlias) registered")
        case .patchSecret(let target, let which): return try await patch(target, which)
        case .restartDeployment(let d, let intent):
            try await engine.cluster.annotatePodTemplate(d, key: "lockstep.dev/credential-version", value: annotation(intent))
            return StepOutcome(detail: annotation(intent), targets: [AuditTarget(namespace: d.namespace, name: d.name)])
        case .waitForRollout(let d):
            try await engine.cluster.waitForRollout(d, timeout: engine.settings.rolloutTimeout, progress: engine.progress)
            return StepOutcome(targets: [AuditTarget(namespace: d.namespace, name: d.name)])
        case .verifyAccepted where run.vaultOnly:
            // A rollback's check of a credential no consumer holds.
            return StepOutcome(detail: "held only by the vault: nothing to verify")
        case .verifyAccepted(let which) where policy.source.checksLogins:
            // A server login: tried at the server itself (the rollout's readiness is the consumer's view).
            let value = which == .new ? try newValue() : try vault.value(of: credential)
            let source = try loginSource()
            try await retry("the \(which.rawValue) value logs in at \(policy.source.mintedAt ?? "the server")") { try await source.accepts(value) }
            return StepOutcome(detail: "\(which.rawValue) value logs in at \(policy.source.mintedAt ?? "the server")")
        case .verifyAccepted(let which):
            let value = which == .new ? try newValue() : try vault.value(of: credential)
            try await retry("the \(which.rawValue) key is accepted") { try await engine.gateway.accepts(value) }
            return StepOutcome(detail: "\(which.rawValue) key accepted by the gateway")
        case .verifyOldRefused:
            let old = try vault.value(of: credential)
            try await retry("the old key is refused") { try await !engine.gateway.accepts(old) }
            return StepOutcome(detail: "old key refused by the gateway")
        case .verifyProviderHealth(let models):
            guard let name = engine.settings.masterKeyCredential else { throw EngineError("no master key credential configured for health checks") }
            let master = try vault.value(of: name)
            try await retry("models \(models.joined(separator: ", ")) are healthy") { try await engine.gateway.health(models: models, masterKey: master).values.allSatisfy { $0 } }
            return StepOutcome(detail: "healthy: \(models.joined(separator: ", "))")
        case .awaitGatewayShare: return try await awaitGatewayShare()
        case .surgeGateway:
            let gateway = try requireGatewayDeployment()
            try await engine.cluster.setMaxSurge(gateway, to: "100%")
            return StepOutcome(detail: "\(gateway) maxSurge 100% for this rollout", targets: [AuditTarget(namespace: gateway.namespace, name: gateway.name)])
        case .restoreGatewaySurge:
            let gateway = try requireGatewayDeployment()
            try await engine.cluster.restoreMaxSurge(gateway)
            return StepOutcome(detail: "\(gateway) maxSurge restored", targets: [AuditTarget(namespace: gateway.namespace, name: gateway.name)])
        case .stageKeyRing: return try await writeRing(try newValue(), what: "holds the new key")
        case .awaitKeyRing: return try await awaitRing()
        case .clearKeyRing: return try await writeRing(try SecretBytes.empty(), what: "emptied")
        case .verifyAtGatewayPods: return try await verifyAtPods()
        case .patchColourSecret(let role, let which): return try await patchColourSecret(role, which)
        case .startColour(let role, let which): return try await startColour(role, which)
        case .stopColour(let role): return try await stopColour(role)
        case .verifyColour(let role, let which): return try await verifyColour(role, which)
        case .removeBridgeKey:
            // Whoever is current is the gateway's master key: the old one during a rollback, the new one after promotion.
            try await engine.gateway.removeBridgeKey(alias: bridgeAlias, masterKey: try vault.value(of: credential))
            return StepOutcome(detail: "virtual key \(bridgeAlias) removed")
        case .promote:
            let v = try requireNewVersion()
            try vault.promote(credential: credential, newVersion: v, revoked: run.kind == .revoke, actor: actor, runID: run.id)
            return StepOutcome(newVersion: v, detail: "v\(v) current")
        case .markFailed:
            let discarded = try await discardMinted()
            try vault.markFailed(credential: credential, version: try requireNewVersion(), actor: actor, runID: run.id, reason: run.failure ?? "unknown")
            return StepOutcome(detail: "v\(run.newVersion ?? 0) failed; old value restored" + discarded)
        }
    }

    /// The pod-template annotation value: names the version and the run, so that repeating a step
    /// of this run restarts nothing twice, while another run (another vault, a re-adoption, a
    /// rollback and a retry) always differs and always rolls. Never derived from the value.
    func annotation(_ intent: RolloutIntent) -> String {
        switch intent {
        case .forward(let v): "\(credential).v\(v).\(run.id)"
        case .rollback(let v): "\(credential).restored-after-v\(v).\(run.id)"
        }
    }

    func requireNewVersion() throws -> Int {
        guard let v = run.newVersion else { throw EngineError("run \(run.id) has no new version") }
        return v
    }

    func newValue() throws -> SecretBytes { try vault.value(of: credential, version: try requireNewVersion()) }

    private func preflight() async throws -> StepOutcome {
        let colours = run.colourSwitch?.colours.colours ?? []
        let problems = try await engine.cluster.accessProblems(targets: run.targets + (run.ring.map { [$0] } ?? []) + colours.map(\.secret),
                                                               rollouts: run.rollouts + colours.map(\.deployment), scaling: colours.map(\.deployment))
        if !problems.isEmpty { throw EngineError("preflight: \(problems.joined(separator: "; "))") }
        guard try vault.credential(credential).current != nil else { throw EngineError("preflight: \(credential) has no current version to rotate from") }
        if run.vaultOnly { return StepOutcome(detail: "held only by the vault: nothing to check in the cluster or at a gateway") }
        for target in run.targets { try await driftCheck(target) }
        if run.colourSwitch != nil {
            // No Service to ask: the gateway is whichever colour serves, checked at its pods.
            let (facts, detail) = try await blueGreenPreflight(current: try vault.value(of: credential))
            var warnings: [String] = []
            for target in run.targets { warnings += try await engine.cluster.ownershipWarnings(target).map { "\(target): \($0)" } }
            return StepOutcome(colours: facts, detail: (warnings.isEmpty ? "access and drift ok" : "ok with warnings: \(warnings.joined(separator: "; "))") + "; " + detail,
                               warnings: warnings)
        }
        // A server login without a gateway in the policy is checked at the server (below).
        let askGateway = !(policy.source.checksLogins && policy.gatewayAddress == nil)
        if askGateway { try await awaitGatewayReady() }
        var warnings: [String] = []
        for target in run.targets { warnings += try await engine.cluster.ownershipWarnings(target).map { "\(target): \($0)" } }
        let ring = run.strategy == .keyRing ? "; " + (try await keyRingPreflight(current: try vault.value(of: credential))) : ""
        let source = policy.source.retiresAtSource ? "; " + (try await sourcePreflight()) : ""
        return StepOutcome(detail: (warnings.isEmpty ? (askGateway ? "access, drift and gateway ok" : "access and drift ok") : "ok with warnings: \(warnings.joined(separator: "; "))") + ring + source,
                           warnings: warnings)
    }

    /// Waits until the gateway answers /health/readiness.
    private func awaitGatewayReady() async throws {
        // Retried: one failed readiness probe makes a pod unready for a moment (seen on KubeSim
        // under CPU load), and that alone should not abandon a run; but bounded in all, so that a
        // dead gateway is reported in seconds, naming the address actually used.
        let waited = Stopwatch(engine.settings.clock)
        var ready = await engine.gateway.isReady()
        while !ready, waited.elapsed < engine.settings.gatewayReadyTimeout {
            try await engine.pause(engine.settings.verifyDelay)
            ready = await engine.gateway.isReady()
        }
        guard ready else {
            throw EngineError("preflight: the gateway at \(engine.gateway.address) did not answer /health/readiness within \(engine.settings.gatewayReadyTimeout); nothing was changed. "
                + "Check the URL (spec.gateway.url, or --gateway-url) and that the gateway runs")
        }
    }

    /// Refuses to go on (and audits the drift) when `target` does not hold the current version.
    func driftCheck(_ target: RotationPolicy.SecretTarget) async throws {
        guard let current = try vault.credential(credential).current else { throw EngineError("preflight: \(credential) has no current version to rotate from") }
        let live = try await engine.cluster.readSecret(target)
        let liveFingerprint = try live.value.map { try vault.fingerprint(of: $0) }
        guard liveFingerprint != current.fingerprint else { return }
        try vault.record(AuditDraft(actor: actor, action: AuditAction.driftDetected, credential: credential, version: current.version,
                                   fingerprints: ["vault": current.fingerprint, "live": liveFingerprint ?? "absent"],
                                   targets: [AuditTarget(namespace: target.namespace, name: target.name, key: target.key, resourceVersionBefore: live.resourceVersion)],
                                   outcome: .failure, detail: "live value differs from the vault's current v\(current.version)"))
        throw EngineError("preflight: drift: \(target) does not hold \(credential) v\(current.version) (changed outside Lockstep); nothing was changed")
    }

    private func createVersion(_ manualValue: SecretBytes?) async throws -> StepOutcome {
        let value: SecretBytes
        let source: VersionSource
        var minted = ""
        switch policy.source {
        case .azure, .openai, .google, .postgres, .redis:
            // Minted at the provider while the key in use keeps working there.
            value = try await keySource().mint(replacing: try vault.value(of: credential))
            source = .provider
            minted = Self.mintedDetail(policy.source)
        case .manual, .anthropic:
            guard let manualValue else { throw EngineError("\(credential) takes a manual value: supply it with --value-from-stdin") }
            value = manualValue
            source = .manual
        case .generate(let prefix, let bytes):
            value = try Generator.value(prefix: prefix, randomBytes: bytes, from: engine.random)
            source = .generated
        }
        let record = try vault.createPendingVersion(credential: credential, value: value, source: source, runID: run.id, actor: actor)
        return StepOutcome(newVersion: record.version, detail: "\(minted)v\(record.version) pending, \(record.fingerprint)")
    }

    /// What a minting source did, for the step's detail (no key in it).
    static func mintedDetail(_ source: RotationPolicy.Source) -> String {
        switch source {
        case .azure(let account): "the idle key of \(account.account) regenerated; "
        case .openai(let project): "a service account with a new key created in \(project.project); "
        case .google(let project): "an API key created in \(project.project) with the restrictions of the key in use; "
        case .postgres(let server): "the idle user of \(server.label) has a new password, proven by a login; "
        case .redis(let server): "a password added to \(server.user) of \(server.label), proven by AUTH; "
        case .generate, .manual, .anthropic: ""
        }
    }

    /// Waits until no pod of the run's Deployments is terminating: the old pods have exited, and
    /// nothing sends the old key any more. Bounded by the rollout timeout.
    private func awaitOldPodsStopped() async throws -> StepOutcome {
        let waited = Stopwatch(engine.settings.clock)
        var seen = 0
        for deployment in run.rollouts {
            seen = max(seen, try await awaitNoPods(of: deployment, port: nil, waited: waited, where: \.terminating) { leaving in
                EngineError("\(leaving.count) pod(s) of \(deployment) that may hold the old key were still terminating after \(engine.settings.rolloutTimeout): "
                    + leaving.map(\.name).joined(separator: ", "))
            } progress: { "\(deployment): \($0) old pod(s) still stopping" })
        }
        return StepOutcome(detail: seen == 0 ? "no old pod left" : "waited \(waited.milliseconds) ms for \(seen) old pod(s) to exit")
    }

    /// Waits until no pod of `deployment` matches `matching`, polling at the probe interval and
    /// bounded by the rollout timeout (counted on `waited`); throws `timedOut` with the pods left.
    /// Returns the most pods seen matching at once.
    @discardableResult
    func awaitNoPods(of deployment: RotationPolicy.DeploymentRef, port: Int?, waited: Stopwatch, where matching: (PodEndpoint) -> Bool,
                     timedOut: ([PodEndpoint]) -> EngineError, progress: (Int) -> String) async throws -> Int {
        var seen = 0
        while true {
            let left = try await engine.cluster.podEndpoints(deployment, port: port).filter(matching)
            if left.isEmpty { return seen }
            seen = max(seen, left.count)
            guard waited.elapsed < engine.settings.rolloutTimeout else { throw timedOut(left) }
            engine.progress(progress(left.count))
            try await engine.pause(engine.settings.keyRingProbeInterval)
        }
    }

    /// The old value made invalid at the provider, the new (now current) one kept.
    private func retireOldAtSource() async throws -> StepOutcome {
        let current = try vault.value(of: credential)
        guard let old = try previousValue() else { return StepOutcome(detail: "no earlier version to retire") }
        let done = try await keySource().retire(old, keeping: current)
        return StepOutcome(detail: "the old value is refused at the provider (\(done))")
    }

    /// A value this run minted at the provider is, once the run rolled back, a valid key nobody
    /// should hold: after every pod that may have started with it has exited, it is retired there
    /// as an old key would be (an Azure key regenerated, an OpenAI service account or a Google key
    /// deleted), audited before and after. Best effort: a provider that refuses is reported, with
    /// what a person must delete, and the rollback still ends. Repeating it after a crash finds
    /// the key already gone.
    private func discardMinted() async throws -> String {
        guard policy.source.mintsAtSource, let v = run.newVersion, try vault.credential(credential).versions.first(where: { $0.version == v })?.source == .provider else { return "" }
        try vault.record(draft(.providerKeyRetired, .started, "discarding v\(v), minted at the provider and never promoted", []))
        do {
            _ = try await awaitOldPodsStopped()
            let done = try await keySource().retire(try newValue(), keeping: try vault.value(of: credential))
            try vault.record(draft(.providerKeyRetired, .success, "v\(v) discarded at the provider: \(done)", []))
            return "; v\(v) discarded at the provider (\(done))"
        } catch {
            let said = "v\(v) was minted at \(policy.source.mintedAt ?? "the provider") and is still valid there (\(error)): delete it there by hand"
            try vault.record(draft(.providerKeyRetired, .failure, said, []))
            return "; \(said)"
        }
    }

    /// The version the run replaced: promotion made it `previous` (`revoked` for a revoke); a
    /// failed attempt in between never served, and older ones were retired by their own runs.
    private func previousValue() throws -> SecretBytes? {
        let mine = try requireNewVersion()
        let replaced = try vault.credential(credential).versions.filter { $0.version < mine && ($0.state == .previous || $0.state == .revoked) }
        guard let previous = replaced.map(\.version).max() else { return nil }
        return try vault.value(of: credential, version: previous)
    }

    private func sourcePreflight() async throws -> String {
        do { return try await keySource().preflight(current: try vault.value(of: credential)) } catch {
            throw EngineError("preflight: \(error); nothing was changed")
        }
    }

    private func loginSource() throws -> any LoginCheckingSource {
        guard let source = try keySource() as? any LoginCheckingSource else {
            throw EngineError("\(credential): the adapter of its source cannot check a login")
        }
        return source
    }

    private func keySource() throws -> any KeySourcePort {
        guard let source = try engine.keySources(policy.source) else {
            throw EngineError("\(credential): this build has no adapter for its source; nothing was changed at the provider")
        }
        return source
    }

    /// Writes `which` value to `target`, guarded by the resourceVersion just read, and only over
    /// the value it replaces: already the desired value → done; the value it replaces → write
    /// (on a 409, because the other writer touched another key or only metadata, re-read and
    /// write again, at most 3 times); anything else, read first or after a 409, → someone else
    /// changed this key since the run began: fail, never overwrite it (in a rollback that stops
    /// the run loudly, exit 21). `overwritingAnyValue`: a blue-green colour's Secret, written only
    /// while that colour has no pod, takes the key whatever it held.
    /// Blue-green: a backend target's Secret also gets the gateway URL of the colour that serves
    /// that key, in the same patch, so that no backend pod ever starts with a key and a URL that
    /// do not belong together.
    func patch(_ target: RotationPolicy.SecretTarget, _ which: RotationValue, overwritingAnyValue: Bool = false) async throws -> StepOutcome {
        let desired = which == .new ? try newValue() : try vault.value(of: credential)
        let replaced = which == .new ? try vault.value(of: credential) : try newValue()
        let desiredFingerprint = try vault.fingerprint(of: desired)
        let replacedFingerprint = try vault.fingerprint(of: replaced)
        let endpoint = try endpointChange(for: target, which)
        let alongside = try endpoint.map { [$0.key: try SecretBytes(utf8: $0.url)] } ?? [:]
        func endpointHeld() async throws -> Bool {
            guard let endpoint else { return true }
            let held = try await engine.cluster.readSecret(RotationPolicy.SecretTarget(namespace: target.namespace, name: target.name, key: endpoint.key)).value
            return held.map { $0.withUnsafeBytes { String(decoding: $0, as: UTF8.self) } } == endpoint.url
        }
        var live = try await engine.cluster.readSecret(target)
        let firstVersion = live.resourceVersion
        var conflicts = 0
        while true {
            let liveFingerprint = try live.value.map { try vault.fingerprint(of: $0) }
            if liveFingerprint == desiredFingerprint, try await endpointHeld() {
                return StepOutcome(detail: conflicts == 0 ? "already holds the \(which.rawValue) value" : "holds the \(which.rawValue) value after \(conflicts) conflict(s)",
                                   targets: [ref(target, firstVersion, live.resourceVersion)])
            }
            // The desired value with a stale gateway URL beside it (blue-green) is rewritten too.
            guard overwritingAnyValue || liveFingerprint == replacedFingerprint || liveFingerprint == desiredFingerprint else {
                throw EngineError("\(target) was changed by someone else during the rotation (it holds neither the old nor the new value\(conflicts > 0 ? ", after a 409" : "")); "
                    + "not overwriting it. Find out who wrote it (Helm, Argo CD, External Secrets, a person), then `lockstep rotate` resumes the run")
            }
            do {
                let after = try await engine.cluster.writeSecret(target, value: desired, resourceVersion: live.resourceVersion, alongside: alongside)
                return StepOutcome(detail: conflicts == 0 ? nil : "written after \(conflicts) conflict(s)", targets: [ref(target, firstVersion, after)])
            } catch let conflict as ClusterConflict {
                conflicts += 1
                if conflicts > 3 { throw conflict }
                live = try await engine.cluster.readSecret(target)
            }
        }
    }

    private func ref(_ t: RotationPolicy.SecretTarget, _ before: String?, _ after: String?) -> AuditTarget {
        AuditTarget(namespace: t.namespace, name: t.name, key: t.key, resourceVersionBefore: before, resourceVersionAfter: after)
    }

    /// Bounded retries of a check that may need a moment (Service endpoints, caches).
    func retry(_ what: String, _ check: () async throws -> Bool) async throws {
        var lastError: (any Error)?
        for attempt in 1...max(1, engine.settings.verifyAttempts) {
            do {
                if try await check() { return }
                lastError = nil
            } catch {
                lastError = error
            }
            if attempt < engine.settings.verifyAttempts { try await engine.pause(engine.settings.verifyDelay) }
        }
        throw EngineError("check failed: \(what)\(lastError.map { " (\($0))" } ?? "") after \(engine.settings.verifyAttempts) attempts")
    }
}
