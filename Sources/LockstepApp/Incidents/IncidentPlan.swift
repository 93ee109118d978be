import LockstepCore

/// Which credentials `revoke --all` revokes, in which order, and which cannot be revoked
/// without a person. One gateway's credentials all roll the same gateway Deployment, so their
/// runs go one after another in one ``lanes`` lane (two rollouts of one Deployment would merge
/// into one, and neither run could verify its own); credentials that share no gateway, Deployment
/// or Secret are independent, and their lanes run in parallel. What needs no rollout, the
/// providers' preflights, runs in parallel beforehand (``IncidentService``).
public struct IncidentPlan: Sendable {
    public struct Item: Sendable {
        public let policy: RotationPolicy
        /// Why this credential is not revoked now, and what a person must do; nil: it is.
        public var blocker: String?
        public var credential: String { policy.credential.rawValue }
    }

    public let items: [Item]

    /// The order that keeps the backend serving and closes the widest door first:
    /// 1. the master key: whoever holds it uses every provider key through the gateway and
    ///    administers the gateway itself;
    /// 2. provider keys Lockstep mints and retires at their provider, and the gateway's database
    ///    and cache logins it rotates at their server (no person needed);
    /// 3. provider keys retired at their provider with a new value a person minted (Anthropic);
    /// 4. provider keys with a manual source: rolled out, but the old key stays valid at the
    ///    provider until a person deletes it there;
    /// 5. anything else.
    /// Within a group, by credential name. `suppliedValues`: the credentials given a new value
    /// (`--value-file`); a source that takes a value and has none is a blocker, not a failure.
    public static func make(_ policies: [RotationPolicy], suppliedValues: Set<String>) -> IncidentPlan {
        let ordered = policies.sorted { (rank($0), $0.credential.rawValue) < (rank($1), $1.credential.rawValue) }
        return IncidentPlan(items: ordered.map { p in
            var blocker: String?
            if p.source.takesValue, !suppliedValues.contains(p.credential.rawValue) {
                blocker = "only a person can mint the new key of \(p.credential) at its provider: mint it, then pass --value-file \(p.credential)=PATH "
                    + "(or `lockstep revoke \(p.credential) --incident … --value-from-stdin --yes`)"
            }
            return Item(policy: p, blocker: blocker)
        })
    }

    /// The policies of one gateway (those whose gateway URL is `gateway`, and the database and
    /// cache logins that name no gateway but are delivered to a Deployment those roll: the same
    /// pods held them), or all when nil. Credentials only the vault holds (admin credentials) are
    /// left out: no gateway held them.
    public static func policies(_ all: [RotationPolicy], ofGateway gateway: String?) -> [RotationPolicy] {
        let held = all.filter { !$0.vaultOnly }
        guard let gateway else { return held }
        let named = held.filter { $0.gatewayAddress == gateway }
        let pods = Set(named.flatMap(\.rollouts))
        return held.filter { p in
            p.gatewayAddress == gateway || (p.gatewayAddress == nil && p.source.checksLogins && !pods.isDisjoint(with: p.rollouts))
        }
    }

    /// The items in lanes: two items share a lane when they share a gateway address, a Deployment
    /// they roll or a Secret they write (transitively); each lane keeps the plan's order, and the
    /// lanes are in the order of their first item. Lanes touch nothing in common, so they run in
    /// parallel.
    public var lanes: [[Item]] {
        var laneOf: [Int] = Array(items.indices)
        func root(_ i: Int) -> Int {
            var i = i
            while laneOf[i] != i { i = laneOf[i] }
            return i
        }
        var owner: [String: Int] = [:]
        for (i, item) in items.enumerated() {
            for resource in Self.resources(item.policy) {
                if let j = owner[resource] {
                    let (a, b) = (root(i), root(j))
                    laneOf[max(a, b)] = min(a, b)
                } else {
                    owner[resource] = i
                }
            }
        }
        var lanes: [Int: [Item]] = [:]
        for (i, item) in items.enumerated() { lanes[root(i), default: []].append(item) }
        return lanes.keys.sorted().map { lanes[$0]! }
    }

    /// What a run of `p` writes, rolls or asks: its gateway, Deployments and Secrets.
    private static func resources(_ p: RotationPolicy) -> Set<String> {
        var out = Set(p.rollouts.map { "deployment \($0)" })
        out.formUnion(p.targets.map { "secret \($0.namespace)/\($0.name)" })
        if let gateway = p.gateway?.url { out.insert("gateway \(gateway)") }
        if let ring = p.keyRing?.secret { out.insert("secret \(ring.namespace)/\(ring.name)") }
        for colour in p.blueGreen?.colours ?? [] {
            out.formUnion(["deployment \(colour.deployment)", "secret \(colour.secret.namespace)/\(colour.secret.name)", "gateway \(colour.url)"])
        }
        return out
    }

    private static func rank(_ p: RotationPolicy) -> Int {
        if p.kind == .litellmMasterKey { return 0 }
        if p.source.checksLogins { return 1 }
        guard p.kind == .providerKey else { return 4 }
        if p.source.retiresAtSource { return p.source.takesValue ? 2 : 1 }
        return 3
    }
}
