import Foundation
import KubeSim

/// A KubeSim over HTTPS with a tokens file and RBAC, seeded for the kubectl conformance tests.
struct KubectlBench {
    static let adminToken = "tok-admin-0123456789"
    static let lockstepToken = "tok-lockstep-0123456789"
    static let rules = """
        users:
          lockstep:
            - verbs: [get, patch]
              resources: [secrets]
              resourceNames: [s1]
              namespaces: [ns]
            - verbs: [get]
              resources: [secrets]
              resourceNames: [readonly]
              namespaces: [ns]
        """

    let sim: RunningKubeSim
    let directory: URL

    static func start(podReadyDelay: Duration = .milliseconds(300), seed: [JSONValue] = []) async throws -> KubectlBench {
        var config = KubeSimConfiguration()
        config.tokens = TokenFile(entries: [
            (adminToken, UserInfo(name: "admin", groups: ["system:masters"])),
            (lockstepToken, UserInfo(name: "lockstep")),
        ])
        config.rbac = try RBACRules(yaml: rules)
        config.podReadyDelay = podReadyDelay
        config.seedObjects = [
            Fixtures.secret("s1", data: ["masterkey": "sk-old-0123456789"]),
            Fixtures.secret("readonly", data: ["k": "v"]),
            Fixtures.deployment("web", replicas: 2),
        ] + seed
        let sim = try await KubeSim.start(config, logger: Fixtures.quietLogger)
        return KubectlBench(sim: sim, directory: try Fixtures.tempDirectory())
    }

    func kubectl(_ version: String, token: String = adminToken) throws -> Kubectl {
        try Kubectl(version: version, kubeconfig: Kubeconfig(server: sim.url.absoluteString, caPEM: sim.caPEM, credential: .token(token)), directory: directory)
    }

    func stop() async {
        await sim.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Waits until the Deployment's rollout is complete for its current generation.
    func waitRolledOut(_ name: String) async -> Bool {
        await Fixtures.eventually {
            guard let d = sim.get(.deployments, namespace: "ns", name: name), let s = d["status"] else { return false }
            let replicas = d.value(at: ["spec", "replicas"])?.intValue
            return s["observedGeneration"] == d.value(at: ["metadata", "generation"]) && s["updatedReplicas"]?.intValue == replicas
                && s["availableReplicas"]?.intValue == replicas && s["replicas"]?.intValue == replicas
        }
    }
}
