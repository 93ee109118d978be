import LockstepCore
import LockstepCrypto
import LockstepEngine
import LockstepProviders

/// The one way a rotation is started or resumed, for `lockstep rotate|revoke` and for the
/// daemon's coordinator alike: the one-run-at-a-time claim, the checks that need no cluster
/// (the policy names a gateway, no stored value in the request's text, a manual credential has
/// its value), resume-or-start from the journal, and the engine wired to the ports. Callers add
/// only what is theirs: reading stdin (the CLI), leadership, metrics and notifications (the daemon).
public struct RotationService: Sendable {
    /// Makes the gateway port for a base URL (LiteLLM's client in production).
    public typealias GatewayFactory = @Sendable (_ baseURL: String) -> any GatewayPort

    public struct Settings: Sendable {
        /// The engine's settings (rollout timeout, verification retries, the fence before each step).
        public var engine = RotationEngine.Settings()
        /// Reach the gateway here instead of the policy's URL (`--gateway-url`, e.g. a port-forward).
        public var gatewayOverride: String?
        public init() {}
    }

    /// What ``RotationService/prepare(_:policy:valueSupplied:)`` found.
    public struct Preparation: Sendable {
        /// The interrupted run of this credential that `run` resumes; nil when it starts a new one.
        public let resuming: RotationRun?
        /// Where the gateway is reached; nil for a credential only the vault holds.
        public let gatewayURL: String?
        /// Whether a new run needs a value from the caller (a manual source).
        public let needsValue: Bool
    }

    let store: any RotationStore
    let gateway: GatewayFactory
    let settings: Settings
    let claims: RunClaims
    let keySources: KeySourceFactory
    let progress: @Sendable (String) -> Void

    /// `keySources`: the provider adapters of sources that mint and retire keys; by default this
    /// build's (Azure), their admin credentials read from `store`.
    public init(store: any RotationStore, gateway: @escaping GatewayFactory, settings: Settings = Settings(), claims: RunClaims = RunClaims(),
                keySources: KeySourceFactory? = nil, progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.store = store
        self.keySources = keySources ?? ProviderKeySources.factory(secret: { [store] in try store.value(of: $0.rawValue) })
        self.gateway = gateway
        self.settings = settings
        self.claims = claims
        self.progress = progress
    }

    /// The credential being rotated in this process right now, if any.
    public var activeCredential: String? { claims.current }

    /// Claims the process for one run of `credential` (75 when another holds it). Take it before
    /// the request's first suspension point and release it when the request ends.
    public func claim(_ credential: String) throws -> RunClaims.Claim { try claims.claim(credential) }

    /// Holds the process for one incident (75 when a run or another incident holds it): its lanes
    /// then claim their credentials through the hold, side by side.
    public func hold() throws -> RunClaims.Hold { try claims.hold() }

    /// The checks that need neither the cluster nor the new value, and what `run` will do:
    /// called by the CLI before it reads a value from stdin, and by `run` itself.
    public func prepare(_ request: RunRequest, policy: RotationPolicy, valueSupplied: Bool) throws -> Preparation {
        guard policy.credential.rawValue == request.credential else {
            throw ServiceProblem("the policy is for \(policy.credential), not \(request.credential)", hint: nil, code: .usage)
        }
        if request.kind == .revoke, (request.reason ?? "").isEmpty {
            throw ServiceProblem("revoke needs a reason", hint: "pass --reason (recorded in the audit log)", code: .usage)
        }
        // Before anything else (exit 65): a reason or incident id holding a stored value never
        // reaches a log or the cluster.
        try store.refuseStoredValues(in: [(request.origin.reasonField, request.reason), (request.origin.incidentField, request.incident)])
        let gatewayURL = settings.gatewayOverride ?? policy.gatewayAddress
        guard gatewayURL != nil || policy.vaultOnly || policy.source.checksLogins else {
            throw ServiceProblem("the policy of \(request.credential) names no gateway", hint: "set spec.gateway.url (every run is verified through the gateway), or pass --gateway-url",
                                 code: .usage)
        }
        let resuming = try store.unfinishedRuns().first { $0.credential == request.credential }
        let needsValue = resuming == nil && policy.source.takesValue
        if needsValue, !valueSupplied {
            let command = request.kind == .revoke ? "lockstep revoke \(request.credential) --reason … --value-from-stdin --yes"
                                                  : "lockstep rotate \(request.credential) --value-from-stdin"
            throw ServiceProblem("\(request.credential) takes a manual value: only a person can mint it", hint: "get a new key from the provider, then `\(command)`", code: .usage)
        }
        if valueSupplied, resuming == nil, let place = policy.source.mintedAt {
            throw ServiceProblem("\(request.credential) is minted at \(place): Lockstep mints its keys there and takes no value",
                                 hint: "leave out --value-from-stdin, or change the policy's source to manual: {}", code: .usage)
        }
        return Preparation(resuming: resuming, gatewayURL: gatewayURL, needsValue: needsValue)
    }

    /// Resumes this credential's interrupted run, or starts one, and drives it to its end on
    /// `cluster`. Returns the report of a run that ended (succeeded, rolled back, not started);
    /// throws `RollbackFailed` (21) when a rollback step failed, a ``RunInterruption`` when the
    /// fence stopped it between steps, or the store's error when a step could not be journaled.
    public func run(_ request: RunRequest, policy: RotationPolicy, on cluster: any ClusterPort, claim: RunClaims.Claim) async throws -> RunReport {
        guard claim.credential == request.credential, claims.holds(request.credential) else {
            throw ServiceProblem("run of \(request.credential) without its claim", hint: "claim the run first (RotationService.claim)", code: .failure)
        }
        let prepared = try prepare(request, policy: policy, valueSupplied: request.manualValue != nil)
        let engine = RotationEngine(store: store, cluster: cluster, gateway: prepared.gatewayURL.map(gateway) ?? NoGateway(), settings: settings.engine,
                                    keySources: keySources, progress: progress)
        if let unfinished = prepared.resuming {
            progress("resuming interrupted run \(unfinished.id) (\(unfinished.phase.rawValue))")
            return try await engine.resume(unfinished, policy: policy, actor: request.actor, manualValue: request.manualValue)
        }
        return try await engine.start(policy: policy, kind: request.kind, actor: request.actor, reason: request.reason, manualValue: request.manualValue,
                                      immediate: request.immediate)
    }
}
