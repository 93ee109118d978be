import Foundation
import LockstepCore
import Yams

extension PolicyParser {
    /// `spec.credential.azure`: the account whose two keys Lockstep alternates, and the service
    /// principal it signs in as (its client secret is a credential in the vault, never here).
    func parseAzure(_ node: Node) -> AzureAccount? {
        let known = ["subscription", "resourceGroup", "account", "tenant", "clientId", "clientSecretCredential", "managementURL", "loginURL", "apiVersion"]
        guard let a = r.object(node, path: "spec.credential.azure", known: known) else { return nil }
        let subscription = a.string("subscription", required: true, hint: "the subscription id of the Azure OpenAI account")
        let group = a.string("resourceGroup", required: true)
        let account = a.string("account", required: true, hint: "the Azure OpenAI (Cognitive Services) account name")
        let tenant = a.string("tenant", required: true, hint: "the Microsoft Entra tenant id of the service principal")
        let client = a.string("clientId", required: true, hint: "the service principal's application (client) id")
        var secret: CredentialName?
        if let text = a.string("clientSecretCredential", required: true, hint: "the vault credential holding the client secret, e.g. azure-admin") {
            do { secret = try CredentialName(text) } catch {
                r.problem(a.node("clientSecretCredential") ?? a.node, "\(error)", hint: "use lowercase letters, digits and '-', e.g. azure-admin")
            }
        }
        for key in ["subscription", "resourceGroup", "account", "tenant", "clientId"] {
            if let value = a.string(key), !value.allSatisfy({ $0.isLetter || $0.isNumber || "-_.()".contains($0) }) {
                r.problem(a.node(key) ?? a.node, "spec.credential.azure.\(key) \"\(value)\" may hold only letters, digits and - _ . ( )", hint: "it becomes part of a Resource Manager URL")
            }
        }
        let management = url(a, "managementURL", path: "spec.credential.azure") ?? AzureAccount.defaultManagementURL
        let login = url(a, "loginURL", path: "spec.credential.azure") ?? AzureAccount.defaultLoginURL
        let version = a.string("apiVersion") ?? AzureAccount.defaultAPIVersion
        guard let subscription, let group, let account, let tenant, let client, let secret else { return nil }
        return AzureAccount(subscription: subscription, resourceGroup: group, account: account, tenant: tenant, clientID: client, clientSecret: secret,
                            managementURL: management, loginURL: login, apiVersion: version)
    }

    /// `spec.credential.anthropic`: the organization's Admin API key is a credential in the vault.
    func parseAnthropic(_ node: Node) -> AnthropicOrganization? {
        guard let a = r.object(node, path: "spec.credential.anthropic", known: ["adminKeyCredential", "baseURL"]) else { return nil }
        let admin = credential(a, "adminKeyCredential", hint: "the vault credential holding the Admin API key, e.g. anthropic-admin", example: "anthropic-admin")
        let base = url(a, "baseURL", path: "spec.credential.anthropic") ?? AnthropicOrganization.defaultBaseURL
        guard let admin else { return nil }
        return AnthropicOrganization(adminKey: admin, baseURL: base)
    }

    /// `spec.credential.openai`: the project, and the organization's Admin API key as a credential in the vault.
    func parseOpenAI(_ node: Node) -> OpenAIProject? {
        let path = "spec.credential.openai"
        guard let a = r.object(node, path: path, known: ["project", "adminKeyCredential", "serviceAccountPrefix", "baseURL"]) else { return nil }
        let project = a.string("project", required: true, hint: "the project id, proj_… (Settings → Project → General)")
        let admin = credential(a, "adminKeyCredential", hint: "the vault credential holding the Admin API key (sk-admin-…), e.g. openai-admin", example: "openai-admin")
        let prefix = a.string("serviceAccountPrefix") ?? OpenAIProject.defaultServiceAccountPrefix
        for (key, value) in [("project", project), ("serviceAccountPrefix", prefix)] {
            if let value, value.isEmpty || !value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_".contains($0)) }) {
                r.problem(a.node(key) ?? a.node, "\(path).\(key) \"\(value)\" may hold only letters, digits, - and _", hint: "it becomes part of an Admin API URL or a service account's name")
            }
        }
        let base = url(a, "baseURL", path: path) ?? OpenAIProject.defaultBaseURL
        guard let project, let admin else { return nil }
        return OpenAIProject(project: project, adminKey: admin, serviceAccountPrefix: prefix, baseURL: base)
    }

    /// `spec.credential.google`: the project, and the service account's JSON key as a credential in the vault.
    func parseGoogle(_ node: Node) -> GoogleProject? {
        let path = "spec.credential.google"
        guard let a = r.object(node, path: path, known: ["project", "serviceAccountKeyCredential", "keyPrefix", "baseURL"]) else { return nil }
        let project = a.string("project", required: true, hint: "the project id or number (Google Cloud console → project picker)")
        let admin = credential(a, "serviceAccountKeyCredential", hint: "the vault credential holding the service account's JSON key, e.g. google-admin", example: "google-admin")
        let prefix = a.string("keyPrefix") ?? GoogleProject.defaultKeyPrefix
        // Both become part of a URL or a key id: `projects/{project}`, keyId `[a-z]([a-z0-9-]{0,61}[a-z0-9])?`.
        if let project, project.isEmpty || !project.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) {
            r.problem(a.node("project") ?? a.node, "\(path).project \"\(project)\" may hold only lowercase letters, digits and -", hint: "a project id (my-project) or number")
        }
        if prefix.isEmpty || prefix.count > 40 || !(prefix.first?.isLowercase ?? false) || !prefix.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) {
            r.problem(a.node("keyPrefix") ?? a.node, "\(path).keyPrefix \"\(prefix)\" must start with a lowercase letter and hold only lowercase letters, digits and - (at most 40)",
                      hint: "it starts the minted keys' ids, which Google limits to 63 such characters")
        }
        let base = url(a, "baseURL", path: path)
        guard let project, let admin else { return nil }
        return GoogleProject(project: project, serviceAccountKey: admin, keyPrefix: prefix, baseURL: base)
    }

    /// A required credential name field (a vault credential holding an admin secret).
    func credential(_ a: YAMLReader.Object, _ key: String, hint: String, example: String) -> CredentialName? {
        guard let text = a.string(key, required: true, hint: hint) else { return nil }
        do { return try CredentialName(text) } catch {
            r.problem(a.node(key) ?? a.node, "\(error)", hint: "use lowercase letters, digits and '-', e.g. \(example)")
            return nil
        }
    }

    private func url(_ a: YAMLReader.Object, _ key: String, path: String) -> String? {
        guard let text = a.string(key) else { return nil }
        guard let u = URL(string: text), ["http", "https"].contains(u.scheme ?? ""), u.host != nil else {
            r.problem(a.node(key) ?? a.node, "\(path).\(key) \"\(text)\" is not an http(s) URL", hint: "leave it out for the provider's public endpoint")
            return nil
        }
        if u.scheme == "http", !["127.0.0.1", "localhost", "::1"].contains(u.host ?? "") {
            r.problem(a.node(key) ?? a.node, "\(path).\(key) receives an admin credential: it must be https (http only on 127.0.0.1, for a test bench)")
            return nil
        }
        return text
    }
}
