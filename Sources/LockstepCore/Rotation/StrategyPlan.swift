/// What one strategy does in each phase of a run, as data: the ordered actions of the stage,
/// verify, clean-up and rollback phases, how targets and rollouts are grouped, and the order in
/// which Deployments restart. Compiled from a run's fixed fields (strategy, `immediate`, colours,
/// provider models, checks), so a journaled run always walks the plan it started with.
/// `RotationMachine` walks it and has no strategy branches: a strategy adds a plan here.
public struct StrategyPlan: Sendable {
    /// How a phase's Deployments restart.
    public enum RollOrder: Sendable, Equatable {
        /// Restart one, wait for it, then the next (bridge, key-ring, blue-green's backend).
        case oneByOne
        /// Restart all, then wait for each (`revoke --immediate`, and every rollback of restart-together).
        case allThenWait
        /// restart-together onto the new value: the gateway (the last rollout) first, until half of
        /// its pods accept the new key, then the others, then wait for all; the backend so switches
        /// while gateway pods already take the new key, instead of before the first does.
        case gatewayFirst
    }

    /// Before the first delivery: register the bridge key, stage the ring, start the idle colour,
    /// surge the gateway. Empty: the run goes straight to delivery.
    public let stage: [RotationAction]
    /// Targets and rollouts delivered and rolled together, in order.
    public let segments: [(targets: Range<Int>, rollouts: Range<Int>)]
    public let rollOrder: RollOrder
    /// The checks after the last rollout (blue-green also stops the old colour there).
    public let verify: [RotationAction]
    /// After promotion, when the stage ran (or always, with `cleanupUnstaged`): undo what
    /// staging added, retire the old value at its source.
    public let cleanup: [RotationAction]
    /// The clean-up runs even though nothing was staged (a key retired at its source).
    public var cleanupUnstaged = false
    /// What a given-up clean-up leaves, for the run's failure note.
    public let cleanupLeftover: String
    /// Blue-green: the colour that served is started again before anything else is rolled back.
    public let restoresColour: Bool
    /// The check that the old value works again after a rollback.
    public let rollbackVerify: RotationAction
    /// After a rollback, when the stage ran.
    public let rollbackCleanup: [RotationAction]

