import Foundation
import LockstepCore
@testable import LockstepPolicy
import Testing

let azurePolicy = """
apiVersion: lockstep/v1
kind: RotationPolicy
metadata: {name: azure-api-key}
spec:
  credential:
    kind: provider-key
    azure: {subscription: sub-1, resourceGroup: rg-ai, account: oai-prod, tenant: tenant-1, clientId: app-1, clientSecretCredential: azure-admin}
  strategy: rolling
  gateway: {url: "http://litellm.litellm-system.svc.cluster.local:4000", models: [azure-gpt-4o]}
  targets:
    - secret: {namespace: litellm-system, name: litellm-env-secret, key: AZURE_API_KEY}
  rollouts:
    - deployment: {namespace: litellm-system, name: litellm}
"""

@Suite("spec.credential.azure")
struct AzurePolicyTests {
    @Test("parses into an AzureAccount with Azure's public endpoints by default; its runs retire the old key at the source")
    func parses() throws {
        let parsed = PolicyLoader.parse(azurePolicy, file: "p.yaml")
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        let policy = try #require(parsed.policies.first?.0)
        guard case .azure(let account) = policy.source else { Issue.record("source \(policy.source)"); return }
        #expect(account == AzureAccount(subscription: "sub-1", resourceGroup: "rg-ai", account: "oai-prod", tenant: "tenant-1", clientID: "app-1",
                                        clientSecret: try CredentialName("azure-admin")))
        #expect(account.managementURL == "https://management.azure.com" && account.loginURL == "https://login.microsoftonline.com" && account.apiVersion == "2023-05-01")
        #expect(account.resourcePath == "/subscriptions/sub-1/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/oai-prod")
        #expect(policy.source.retiresAtSource)
        let plan = RotationPlan.steps(for: policy, kind: .rotate, newVersion: 2)
        #expect(plan.suffix(3) == [.promote, .awaitOldPodsStopped, .retireOldAtSource], "\(plan)")
    }

    @Test("refused: a missing field, a master key with an azure source, two sources, a non-https endpoint, characters that would change the URL")
    func refusals() {
        #expect(single(azurePolicy.replacingOccurrences(of: ", clientSecretCredential: azure-admin", with: ""))?.message.contains("clientSecretCredential") == true)
        let master = azurePolicy.replacingOccurrences(of: "kind: provider-key", with: "kind: litellm-master-key")
        #expect(check(master).contains { $0.message.contains("kind must be provider-key") })
        #expect(single(azurePolicy.replacingOccurrences(of: "    kind: provider-key\n", with: "    kind: provider-key\n    manual: {}\n"))?.message.contains("more than one source") == true)
        #expect(single(azurePolicy.replacingOccurrences(of: "clientSecretCredential: azure-admin}", with: "clientSecretCredential: azure-admin, managementURL: \"http://arm.example.com\"}"))?
            .message.contains("must be https") == true)
        #expect(check(azurePolicy.replacingOccurrences(of: "clientSecretCredential: azure-admin}", with: "clientSecretCredential: azure-admin, managementURL: \"http://127.0.0.1:8080\"}")).isEmpty,
                "http on 127.0.0.1 is the test bench")
        #expect(single(azurePolicy.replacingOccurrences(of: "account: oai-prod", with: "account: \"oai/../../x\""))?.message.contains("may hold only letters") == true)
        #expect(single(azurePolicy.replacingOccurrences(of: "clientSecretCredential: azure-admin", with: "clientSecretCredential: Azure_Admin"))?.line == 7)
    }
}

@Suite("spec.credential.anthropic")
struct AnthropicPolicyTests {
    static let text = azurePolicy
        .replacingOccurrences(of: "metadata: {name: azure-api-key}", with: "metadata: {name: anthropic-api-key}")
        .replacingOccurrences(of: "    azure: {subscription: sub-1, resourceGroup: rg-ai, account: oai-prod, tenant: tenant-1, clientId: app-1, clientSecretCredential: azure-admin}",
                              with: "    anthropic: {adminKeyCredential: anthropic-admin}")

