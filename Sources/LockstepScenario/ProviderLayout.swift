import Foundation
import LockstepBench

/// The incident layout's providers: the gateway's models are Azure OpenAI (`azure-gpt-4o`),
/// Anthropic (`claude-haiku`), OpenAI (`gpt-4o`) and Gemini (`gemini-pro`), all on one
/// fake-provider process that also plays their admin APIs (Entra ID + Resource Manager for the
/// account, the Admin APIs for the Anthropic organization and the OpenAI project, Google's token
/// endpoint and API Keys API for the Cloud project), with
/// real key state: a regenerated or inactive key is refused by the data plane LiteLLM calls.
/// Every value is random per run and never printed.
public struct ProviderLayout: Sendable {
    public static let azureResourcePath = "/subscriptions/sub-incident/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/oai-gateway"
    public static let azureClientID = "app-lockstep"
    public static let anthropicOldKeyID = "apikey_gateway_old"
    public static let openaiProject = "proj_incident"
    public static let googleProject = "gw-incident"
    public static let googleOldKeyID = "gateway-2025"
    public static let models = ["azure-gpt-4o", "claude-haiku", "gpt-4o", "gemini-pro"]

    public let azureKey1: String, azureKey2: String, azureAdminSecret: String
    public let anthropicKey: String, anthropicAdminKey: String
    public let openaiKey: String, openaiAdminKey: String
    public let googleKey: String
    /// Lockstep's service account in the Google project (its JSON key: ``googleAdminJSON(providerURL:)``).
    let googleAccount: FakeGoogle.ServiceAccount
    /// The fake's state files, in the scenario's folder.
    public let azureKeysFile: String, anthropicKeysFile: String, openaiKeysFile: String, googleKeysFile: String
    let azureClientsFile: String, anthropicAdminFile: String, openaiAdminFile: String, googleAccountsFile: String

    init(directory: URL) throws {
        func hex() -> String { (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined() }
        azureKey1 = hex()
        azureKey2 = hex()
        azureAdminSecret = "azure-admin-" + hex()
        anthropicKey = "sk-ant-api03-" + hex() + hex()
        anthropicAdminKey = "sk-ant-admin01-" + hex()
        openaiKey = "sk-svcacct-" + hex() + hex()
        openaiAdminKey = "sk-admin-" + hex() + hex()
        googleKey = "AIza" + hex() + hex()
        googleAccount = try FakeGoogle.ServiceAccount(email: "lockstep@\(Self.googleProject).iam.gserviceaccount.com", role: "admin")
        azureKeysFile = directory.appendingPathComponent("azure-keys").path
        azureClientsFile = directory.appendingPathComponent("azure-clients").path
        anthropicKeysFile = directory.appendingPathComponent("anthropic-keys").path
        anthropicAdminFile = directory.appendingPathComponent("anthropic-admin").path
        openaiKeysFile = directory.appendingPathComponent("openai-keys").path
        openaiAdminFile = directory.appendingPathComponent("openai-admin").path
        googleKeysFile = directory.appendingPathComponent("google-keys").path
        googleAccountsFile = directory.appendingPathComponent("google-accounts").path
        for (path, text) in [(azureKeysFile, "\(azureKey1)\n\(azureKey2)\n"), (azureClientsFile, "\(Self.azureClientID) \(azureAdminSecret) keys\n"),
                             (anthropicKeysFile, "\(Self.anthropicOldKeyID) active \(anthropicKey)\n"), (anthropicAdminFile, anthropicAdminKey + "\n"),
                             (openaiKeysFile, "key_gateway svc_acct_gateway \(openaiKey) gateway-2025\n"), (openaiAdminFile, openaiAdminKey + "\n"),
                             (googleKeysFile, "\(Self.googleOldKeyID) active \(googleKey) generativelanguage.googleapis.com Gateway 2025\n"),
                             (googleAccountsFile, googleAccount.line + "\n")] {
            guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw ScenarioError("cannot write \(path)")
            }
        }
    }

