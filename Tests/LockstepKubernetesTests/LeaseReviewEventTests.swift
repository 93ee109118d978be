import Foundation
import KubeSim
import Testing
@testable import LockstepKubernetes

@Suite("Leases, access reviews and Events against KubeSim")
struct LeaseReviewEventTests {
    @Test("Lease: create, get, update guarded by resourceVersion; a stale update is .conflict; microsecond times")
    func leases() async throws {
        let dir = try makeTempDirectory()
        defer { removeDirectory(dir) }
        try await withKubeSim { sim in
            let configuration = try K8sFixtures.configuration(for: sim, in: dir)
            try await KubernetesClient.withClient(configuration) { client in
                let acquired = Date(timeIntervalSince1970: 1_800_000_000.123456)
                let created = try await client.createLease(namespace: "lockstep", name: "lockstep-leader", spec: .init(
                    holderIdentity: "pod-a", leaseDurationSeconds: 15, acquireTime: acquired, renewTime: acquired, leaseTransitions: 0))
                let raw = try #require(sim.get(.leases, namespace: "lockstep", name: "lockstep-leader"))
                #expect(raw["spec"]?["renewTime"]?.stringValue == "2027-01-15T08:00:00.123456Z")
                #expect(created.spec.holderIdentity == "pod-a")

                let again = await #expect(throws: KubernetesError.self) {
                    try await client.createLease(namespace: "lockstep", name: "lockstep-leader", spec: .init(holderIdentity: "pod-b"))
                }
                #expect(again?.code == .alreadyExists)

                var lease = try await client.getLease(namespace: "lockstep", name: "lockstep-leader")
                #expect(abs((lease.spec.renewTime ?? .distantPast).timeIntervalSince(acquired)) < 0.000002)
                lease.spec.renewTime = acquired.addingTimeInterval(10)
                let renewed = try await client.updateLease(lease)
                #expect(renewed.metadata.resourceVersion != lease.metadata.resourceVersion)

                var stale = lease
                stale.spec.holderIdentity = "pod-b"
                let conflict = await #expect(throws: KubernetesError.self) { try await client.updateLease(stale) }
                #expect(conflict?.code == .conflict)
                #expect(conflict?.object == "lease lockstep/lockstep-leader")

                stale.metadata.resourceVersion = nil
                let unguarded = await #expect(throws: KubernetesError.self) { try await client.updateLease(stale) }
                #expect(unguarded?.code == .invalid)
            }
        }
    }

    @Test("SelfSubjectAccessReview answers from RBAC for a verb on a named object")
    func accessReview() async throws {
        let rules = """
            users:
              lockstep:
                - verbs: [get, patch]
                  resources: [secrets]
                  resourceNames: [litellm-masterkey]
                  namespaces: [gateway]
                - verbs: [patch]
                  apiGroups: [apps]
                  resources: [deployments/scale]
                  resourceNames: [litellm-green]
                  namespaces: [gateway]
            """
        let dir = try makeTempDirectory()
        defer { removeDirectory(dir) }
        try await withKubeSim(configure: {
            $0.tokens = TokenFile(entries: [("tok-review", UserInfo(name: "lockstep"))])
            $0.rbac = try RBACRules(yaml: rules)
        }) { sim in
            let configuration = try K8sFixtures.configuration(for: sim, in: dir)
            try await KubernetesClient.withClient(configuration) { client in
                let allowed = try await client.canI(ResourceAttributes(verb: "patch", resource: "secrets", namespace: "gateway", name: "litellm-masterkey"))
                #expect(allowed.allowed)
                let other = try await client.canI(ResourceAttributes(verb: "patch", resource: "secrets", namespace: "gateway", name: "other"))
                #expect(!other.allowed)
                let deploy = try await client.canI(ResourceAttributes(verb: "watch", group: "apps", resource: "deployments", namespace: "gateway"))
                #expect(!deploy.allowed)
                // A subresource is asked for as such (blue-green scales the colours): allowed for the named
                // Deployment's scale only, not for the Deployment itself nor another one's scale.
                let scale = try await client.canI(ResourceAttributes(verb: "patch", group: "apps", resource: "deployments", subresource: "scale", namespace: "gateway", name: "litellm-green"))
                #expect(scale.allowed)
                let whole = try await client.canI(ResourceAttributes(verb: "patch", group: "apps", resource: "deployments", namespace: "gateway", name: "litellm-green"))
                #expect(!whole.allowed)
                let blue = try await client.canI(ResourceAttributes(verb: "patch", group: "apps", resource: "deployments", subresource: "scale", namespace: "gateway", name: "litellm-blue"))
                #expect(!blue.allowed)
            }
        }
    }

    @Test("Event create: reason, message, type, involved object, source lockstep, timestamps, count")
    func events() async throws {
        let dir = try makeTempDirectory()
        defer { removeDirectory(dir) }
        try await withKubeSim { sim in
            var configuration = try K8sFixtures.configuration(for: sim, in: dir)
            let clock = TestClock()
            configuration.now = clock.closure
            let name = try await KubernetesClient.withClient(configuration) { client in
                try await client.createEvent(EventRecord(
                    reason: "CredentialRotated", message: "litellm-master-key rotated to v3", type: .normal,
                    involvedObject: InvolvedObject(apiVersion: "apps/v1", kind: "Deployment", namespace: "gateway", name: "litellm")))
            }
            #expect(name.hasPrefix("litellm."))
            let event = try #require(sim.get(.events, namespace: "gateway", name: name))
            #expect(event["reason"]?.stringValue == "CredentialRotated")
            #expect(event["type"]?.stringValue == "Normal")
            #expect(event["involvedObject"]?["kind"]?.stringValue == "Deployment")
            #expect(event["source"]?["component"]?.stringValue == "lockstep")
            #expect(event["firstTimestamp"]?.stringValue == "2027-01-15T08:00:00Z")
            #expect(event["count"]?.intValue == 1)
        }
    }
}
