/// The rotation protocol of DESIGN.md §5 as a pure state machine: `next` says what to do,
/// `succeeded` and `failed` move the run on. No I/O, no clock, no randomness; the engine
/// journals `run` after every transition.
///
/// Invariant: a run ends `succeeded` (new value everywhere, verified), `rolledBack` (old
/// value everywhere, verified) or `abandoned` (nothing was changed). A failure while rolling
/// back leaves the run in its rollback phase with `rollbackFailure` set: loud, and resumable
/// by calling `next` again.
public struct RotationMachine: Sendable {
    public private(set) var run: RotationRun

    public init(run: RotationRun) { self.run = run }

    /// The action to carry out now, or nil when the run is finished.
    public func next() -> RotationAction? {
        switch run.phase {
        case .preflight: return .preflight
        case .create: return .createVersion
        case .stage: return stageActions[run.cursor]
        case .deliver: return .patchSecret(run.targets[segment.targets.lowerBound + run.cursor], .new)
        case .roll: return rollAction(Array(run.rollouts[segment.rollouts]), intent: .forward(version: run.newVersion ?? 0))
        case .verify: return verifyActions[run.cursor]
        case .promote: return .promote
        case .cleanup: return cleanupActions[run.cursor]
        case .rollbackRestore: return .startColour(.active, .old)
        case .rollbackDeliver: return .patchSecret(run.targets[run.patchedCount - 1 - run.cursor], .old)
        case .rollbackRoll: return rollAction(run.rollbackRollouts, intent: .rollback(failedVersion: run.newVersion ?? 0))
        case .rollbackVerify:
            // Provider keys are not gateway keys: the old one is proven by model health again.
            if run.colourSwitch != nil { return .verifyColour(.active, .old) }
            return run.providerModels.isEmpty ? .verifyAccepted(.old) : .verifyProviderHealth(run.providerModels)
        case .rollbackCleanup: return rollbackCleanupActions[run.cursor]
        case .markFailed: return .markFailed
        case .succeeded, .rolledBack, .abandoned: return nil
        }
    }

    private var segment: (targets: Range<Int>, rollouts: Range<Int>) {
        let all = run.segments
        return all[min(run.segment ?? 0, all.count - 1)]
    }

    /// What the stage phase does: bridge registers a virtual key; key-ring writes the ring and
    /// then waits until every gateway pod accepts the new key; blue-green gives the idle colour the
    /// new key and starts it; `revoke --immediate` surges the gateway.
    private var stageActions: [RotationAction] {
        if run.immediate == true { return [.surgeGateway] }
        if run.colourSwitch != nil { return [.patchColourSecret(.idle, .new), .startColour(.idle, .new)] }
        return run.strategy == .keyRing ? [.stageKeyRing, .awaitKeyRing] : [.stageBridgeKey]
    }

    /// After promotion. Blue-green: the stopped colour's Secret gets the new key too, so that the
    /// old key is left nowhere in the cluster (and starting that colour by hand serves the current one).
    private var cleanupActions: [RotationAction] {
        if run.immediate == true { return [.restoreGatewaySurge] }
        if run.colourSwitch != nil { return [.patchColourSecret(.active, .new)] }
        return [run.strategy == .keyRing ? .clearKeyRing : .removeBridgeKey]
    }

    /// After a rollback restored the old value. Blue-green: the idle colour is stopped again and its
    /// Secret given back the old key (the failed one is then left nowhere).
    private var rollbackCleanupActions: [RotationAction] {
        run.colourSwitch != nil ? [.stopColour(.idle), .patchColourSecret(.idle, .old)] : cleanupActions
    }

