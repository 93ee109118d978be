import Testing
@testable import KubeSim

@Suite("RBAC rules and tokens")
struct RBACTests {
    let rules = try! RBACRules(yaml: """
        users:
          lockstep:
            - verbs: [get, patch]
              resources: [secrets]
              resourceNames: [s1]
              namespaces: [ns]
            - verbs: [get, list, watch, patch]
              resources: [deployments]
              apiGroups: [apps]
        """)
    let lockstep = UserInfo(name: "lockstep")

    @Test("rules allow only the listed verbs, names and namespaces")
    func allows() {
        #expect(rules.allows(lockstep, .init(verb: "patch", group: "", resource: "secrets", namespace: "ns", name: "s1")))
        #expect(!rules.allows(lockstep, .init(verb: "delete", group: "", resource: "secrets", namespace: "ns", name: "s1")))
        #expect(!rules.allows(lockstep, .init(verb: "get", group: "", resource: "secrets", namespace: "ns", name: "s2")))
        #expect(!rules.allows(lockstep, .init(verb: "get", group: "", resource: "secrets", namespace: "other", name: "s1")))
        // resourceNames cannot restrict a list.
        #expect(!rules.allows(lockstep, .init(verb: "list", group: "", resource: "secrets", namespace: "ns")))
        #expect(rules.allows(lockstep, .init(verb: "watch", group: "apps", resource: "deployments", namespace: "any")))
        #expect(!rules.allows(lockstep, .init(verb: "patch", group: "apps", resource: "deployments", subresource: "scale", namespace: "ns", name: "d")))
        #expect(!rules.allows(UserInfo(name: "stranger"), .init(verb: "get", group: "", resource: "secrets", namespace: "ns", name: "s1")))
        #expect(rules.allows(UserInfo(name: "root", groups: ["system:masters"]), .init(verb: "delete", group: "", resource: "secrets")))
    }

    @Test("the 403 message is the apiserver's")
    func forbiddenMessage() {
        let named = ResourceAttributes(verb: "patch", group: "", resource: "secrets", namespace: "ns", name: "x")
        #expect(named.forbiddenMessage(user: "u") == #"secrets "x" is forbidden: User "u" cannot patch resource "secrets" in API group "" in the namespace "ns""#)
        let list = ResourceAttributes(verb: "list", group: "apps", resource: "deployments", namespace: "ns")
        #expect(list.forbiddenMessage(user: "u") == #"deployments.apps is forbidden: User "u" cannot list resource "deployments" in API group "apps" in the namespace "ns""#)
        let cluster = ResourceAttributes(verb: "list", group: "", resource: "secrets")
        #expect(cluster.forbidden(user: "u").status["code"] == 403)
        #expect(cluster.forbiddenMessage(user: "u").hasSuffix("at the cluster scope"))
    }

    @Test("over HTTP every request is authorized, namespaces included")
    func enforcedOnEveryRequest() async throws {
        let sim = try await Fixtures.httpSim([Fixtures.secret("s1", data: ["k": "v"])]) {
            $0.tokens = TokenFile(entries: [("tok-l", UserInfo(name: "lockstep"))])
            $0.rbac = rules
        }
        do {
            let http = RawHTTP(sim)
            let auth = ["Authorization": "Bearer tok-l"]
            #expect(try await http.request("GET", "/api/v1/namespaces/ns/secrets/s1", headers: auth).status == 200)
            let denied = try await http.request("DELETE", "/api/v1/namespaces/ns/secrets/s1", headers: auth)
            #expect(denied.status == 403)
            #expect(denied.json["message"] == #"secrets "s1" is forbidden: User "lockstep" cannot delete resource "secrets" in API group "" in the namespace "ns""#)
            #expect(denied.json["reason"] == "Forbidden")
            #expect(try await http.request("GET", "/api/v1/namespaces/ns", headers: auth).status == 403)
            #expect(try await http.request("GET", "/kubesim/faults", headers: auth).status == 403)
            #expect(try await http.request("GET", "/api/v1", headers: auth).status == 200, "discovery is open to every authenticated user")
            #expect(try await http.request("GET", "/api/v1/namespaces/ns/secrets/s1", headers: ["Authorization": "Bearer nope"]).status == 401)
        } catch {
            await sim.stop()
            throw error
        }
        await sim.stop()
    }

    @Test("tokens file in kube-apiserver's CSV format")
    func tokens() throws {
        let file = try TokenFile(parsing: "# comment\ntok-a,alice,1,\"system:masters,devs\"\n\ntok-b,bob\n")
        #expect(file.entries.count == 2)
        #expect(file.user(forToken: "tok-a")?.isSuperuser == true)
        #expect(file.user(forToken: "tok-b")?.name == "bob")
        #expect(file.user(forToken: "nope") == nil)
        #expect(throws: KubeSimError.self) { try TokenFile(parsing: "only-a-token\n") }
    }
}
