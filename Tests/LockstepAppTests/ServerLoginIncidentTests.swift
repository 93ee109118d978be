import LockstepApp
import LockstepCore
import LockstepPolicy
import LockstepTesting
import Testing

/// `revoke --all` and the gateway's database and cache logins: a login that names no gateway is
/// part of a gateway's incident when its pods hold it (it is delivered to a Deployment that
/// gateway's policies roll), and it is revoked right after the master key, with the provider keys
/// that need no person.
@Suite("revoke --all and server logins")
struct ServerLoginIncidentTests {
    static func login(_ name: String, deployment: String) -> String {
        """
        apiVersion: lockstep/v1
        kind: RotationPolicy
        metadata: {name: \(name)}
        spec:
          credential:
            kind: postgres-password
            postgres: {host: 127.0.0.1, adminUser: lockstep_admin, adminPasswordCredential: postgres-admin, users: [litellm_a, litellm_b]}
          targets:
            - secret: {namespace: litellm-system, name: \(deployment)-env, key: DATABASE_URL}
          rollouts:
            - deployment: {namespace: litellm-system, name: \(deployment)}
        """
    }

    func parse(_ text: String) throws -> RotationPolicy {
        let parsed = PolicyLoader.parse(text, file: "p.yaml")
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        return try #require(parsed.policies.first?.0)
    }

    @Test("--gateway-url takes the logins its pods hold and leaves another gateway's; the master key first, then the logins")
    func includedAndOrdered() throws {
        let master = try parse(KubeObjects.masterKeyPolicy(gatewayURL: "http://litellm:4000"))
        let ours = try parse(Self.login("litellm-database-url", deployment: "litellm"))
        let theirs = try parse(Self.login("other-database-url", deployment: "other-gateway"))
        let chosen = IncidentPlan.policies([theirs, ours, master], ofGateway: "http://litellm:4000")
        #expect(chosen.map(\.credential.rawValue) == ["litellm-database-url", "litellm-master-key"])
        #expect(IncidentPlan.policies([theirs, ours, master], ofGateway: nil).count == 3)
        let plan = IncidentPlan.make(chosen, suppliedValues: [])
        #expect(plan.items.map(\.credential) == ["litellm-master-key", "litellm-database-url"])
        #expect(plan.items.allSatisfy { $0.blocker == nil })
        #expect(plan.lanes.count == 1, "both roll litellm-system/litellm: one after the other")
    }
}