    /// `restart-together` restarts every Deployment first (the gateway first, see below) and then
    /// waits for each, so that the window in which gateway and backend hold different keys is as
    /// short as possible. The other strategies roll one Deployment completely before the next
    /// (bridge and key-ring: the backend is on the new key before the gateway drops the old one):
    /// cursor 2i restarts rollout i, 2i+1 waits for it.
    private func rollAction(_ rollouts: [RotationPolicy.DeploymentRef], intent: RolloutIntent) -> RotationAction {
        if gatewayFirst(rollouts, intent) {
            // restart-together, gateway first: restart the gateway, wait until half of its pods
            // take the new key, then restart the backend, then wait for every rollout. The
            // backend then switches while some gateway pods already have the new key, instead
            // of ~10 s before the first one does.
            let order = Array(rollouts.reversed())
            switch run.cursor {
            case 0: return .restartDeployment(order[0], intent)
            case 1: return .awaitGatewayShare
            case ..<(order.count + 1): return .restartDeployment(order[run.cursor - 1], intent)
            default: return .waitForRollout(order[run.cursor - order.count - 1])
            }
        }
        let n = rollouts.count
        let together = run.strategy == .restartTogether
        let isRestart = together ? run.cursor < n : run.cursor % 2 == 0
        let ref = together ? rollouts[run.cursor % n] : rollouts[run.cursor / 2]
        return isRestart ? .restartDeployment(ref, intent) : .waitForRollout(ref)
    }

    private func gatewayFirst(_ rollouts: [RotationPolicy.DeploymentRef], _ intent: RolloutIntent) -> Bool {
        guard run.strategy == .restartTogether, run.immediate != true, rollouts.count >= 2, case .forward = intent else { return false }
        return true
    }

    /// The actions of the roll phase of the current segment.
    private var rollCount: Int {
        let rollouts = Array(run.rollouts[segment.rollouts])
        return rollouts.count * 2 + (gatewayFirst(rollouts, .forward(version: 0)) ? 1 : 0)
    }

    private var verifyActions: [RotationAction] {
        // A provider key is checked where it is used: the gateway's health of the models that
        // read it. The master key is checked by the gateway's auth.
        if !run.providerModels.isEmpty { return [.verifyProviderHealth(run.providerModels)] }
        var actions: [RotationAction] = [.verifyAccepted(.new)]
        if run.verifyOldRefused { actions.append(.verifyOldRefused) }
        // Blue-green: at every pod of the colour the backend moved to; then the other colour stops.
        if run.colourSwitch != nil { return [.verifyColour(.idle, .new), .stopColour(.active)] }
        // Through the Service a check reaches one pod at a time; key-ring also asks each pod.
        if run.strategy == .keyRing { actions.append(.verifyAtGatewayPods) }
        return actions
    }

    /// The engine carried out `action` successfully. `newVersion` comes with `createVersion`;
    /// `colours` with a blue-green run's `preflight`.
    public mutating func succeeded(_ action: RotationAction, newVersion: Int? = nil, colours: ColourFacts? = nil) {
        guard action == next() else { return } // a stale report (e.g. replayed after a crash) changes nothing
        noteRetirement(action)
        switch run.phase {
        case .preflight:
            if let colours {
                run.colourSwitch?.active = colours.active
                run.colourSwitch?.replicas = colours.replicas
            }
            enter(.create)
        case .create:
            run.newVersion = newVersion ?? run.newVersion
            let stages = run.strategy == .bridge || run.strategy == .keyRing || run.colourSwitch != nil || run.immediate == true
            if stages { enter(.stage) } else { enterSegment(0) }
        case .stage:
            run.bridgeStaged = true
            run.cursor += 1
            if run.cursor >= stageActions.count { enterSegment(0) }
        case .deliver:
            run.patchedCount = segment.targets.lowerBound + run.cursor + 1
            run.cursor += 1
            if run.cursor >= segment.targets.count { segment.rollouts.isEmpty ? enterSegment((run.segment ?? 0) + 1) : enter(.roll) }
        case .roll:
            noteRestart(action)
            run.cursor += 1
            if run.cursor >= rollCount { enterSegment((run.segment ?? 0) + 1) }
        case .verify:
            advance(within: verifyActions.count, then: .promote)
        case .promote:
            enter(run.bridgeStaged ? .cleanup : .succeeded)
        case .cleanup:
            advance(within: cleanupActions.count, then: .succeeded)
        case .rollbackRestore:
            enter(run.patchedCount > 0 ? .rollbackDeliver : run.rolled ? .rollbackRoll : .rollbackVerify)
        case .rollbackDeliver:
            advance(within: run.patchedCount, then: run.rolled ? .rollbackRoll : .rollbackVerify)
        case .rollbackRoll:
            advance(within: run.rollbackRollouts.count * 2, then: .rollbackVerify)
        case .rollbackVerify:
            enter(run.bridgeStaged ? .rollbackCleanup : .markFailed)
        case .rollbackCleanup:
            advance(within: rollbackCleanupActions.count, then: .markFailed)
        case .markFailed:
            run.rollbackFailure = nil
            enter(.rolledBack)
        case .succeeded, .rolledBack, .abandoned:
            break
        }
        if !isRollback { run.rollbackFailure = nil }
    }