    /// The plan `run` walks.
    public static func of(_ run: RotationRun) -> StrategyPlan {
        let checks: [RotationAction] = run.providerModels.isEmpty
            ? [.verifyAccepted(.new)] + (run.verifyOldRefused ? [.verifyOldRefused] : [])
            : [.verifyProviderHealth(run.providerModels)] // a provider key is proven by model health
        let oldWorks: RotationAction = run.providerModels.isEmpty ? .verifyAccepted(.old) : .verifyProviderHealth(run.providerModels)
        let whole = [(0..<run.targets.count, 0..<run.rollouts.count)]
        if run.vaultOnly {
            // Nothing holds the value outside the vault: store it, promote it.
            return StrategyPlan(stage: [], segments: [], rollOrder: .oneByOne, verify: [], cleanup: [], cleanupLeftover: "", restoresColour: false,
                                rollbackVerify: .verifyAccepted(.old), rollbackCleanup: [])
        }
        if run.immediate {
            return StrategyPlan(stage: [.surgeGateway], segments: whole, rollOrder: .allThenWait, verify: checks, cleanup: [.restoreGatewaySurge],
                                cleanupLeftover: "gateway maxSurge not restored", restoresColour: false, rollbackVerify: oldWorks, rollbackCleanup: [.restoreGatewaySurge])
        }
        if run.colourSwitch != nil {
            // The new colour is verified at every pod, then the old one stops; after promotion its
            // Secret gets the new key too, so that the old key is left nowhere in the cluster.
            return StrategyPlan(stage: [.patchColourSecret(.idle, .new), .startColour(.idle, .new)], segments: whole, rollOrder: .oneByOne,
                                verify: run.providerModels.isEmpty ? [.verifyColour(.idle, .new), .stopColour(.active)] : checks,
                                cleanup: [.patchColourSecret(.active, .new)], cleanupLeftover: "the stopped colour's Secret still holds the old key",
                                restoresColour: true, rollbackVerify: .verifyColour(.active, .old),
                                rollbackCleanup: [.stopColour(.idle), .patchColourSecret(.idle, .old)])
        }
        switch run.strategy {
        case .keyRing:
            // Two segments: the backend side (every target and rollout but the last), then the
            // gateway (the last of each), so that the gateway's new master key reaches no pod
            // before the backend uses it. Through the Service a check reaches one pod at a time:
            // key-ring also asks each pod.
            let (t, r) = (run.targets.count, run.rollouts.count)
            let segments = t >= 2 && r >= 2 ? [(0..<(t - 1), 0..<(r - 1)), ((t - 1)..<t, (r - 1)..<r)] : whole
            return StrategyPlan(stage: [.stageKeyRing, .awaitKeyRing], segments: segments, rollOrder: .oneByOne,
                                verify: run.providerModels.isEmpty ? checks + [.verifyAtGatewayPods] : checks,
                                cleanup: [.clearKeyRing], cleanupLeftover: "key ring not emptied", restoresColour: false, rollbackVerify: oldWorks,
                                rollbackCleanup: [.clearKeyRing])
        case .bridge:
            return StrategyPlan(stage: [.stageBridgeKey], segments: whole, rollOrder: .oneByOne, verify: checks, cleanup: [.removeBridgeKey],
                                cleanupLeftover: "bridge key not removed", restoresColour: false, rollbackVerify: oldWorks, rollbackCleanup: [.removeBridgeKey])
        case .restartTogether, .rolling, .blueGreen:
            // rolling (provider keys): the gateway rolls onto the new key while the old one still
            // works at the provider. The run ends once no pod that started with the old key is left
            // (a terminating pod still serves its open connections with it), so that the old key
            // can then be retired at the provider, by the source itself or by a person, without a
            // failed request. (Blue-green without its colours is refused by the policy check.)
            let rolling = run.strategy == .rolling
            var plan = StrategyPlan(stage: [], segments: whole, rollOrder: run.strategy == .restartTogether ? .gatewayFirst : .oneByOne, verify: checks,
                                    cleanup: rolling ? [.awaitOldPodsStopped] + (run.retiresAtSource ? [.retireOldAtSource] : []) : [],
                                    cleanupLeftover: run.retiresAtSource ? "the old key is still valid at the provider"
                                        : rolling ? "pods that started with the old key were still stopping: wait for them before retiring it at the provider" : "",
                                    restoresColour: false, rollbackVerify: oldWorks, rollbackCleanup: [])
            plan.cleanupUnstaged = rolling
            return plan
        }
    }

    /// The roll phase's actions for `rollouts` (in policy order) with `intent`, in the order run.
    public func rollActions(_ rollouts: [RotationPolicy.DeploymentRef], intent: RolloutIntent) -> [RotationAction] {
        let restarts = { (refs: [RotationPolicy.DeploymentRef]) in refs.map { RotationAction.restartDeployment($0, intent) } }
        let waits = { (refs: [RotationPolicy.DeploymentRef]) in refs.map { RotationAction.waitForRollout($0) } }
        switch rollOrder {
        case .oneByOne:
            return rollouts.flatMap { [.restartDeployment($0, intent), .waitForRollout($0)] }
        case .gatewayFirst:
            if case .forward = intent, rollouts.count >= 2 {
                let order = Array(rollouts.reversed())
                return [.restartDeployment(order[0], intent), .awaitGatewayShare] + restarts(Array(order.dropFirst())) + waits(order)
            }
            return restarts(rollouts) + waits(rollouts)
        case .allThenWait:
            return restarts(rollouts) + waits(rollouts)
        }
    }
}