    @Test("parses; its runs take a value from a person and retire the old key at the source")
    func parses() throws {
        let parsed = PolicyLoader.parse(Self.text, file: "p.yaml")
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        let policy = try #require(parsed.policies.first?.0)
        #expect(policy.source == .anthropic(AnthropicOrganization(adminKey: try CredentialName("anthropic-admin"))))
        #expect(policy.source.takesValue && policy.source.retiresAtSource)
        #expect(RotationPlan.steps(for: policy, kind: .revoke, newVersion: 2).suffix(2) == [.awaitOldPodsStopped, .retireOldAtSource])
    }

    @Test("refused: no admin key credential, a non-https base URL, a master key")
    func refusals() {
        #expect(single(Self.text.replacingOccurrences(of: "{adminKeyCredential: anthropic-admin}", with: "{}"))?.message.contains("adminKeyCredential") == true)
        #expect(single(Self.text.replacingOccurrences(of: "{adminKeyCredential: anthropic-admin}", with: "{adminKeyCredential: anthropic-admin, baseURL: \"http://api.example.com\"}"))?
            .message.contains("must be https") == true)
        #expect(check(Self.text.replacingOccurrences(of: "kind: provider-key", with: "kind: litellm-master-key")).contains { $0.message.contains("kind must be provider-key") })
    }
}

@Suite("spec.credential.openai")
struct OpenAIPolicyTests {
    static let text = azurePolicy
        .replacingOccurrences(of: "metadata: {name: azure-api-key}", with: "metadata: {name: openai-api-key}")
        .replacingOccurrences(of: "    azure: {subscription: sub-1, resourceGroup: rg-ai, account: oai-prod, tenant: tenant-1, clientId: app-1, clientSecretCredential: azure-admin}",
                              with: "    openai: {project: proj_abc123, adminKeyCredential: openai-admin}")

    @Test("parses with OpenAI's public endpoint and the prefix lockstep by default; its runs mint at the source, take no value, and retire the old key there")
    func parses() throws {
        let parsed = PolicyLoader.parse(Self.text, file: "p.yaml")
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        let policy = try #require(parsed.policies.first?.0)
        #expect(policy.source == .openai(OpenAIProject(project: "proj_abc123", adminKey: try CredentialName("openai-admin"))))
        #expect(policy.source.mintsAtSource && !policy.source.takesValue && policy.source.retiresAtSource)
        #expect(policy.source.mintedAt == "OpenAI (project proj_abc123)")
        if case .openai(let p) = policy.source { #expect(p.baseURL == "https://api.openai.com" && p.serviceAccountPrefix == "lockstep") }
        #expect(RotationPlan.steps(for: policy, kind: .rotate, newVersion: 2).suffix(2) == [.awaitOldPodsStopped, .retireOldAtSource])
        let custom = Self.text.replacingOccurrences(of: "adminKeyCredential: openai-admin}", with: "adminKeyCredential: openai-admin, serviceAccountPrefix: gw-prod, baseURL: \"http://127.0.0.1:9\"}")
        if case .openai(let p)? = PolicyLoader.parse(custom, file: "p.yaml").policies.first?.0.source {
            #expect(p.serviceAccountPrefix == "gw-prod" && p.baseURL == "http://127.0.0.1:9")
        } else { Issue.record("custom prefix and base URL not parsed") }
    }

    @Test("refused: no project, no admin key credential, a project id that would change the URL, a master key, a non-https base URL")
    func refusals() {
        #expect(single(Self.text.replacingOccurrences(of: "project: proj_abc123, ", with: ""))?.message.contains("project") == true)
        #expect(single(Self.text.replacingOccurrences(of: ", adminKeyCredential: openai-admin", with: ""))?.message.contains("adminKeyCredential") == true)
        #expect(single(Self.text.replacingOccurrences(of: "proj_abc123", with: "\"proj/../x\""))?.message.contains("may hold only letters") == true)
        #expect(check(Self.text.replacingOccurrences(of: "kind: provider-key", with: "kind: litellm-master-key")).contains { $0.message.contains("kind must be provider-key") })
        #expect(single(Self.text.replacingOccurrences(of: "adminKeyCredential: openai-admin}", with: "adminKeyCredential: openai-admin, baseURL: \"http://api.example.com\"}"))?
            .message.contains("must be https") == true)
    }
}

