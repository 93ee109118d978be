import Foundation
import LockstepApp
import LockstepCrypto
import LockstepLiteLLM
import LockstepTesting

/// What the incident drill measured and saw.
public struct IncidentOutcome: Sendable {
    public var exitCode: Int32 = -1
    /// `revoke --all --json`'s report (nil when it printed none).
    public var report: IncidentReport?
    /// Wall time of the command, from its start to its exit.
    public var seconds = 0.0
    /// `history --incident` gave the same entries.
    public var historyMatches = false
    public var auditVerified = false
    /// The checks at the sources, made by the drill itself.
    public var masterKeyRefused = false, azureOldKeysDead = false, anthropicOldKeyInactive = false, openaiOldKeyDeleted = false, googleOldKeyDeleted = false
    public var backend = LoadTally()
    /// Any key (old or new, admin credentials too) in the CLI's output.
    public var keyInOutput = true
    /// Every value the drill knew, for leak checks only.
    var keys: [SecretBytes] = []
}

/// The compromised-gateway drill, end to end on the demo's layout with provider models: KubeSim
/// runs real LiteLLM gateway pods whose models are Azure OpenAI, Anthropic and OpenAI (the fake
/// provider, with their admin APIs) and backend pods asking for each in turn; the real `lockstep`
/// CLI imports the master key, the Azure, Anthropic, OpenAI and Gemini keys and their admin
/// credentials, a person mints the new Anthropic key, and `lockstep revoke --all` revokes the
/// five under one incident.
public struct IncidentDrill: Sendable {
    let tools: ScenarioTools
    let directory: URL
    let transcript: Transcript

    public init(tools: ScenarioTools, directory: URL, transcript: Transcript) {
        self.tools = tools
        self.directory = directory
        self.transcript = transcript
    }

    public func run() async throws -> IncidentOutcome {
        var options = ScenarioOptions(gateway: .litellm)
        options.providers = true
        var (outcome, scenario) = try await RunningScenario.with(options, tools: tools, directory: directory.appendingPathComponent("cluster"), log: transcript.say) {
            var outcome = IncidentOutcome()
            try await steps($0, &outcome)
            return outcome
        }
        outcome.backend = LoadTally(before: [:], after: scenario.reports.finals(), from: .distantPast, to: .distantFuture)
        let b = outcome.backend
        transcript.say("\n== the backend's view: \(b.total) requests to azure-gpt-4o, claude-haiku, gpt-4o and gemini-pro, \(b.failed) failed (\(b.statusSummary)); \(b.retrySummary)")
        outcome.keyInOutput = transcript.contains(anyOf: outcome.keys)
        return outcome
    }

    private func steps(_ scenario: RunningScenario, _ outcome: inout IncidentOutcome) async throws {
        guard let layout = scenario.providerLayout else { throw ScenarioError("the scenario has no provider layout") }
        let policies = directory.appendingPathComponent("policies")
        try FileManager.default.createDirectory(at: policies, withIntermediateDirectories: true)
        for (name, text) in Self.policies(gatewayURL: scenario.gatewayURL, providerURL: scenario.providerURL) {
            try text.write(to: policies.appendingPathComponent("\(name).yaml"), atomically: true, encoding: .utf8)
        }
        let vault = directory.appendingPathComponent("vault.db").path, key = directory.appendingPathComponent("vault.key").path
        let cli = CLI(binary: tools.lockstep, env: ["LOCKSTEP_VAULT": vault, "LOCKSTEP_KEY_FILE": key], directory: directory, transcript: transcript)
        let cluster = ["--kubeconfig", scenario.kubeconfig, "--policies", policies.path]
        transcript.say("\n== Lockstep takes over the gateway's credentials")
        try await cli.require(["vault", "keygen", "--out", key])
        try await cli.require(["vault", "init"])
        try await cli.require(["credential", "adopt", "litellm-master-key"] + cluster)
        let values = [("azure-api-key", "provider-key", layout.azureKey1), ("azure-admin", "generic", layout.azureAdminSecret),
                      ("anthropic-api-key", "provider-key", layout.anthropicKey), ("anthropic-admin", "generic", layout.anthropicAdminKey),
                      ("openai-api-key", "provider-key", layout.openaiKey), ("openai-admin", "generic", layout.openaiAdminKey),
                      ("gemini-api-key", "provider-key", layout.googleKey), ("google-admin", "generic", try layout.googleAdminJSON(providerURL: scenario.providerURL))]
        for (name, kind, value) in values {
            let file = try secretFile(name, value)
            defer { try? FileManager.default.removeItem(atPath: file) }
            try await cli.require(["credential", "import", name, "--kind", kind, "--value-file", file])
        }
        outcome.keys = try ([scenario.initialMasterKey.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }, layout.azureKey2] + values.map(\.2)).map { try SecretBytes(utf8: $0) }

