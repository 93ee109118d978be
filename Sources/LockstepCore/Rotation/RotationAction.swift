/// What the engine must do next for a rotation run. The state machine decides; the engine
/// (an adapter with a vault, a cluster and a gateway) carries it out and reports the outcome.
/// Every action is idempotent, so a crash between doing it and recording it is harmless:
/// on restart the same action is returned and done again.
public enum RotationAction: Sendable, Equatable {
    /// Check access, drift, gateway reachability and strategy prerequisites. Changes nothing.
    case preflight
    /// Make or accept the new value and store it as a `pending` version.
    case createVersion
    /// Bridge strategy: register the new master key as a LiteLLM virtual key.
    case stageBridgeKey
    /// Key-ring strategy: write the new key into the ring Secret (guarded by resourceVersion).
    case stageKeyRing
    /// Key-ring strategy: wait (bounded) until every gateway pod, probed directly, accepts the new key.
    case awaitKeyRing
    /// Key-ring strategy: empty the ring Secret again (after finish or during rollback).
    case clearKeyRing
    /// Key-ring strategy: at every gateway pod, the new key accepted (and the old refused, when asked).
    case verifyAtGatewayPods
    /// Blue-green: write `value` to the master-key Secret of the colour playing `role`.
    case patchColourSecret(ColourRole, RotationValue)
    /// Blue-green: scale the colour to the run's replicas and wait (bounded) until its rollout is
    /// complete and every one of its pods, probed directly, accepts `value`.
    case startColour(ColourRole, RotationValue)
    /// Blue-green: scale the colour to 0 and wait (bounded) until none of its pods is left.
    case stopColour(ColourRole)
    /// Blue-green: every pod of the colour accepts `value` (and, for the new value, refuses the old
    /// one when the run checks that).
    case verifyColour(ColourRole, RotationValue)
    /// Write `which` value to one target Secret (guarded by the resourceVersion just read).
    case patchSecret(RotationPolicy.SecretTarget, RotationValue)
    /// Set the pod-template annotation naming the intent on a Deployment (a new value each
    /// intent, so the same patch twice restarts once).
    case restartDeployment(RotationPolicy.DeploymentRef, RolloutIntent)
    /// Wait until the Deployment's rollout is complete (kubectl's rules).
    case waitForRollout(RotationPolicy.DeploymentRef)
    /// restart-together: wait (bounded) until at least half of the gateway's replicas, asked
    /// directly, accept the new key, before the backend restarts.
    case awaitGatewayShare
    /// `revoke --immediate`: set the gateway Deployment's maxSurge to 100% (the value it had is
    /// kept in an annotation on it), so that all its new pods start at once.
    case surgeGateway
    /// Put back the gateway's maxSurge as it was before `surgeGateway` (after finish or rollback).
    case restoreGatewaySurge
    /// The gateway accepts the given value (new after delivery; old after a rollback).
    case verifyAccepted(RotationValue)
    /// The gateway refuses the old value (revoke, or `checks.oldKeyRefused`).
    case verifyOldRefused
    /// Provider keys: `GET /health?model=` reports the models healthy.
    case verifyProviderHealth([String])
    /// Bridge strategy: delete the virtual key again (after finish or during rollback).
    case removeBridgeKey
    /// Before a key is retired at its source: wait (bounded) until no pod of the run's rollouts is
    /// still terminating. A pod out of the Service's endpoints still serves the requests on its
    /// open connections with the old key until its process exits.
    case awaitOldPodsStopped
    /// After promotion, when the source retires keys: make the old value invalid at the provider
    /// (Azure: regenerate the key that held it), keeping the new one.
    case retireOldAtSource
    /// Mark versions: new `current`, old `previous` (or `revoked`).
    case promote
    /// Mark the new version `failed` after a rollback restored the old value everywhere.
    case markFailed
}

/// Which value an action is about.
public enum RotationValue: String, Sendable, Codable, Equatable {
    case new, old
}

/// Why a Deployment is rolled; the engine turns it into the annotation value.
public enum RolloutIntent: Sendable, Equatable {
    /// Rolling onto the new version.
    case forward(version: Int)
    /// Rolling back to the old value after `failedVersion` failed.
    case rollback(failedVersion: Int)
}
