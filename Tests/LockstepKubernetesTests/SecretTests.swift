import Foundation
import KubeSim
import LockstepCrypto
import LockstepTesting
import Testing
@testable import LockstepKubernetes

@Suite("Secrets and ownership")
struct SecretTests {
    @Test("get decodes values on request only; patch sets one key guarded by resourceVersion; same value keeps the version")
    func getAndPatch() async throws {
        let dir = try makeTempDirectory()
        defer { removeDirectory(dir) }
        let seed = [K8sFixtures.secret("litellm-masterkey", data: ["masterkey": "sk-old-value", "salt": "keep-me"])]
        try await withKubeSim(seed: seed) { sim in
            let configuration = try K8sFixtures.configuration(for: sim, in: dir)
            let logs = CapturedLogs()
            try await KubernetesClient.withClient(configuration, logger: logs.logger) { client in
                let secret = try await client.getSecret(namespace: "gateway", name: "litellm-masterkey")
                #expect(secret.keys == ["masterkey", "salt"])
                #expect(!"\(secret)".contains("sk-old-value") && !"\(secret)".contains(K8sFixtures.base64("sk-old-value")))
                var dumped = ""
                dump(secret, to: &dumped)
                #expect(!dumped.contains(K8sFixtures.base64("sk-old-value")))
                let old = try #require(try secret.value(forKey: "masterkey"))
                #expect(old.constantTimeEquals(Array("sk-old-value".utf8)))
                #expect("\(old)" == "<redacted>")

                var bytes = Array("sk-new-value".utf8)
                let newValue = try SecretBytes.take(&bytes)
                let version = try await client.patchSecretKey(namespace: "gateway", name: "litellm-masterkey", key: "masterkey",
                                                              value: newValue, resourceVersion: secret.resourceVersion)
                #expect(version != secret.resourceVersion)
                let stored = try #require(sim.get(.secrets, namespace: "gateway", name: "litellm-masterkey"))
                #expect(stored["data"]?["masterkey"]?.stringValue == K8sFixtures.base64("sk-new-value"))
                #expect(stored["data"]?["salt"]?.stringValue == K8sFixtures.base64("keep-me"), "other keys untouched")

                let again = try await client.patchSecretKey(namespace: "gateway", name: "litellm-masterkey", key: "masterkey",
                                                            value: newValue, resourceVersion: version)
                #expect(again == version, "writing the same value changes nothing")
            }
            #expect(logs.all.allSatisfy { !$0.contains("sk-new-value") && !$0.contains(K8sFixtures.base64("sk-new-value")) })
        }
    }

    @Test("ownership: a field manager recorded by the server, Helm and Argo CD labels, ExternalSecret owner")
    func ownershipFromServer() async throws {
        let dir = try makeTempDirectory()
        defer { removeDirectory(dir) }
        let seed = [
            K8sFixtures.secret("plain", data: ["k": "v"]),
            K8sFixtures.secret("charted", data: ["k": "v"], labels: ["app.kubernetes.io/managed-by": "Helm", "argocd.argoproj.io/instance": "gateway"],
                               annotations: ["meta.helm.sh/release-name": "litellm"]),
        ]
        try await withKubeSim(seed: seed) { sim in
            let configuration = try K8sFixtures.configuration(for: sim, in: dir)
            try await KubernetesClient.withClient(configuration) { client in
                let plain = try await client.getSecret(namespace: "gateway", name: "plain")
                #expect(plain.ownershipFindings.isEmpty, "\(plain.ownershipFindings)")
                var bytes = Array("w".utf8)
                try await client.patchSecretKey(namespace: "gateway", name: "plain", key: "k", value: try SecretBytes.take(&bytes),
                                                resourceVersion: plain.resourceVersion, fieldManager: "external-secrets")
                let managed = try await client.getSecret(namespace: "gateway", name: "plain")
                #expect(managed.ownershipFindings == [OwnershipFinding(owner: "External Secrets Operator", evidence: "managedFields manager external-secrets")])

                let charted = try await client.getSecret(namespace: "gateway", name: "charted")
                let owners = charted.ownershipFindings.map(\.owner)
                #expect(owners.contains("Helm"))
                #expect(owners.contains("Helm release litellm"))
                #expect(owners.contains("Argo CD application gateway"))
            }
        }
    }

    @Test("ownership: ownerReferences and known managers (unit)")
    func ownershipUnit() {
        var meta = ObjectMeta(name: "s", namespace: "ns")
        meta.ownerReferences = [OwnerReference(apiVersion: "external-secrets.io/v1beta1", kind: "ExternalSecret", name: "keys", controller: true),
                                OwnerReference(apiVersion: "bitnami.com/v1alpha1", kind: "SealedSecret", name: "sealed")]
        meta.managedFields = [ManagedFieldsEntry(manager: "kubectl-client-side-apply"), ManagedFieldsEntry(manager: "argocd-controller"),
                              ManagedFieldsEntry(manager: "kustomize-controller"), ManagedFieldsEntry(manager: "helm")]
        meta.annotations = ["reconcile.external-secrets.io/data-hash": "abc"]
        let findings = SecretOwnership.findings(meta)
        #expect(findings.map(\.owner) == ["ExternalSecret keys", "SealedSecret sealed", "Argo CD", "Flux (kustomize-controller)", "Helm",
                                          "External Secrets Operator"])
        #expect(findings[0].evidence.contains("controller ownerReference"))
        #expect(SecretOwnership.findings(ObjectMeta(name: "x")).isEmpty)
    }
}