        transcript.say("\n== the incident: every credential this gateway held was stolen. A person mints the new Anthropic key in the Console (the Admin API cannot).")
        let anthropicNew = try layout.mintAnthropicKey()
        outcome.keys.append(try SecretBytes(utf8: anthropicNew))
        let newKeyFile = try secretFile("anthropic-new", anthropicNew)
        defer { try? FileManager.default.removeItem(atPath: newKeyFile) }
        let started = ContinuousClock.now
        let result = try await cli.run(["revoke", "--all", "--incident", "INC-2026-0324", "--reason", "litellm 1.82.7 credential stealer", "--value-file",
                                        "anthropic-api-key=\(newKeyFile)", "--yes", "--json"] + cluster)
        let took = ContinuousClock.now - started
        outcome.seconds = Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
        outcome.exitCode = result.code
        outcome.report = try? JSONDecoder().decode(IncidentReport.self, from: Data(result.stdout.utf8))
        for k in [scenario.liveMasterKey()].compactMap({ $0 }) { outcome.keys.append(k) }
        outcome.keys += try (layout.azureKeys() + layout.openaiKeys() + layout.googleKeys().map(\.value)).map { try SecretBytes(utf8: $0) }

        // At the sources, checked by the drill itself.
        outcome.masterKeyRefused = (try? await LiteLLMGateway(client: LiteLLMClient(baseURL: scenario.gatewayURL, timeout: .seconds(10))).accepts(scenario.initialMasterKey)) == false
        let azureNow = try layout.azureKeys()
        outcome.azureOldKeysDead = azureNow.count == 2 && !azureNow.contains(layout.azureKey1) && !azureNow.contains(layout.azureKey2)
        outcome.anthropicOldKeyInactive = try layout.anthropicStatus(ProviderLayout.anthropicOldKeyID) == "inactive"
        let openaiNow = try layout.openaiKeys()
        outcome.openaiOldKeyDeleted = !openaiNow.isEmpty && !openaiNow.contains(layout.openaiKey)
        let googleNow = try layout.googleKeys()
        outcome.googleOldKeyDeleted = googleNow.contains { $0.id == ProviderLayout.googleOldKeyID && $0.state == "deleted" } && googleNow.contains { $0.state == "active" }
        transcript.say("at the sources: old master key \(outcome.masterKeyRefused ? "refused" : "ACCEPTED") by the gateway; Azure's two old keys \(outcome.azureOldKeysDead ? "regenerated" : "STILL VALID"); "
            + "the old Anthropic key \(outcome.anthropicOldKeyInactive ? "inactive" : "STILL ACTIVE"); the old OpenAI key \(outcome.openaiOldKeyDeleted ? "deleted" : "STILL A KEY OF THE PROJECT"); "
            + "the old Gemini key \(outcome.googleOldKeyDeleted ? "deleted" : "STILL A KEY OF THE PROJECT")")

        let history = try await cli.run(["history", "--incident", "INC-2026-0324", "--json", "--no-daemon"])
        let folded = try? JSONDecoder().decode(IncidentReport.self, from: Data(history.stdout.utf8))
        outcome.historyMatches = folded != nil && folded?.entries == outcome.report?.entries
        _ = try await cli.run(["history", "--incident", "INC-2026-0324", "--no-daemon"])
        outcome.auditVerified = try await cli.run(["audit", "verify"]).code == 0
    }

    private func secretFile(_ name: String, _ value: String) throws -> String {
        let path = directory.appendingPathComponent("\(name).value").path
        guard FileManager.default.createFile(atPath: path, contents: Data(value.utf8), attributes: [.posixPermissions: 0o600]) else { throw ScenarioError("cannot write \(path)") }
        return path
    }

    /// The master key as shipped (key-ring), and the four provider keys on their adapters.
    static func policies(gatewayURL: String, providerURL: String) -> [(String, String)] {
        func provider(_ name: String, _ source: String, model: String, envKey: String) -> (String, String) {
            (name, """
                apiVersion: lockstep/v1
                kind: RotationPolicy
                metadata: {name: \(name)}
                spec:
                  credential:
                    kind: provider-key
                    \(source)
                  strategy: rolling
                  gateway: {url: "\(gatewayURL)", models: [\(model)]}
                  targets:
                    - secret: {namespace: litellm-system, name: litellm-env-secret, key: \(envKey)}
                  rollouts:
                    - deployment: {namespace: litellm-system, name: litellm}
                """)
        }
        return [("litellm-master-key", KubeObjects.masterKeyPolicy(gatewayURL: gatewayURL, strategy: "key-ring")),
                provider("azure-api-key", "azure: {subscription: sub-incident, resourceGroup: rg-ai, account: oai-gateway, tenant: tenant-1, clientId: \(ProviderLayout.azureClientID), "
                    + "clientSecretCredential: azure-admin, managementURL: \"\(providerURL)\", loginURL: \"\(providerURL)\"}", model: "azure-gpt-4o", envKey: "AZURE_API_KEY"),
                provider("anthropic-api-key", "anthropic: {adminKeyCredential: anthropic-admin, baseURL: \"\(providerURL)\"}", model: "claude-haiku", envKey: "ANTHROPIC_API_KEY"),
                provider("openai-api-key", "openai: {project: \(ProviderLayout.openaiProject), adminKeyCredential: openai-admin, baseURL: \"\(providerURL)\"}",
                         model: "gpt-4o", envKey: "OPENAI_API_KEY"),
                provider("gemini-api-key", "google: {project: \(ProviderLayout.googleProject), serviceAccountKeyCredential: google-admin, baseURL: \"\(providerURL)\"}",
                         model: "gemini-pro", envKey: "GEMINI_API_KEY")]
    }
}