    var fakeProviderArguments: [String] {
        ["--azure-account", Self.azureResourcePath, "--azure-keys-file", azureKeysFile, "--azure-clients-file", azureClientsFile,
         "--anthropic-keys-file", anthropicKeysFile, "--anthropic-admin-file", anthropicAdminFile,
         "--openai-project", Self.openaiProject, "--openai-keys-file", openaiKeysFile, "--openai-admin-file", openaiAdminFile,
         "--google-project", Self.googleProject, "--google-keys-file", googleKeysFile, "--google-accounts-file", googleAccountsFile]
    }

    /// The gateway's env Secret: each provider key as LiteLLM reads it (`os.environ/NAME`).
    var envSecret: [String: String] { ["AZURE_API_KEY": azureKey1, "ANTHROPIC_API_KEY": anthropicKey, "OPENAI_API_KEY": openaiKey, "GEMINI_API_KEY": googleKey] }

    static func modelList(providerURL: String) -> String {
        """
          - model_name: azure-gpt-4o
            litellm_params: {model: azure/gpt-4o-mini, api_base: "\(providerURL)", api_version: "2024-10-21", api_key: os.environ/AZURE_API_KEY, max_retries: 0, timeout: 10}
          - model_name: claude-haiku
            litellm_params: {model: anthropic/claude-3-5-haiku-20241022, api_base: "\(providerURL)", api_key: os.environ/ANTHROPIC_API_KEY, max_retries: 0, timeout: 10}
          - model_name: gpt-4o
            litellm_params: {model: openai/gpt-4o, api_base: "\(providerURL)/v1", api_key: os.environ/OPENAI_API_KEY, max_retries: 0, timeout: 10}
          - model_name: gemini-pro
            litellm_params: {model: gemini/gemini-2.0-flash, api_base: "\(providerURL)/v1beta", api_key: os.environ/GEMINI_API_KEY, max_retries: 0, timeout: 10}
        """
    }

    /// A person mints a new Anthropic key in the Console: it becomes active at the fake, and its
    /// value is returned (for `--value-file`).
    public func mintAnthropicKey() throws -> String {
        func hex() -> String { (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined() }
        let key = "sk-ant-api03-" + hex() + hex()
        let state = try String(contentsOfFile: anthropicKeysFile, encoding: .utf8)
        try (state + "apikey_gateway_new active \(key)\n").write(toFile: anthropicKeysFile, atomically: true, encoding: .utf8)
        return key
    }

    /// The Azure account's two keys now.
    public func azureKeys() throws -> [String] {
        try String(contentsOfFile: azureKeysFile, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
    }

    /// The values of the OpenAI project's keys now.
    public func openaiKeys() throws -> [String] {
        try String(contentsOfFile: openaiKeysFile, encoding: .utf8).split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: " ")
            return fields.count > 2 ? String(fields[2]) : nil
        }
    }

    /// The service account's JSON key, its `token_uri` at the fake provider.
    public func googleAdminJSON(providerURL: String) throws -> String { try googleAccount.json(baseURL: providerURL) }

    /// The Google project's keys now: (id, state, value).
    public func googleKeys() throws -> [(id: String, state: String, value: String)] {
        try String(contentsOfFile: googleKeysFile, encoding: .utf8).split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: " ")
            return fields.count > 2 ? (String(fields[0]), String(fields[1]), String(fields[2])) : nil
        }
    }

    /// The Anthropic key's status at the fake (`active`, `inactive`, …), by id.
    public func anthropicStatus(_ id: String) throws -> String? {
        let lines = try String(contentsOfFile: anthropicKeysFile, encoding: .utf8).split(whereSeparator: \.isNewline)
        for line in lines {
            let fields = line.split(separator: " ")
            if fields.count > 1, fields[0] == id { return String(fields[1]) }
        }
        return nil
    }
}