@Suite("spec.credential.google")
struct GooglePolicyTests {
    static let text = azurePolicy
        .replacingOccurrences(of: "metadata: {name: azure-api-key}", with: "metadata: {name: gemini-api-key}")
        .replacingOccurrences(of: "    azure: {subscription: sub-1, resourceGroup: rg-ai, account: oai-prod, tenant: tenant-1, clientId: app-1, clientSecretCredential: azure-admin}",
                              with: "    google: {project: gw-prod-123, serviceAccountKeyCredential: google-admin}")

    @Test("parses with Google's public endpoints and the prefix lockstep by default; its runs mint at the source, take no value, and retire the old key there")
    func parses() throws {
        let parsed = PolicyLoader.parse(Self.text, file: "p.yaml")
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        let policy = try #require(parsed.policies.first?.0)
        #expect(policy.source == .google(GoogleProject(project: "gw-prod-123", serviceAccountKey: try CredentialName("google-admin"))))
        #expect(policy.source.mintsAtSource && !policy.source.takesValue && policy.source.retiresAtSource)
        #expect(policy.source.mintedAt == "Google (project gw-prod-123)")
        if case .google(let p) = policy.source {
            #expect(p.apiKeysURL == "https://apikeys.googleapis.com" && p.resourceManagerURL == "https://cloudresourcemanager.googleapis.com"
                && p.generativeLanguageURL == "https://generativelanguage.googleapis.com" && p.keyPrefix == "lockstep")
        }
        #expect(RotationPlan.steps(for: policy, kind: .rotate, newVersion: 2).suffix(2) == [.awaitOldPodsStopped, .retireOldAtSource])
        let custom = Self.text.replacingOccurrences(of: "serviceAccountKeyCredential: google-admin}", with: "serviceAccountKeyCredential: google-admin, keyPrefix: gw-prod, baseURL: \"http://127.0.0.1:9\"}")
        if case .google(let p)? = PolicyLoader.parse(custom, file: "p.yaml").policies.first?.0.source {
            #expect(p.keyPrefix == "gw-prod" && p.apiKeysURL == "http://127.0.0.1:9" && p.resourceManagerURL == "http://127.0.0.1:9" && p.generativeLanguageURL == "http://127.0.0.1:9")
        } else { Issue.record("custom prefix and base URL not parsed") }
    }

    @Test("refused: no project, no service account key credential, a project that would change the URL, a key prefix Google would refuse, a master key, a non-https base URL")
    func refusals() {
        #expect(single(Self.text.replacingOccurrences(of: "project: gw-prod-123, ", with: ""))?.message.contains("project") == true)
        #expect(single(Self.text.replacingOccurrences(of: ", serviceAccountKeyCredential: google-admin", with: ""))?.message.contains("serviceAccountKeyCredential") == true)
        #expect(single(Self.text.replacingOccurrences(of: "gw-prod-123", with: "\"gw/../x\""))?.message.contains("may hold only lowercase letters") == true)
        for prefix in ["Gateway", "9lives", "gw_prod", String(repeating: "a", count: 41)] {
            #expect(single(Self.text.replacingOccurrences(of: "google-admin}", with: "google-admin, keyPrefix: \(prefix)}"))?.message.contains("keyPrefix") == true, "\(prefix)")
        }
        #expect(check(Self.text.replacingOccurrences(of: "kind: provider-key", with: "kind: litellm-master-key")).contains { $0.message.contains("kind must be provider-key") })
        #expect(single(Self.text.replacingOccurrences(of: "google-admin}", with: "google-admin, baseURL: \"http://api.example.com\"}"))?
            .message.contains("must be https") == true)
    }
}