    /// The engine could not carry out `action`. Before anything changed the run is abandoned;
    /// after, it rolls back; during a rollback the step stays pending with `rollbackFailure`.
    public mutating func failed(_ action: RotationAction, reason: String) {
        guard action == next() else { return }
        noteRetirement(action)
        if isRollback || run.phase == .markFailed {
            run.rollbackFailure = reason
            return
        }
        if run.phase == .cleanup {
            // The new value is current and verified; a leftover bridge key is reported, not rolled
            // back. A ring left full holds only the new key, which is the master key by now.
            let what = run.immediate == true ? "gateway maxSurge not restored" : run.strategy == .keyRing ? "key ring not emptied"
                : run.colourSwitch != nil ? "the stopped colour's Secret still holds the old key" : "bridge key not removed"
            run.failure = "\(what): \(reason)"
            enter(.succeeded)
            return
        }
        run.failure = reason
        switch run.phase {
        case .preflight, .create:
            enter(.abandoned)
        case .stage:
            run.bridgeStaged = true // it may exist: remove it to be sure
            enter(.rollbackCleanup)
        case .deliver:
            // The failed patch may have landed (a timeout after the write): restore it too.
            run.patchedCount = segment.targets.lowerBound + run.cursor + 1
            enter(.rollbackDeliver)
        case .roll:
            noteRestart(action) // the failed restart may have landed
            enter(run.patchedCount > 0 ? .rollbackDeliver : .rollbackRoll)
        case .verify, .promote:
            enter(run.colourSwitch?.retired == true ? .rollbackRestore : .rollbackDeliver)
        default:
            break
        }
    }

    /// Segment `index`: its deliveries, then its rollouts; past the last segment, the checks.
    private mutating func enterSegment(_ index: Int) {
        let all = run.segments
        guard index < all.count else {
            run.segment = all.count - 1
            enter(.verify)
            return
        }
        run.segment = index
        if !all[index].targets.isEmpty {
            enter(.deliver)
        } else if !all[index].rollouts.isEmpty {
            enter(.roll)
        } else {
            enterSegment(index + 1)
        }
    }

    /// Records that the rollout `action` restarts was (possibly) restarted.
    private mutating func noteRestart(_ action: RotationAction) {
        run.rolled = true
        let ref: RotationPolicy.DeploymentRef
        switch action {
        case .restartDeployment(let d, _), .waitForRollout(let d): ref = d
        default: return
        }
        if let i = run.rollouts.firstIndex(of: ref) { run.rolledCount = max(run.rolledCount ?? 0, i + 1) }
    }

    /// Blue-green: records that the active colour was (possibly) scaled to 0.
    private mutating func noteRetirement(_ action: RotationAction) {
        if action == .stopColour(.active) { run.colourSwitch?.retired = true }
    }

    private var isRollback: Bool {
        [.rollbackRestore, .rollbackDeliver, .rollbackRoll, .rollbackVerify, .rollbackCleanup].contains(run.phase)
    }

    private mutating func enter(_ phase: RotationRun.Phase) {
        run.phase = phase
        run.cursor = 0
    }

    private mutating func advance(within count: Int, then phase: RotationRun.Phase) {
        run.cursor += 1
        if run.cursor >= count { enter(phase) }
    }
}
