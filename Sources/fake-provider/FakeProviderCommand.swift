import ArgumentParser
import Foundation
import LockstepBench
import Logging

@main
/// `fake-provider`: an OpenAI-compatible upstream on 127.0.0.1 that checks its API key.
struct FakeProviderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fake-provider",
        abstract: "An OpenAI-compatible upstream on 127.0.0.1 that checks Authorization: Bearer <key>.",
        discussion: """
            Accepted keys come from --keys-file (one per line, read again when the file changes) and from the environment variable FAKE_PROVIDER_KEYS (comma-separated); never from argv. Prints "fake-provider ready http://127.0.0.1:PORT" once serving; SIGTERM or SIGINT stops it (exit 0).

            With --anthropic-keys-file it also plays Anthropic for one organization: the Admin API's API-key routes (list, get, update status) behind an Admin API key from --anthropic-admin-file, and the data plane (POST /v1/messages, GET /v1/models, x-api-key) accepting the active keys of the state file (lines ID STATUS VALUE).

            With --openai-project it also plays OpenAI for one project: the Admin API's project API-key and service-account routes (list keys; list, create and delete service accounts; delete a key) behind an Admin API key from --openai-admin-file, with the project's keys in --openai-keys-file (lines KEY_ID OWNER VALUE NAME, OWNER svc_acct_… or user_…, rewritten on every create and delete); they are accepted by the data plane (Authorization: Bearer) besides the other keys.

            With --google-project it also plays Google for one Cloud project: the OAuth token endpoint (POST /token, the JWT bearer grant of a service account from --google-accounts-file: lines EMAIL admin|viewer PUBLIC_KEY, the key's DER in Base64), Resource Manager's testIamPermissions, and the API Keys API v2 (list, get, getKeyString, create and delete as operations, operations.get) on the keys of --google-keys-file (lines KEY_ID active|deleted VALUE SERVICE DISPLAY NAME, rewritten on every create and delete); the Gemini data plane (POST /v1beta/models/MODEL:generateContent, GET /v1beta/models, x-goog-api-key) accepts its active keys.

            With --azure-account it also plays Azure for one Azure OpenAI account: Microsoft Entra ID's token endpoint (POST /TENANT/oauth2/v2.0/token, client credentials from --azure-clients-file: lines CLIENT_ID SECRET keys|read) and Resource Manager's listKeys and regenerateKey on the account; the account's two keys are the two lines of --azure-keys-file, rewritten on every regeneration, and they are the keys the data plane accepts (Authorization: Bearer, or Azure's api-key header).
            """)

    @Option(help: "TCP port on 127.0.0.1 (0 picks a free one).")
    var port: Int = 0

    @Option(name: .customLong("keys-file"), help: "File of accepted keys, one per line; re-read when it changes.")
    var keysFile: String?

    @Option(name: .customLong("azure-account"), help: "The account's resource path, /subscriptions/S/resourceGroups/G/providers/Microsoft.CognitiveServices/accounts/A.")
    var azureAccount: String?

    @Option(name: .customLong("azure-keys-file"), help: "The account's key1 and key2, one per line (with --azure-account).")
    var azureKeysFile: String?

    @Option(name: .customLong("azure-clients-file"), help: "Service principals: lines CLIENT_ID SECRET keys|read (with --azure-account).")
    var azureClientsFile: String?

    @Option(name: .customLong("anthropic-keys-file"), help: "Anthropic's keys: lines ID STATUS VALUE (status active, inactive or archived).")
    var anthropicKeysFile: String?

    @Option(name: .customLong("anthropic-admin-file"), help: "Anthropic Admin API keys, one per line (with --anthropic-keys-file).")
    var anthropicAdminFile: String?

    @Option(name: .customLong("openai-project"), help: "The OpenAI project id the Admin API serves (proj_…).")
    var openaiProject: String?

    @Option(name: .customLong("openai-keys-file"), help: "The project's keys: lines KEY_ID OWNER VALUE NAME (with --openai-project).")
    var openaiKeysFile: String?

    @Option(name: .customLong("openai-admin-file"), help: "OpenAI Admin API keys, one per line (with --openai-project).")
    var openaiAdminFile: String?

    @Option(name: .customLong("google-project"), help: "The Google Cloud project id the API Keys API serves.")
    var googleProject: String?

    @Option(name: .customLong("google-project-number"), help: "The project's number, in the keys' names (with --google-project).")
    var googleProjectNumber = "123456789012"

    @Option(name: .customLong("google-keys-file"), help: "The project's keys: lines KEY_ID active|deleted VALUE SERVICE NAME (with --google-project).")
    var googleKeysFile: String?

    @Option(name: .customLong("google-accounts-file"), help: "Service accounts: lines EMAIL admin|viewer PUBLIC_KEY (with --google-project).")
    var googleAccountsFile: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "fake-provider")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info

        let fixed = KeyRing.parseList(ProcessInfo.processInfo.environment["FAKE_PROVIDER_KEYS"])
        var azure: FakeAzure?
        if let azureAccount {
            guard let azureKeysFile, let azureClientsFile, keysFile == nil else {
                throw BenchError("--azure-account needs --azure-keys-file and --azure-clients-file, and no --keys-file", hint: "the account's two keys are the keys the data plane accepts")
            }
            azure = try FakeAzure(resourcePath: azureAccount, keysFile: azureKeysFile,
                                  clients: try FakeAzure.parseClients(String(contentsOfFile: azureClientsFile, encoding: .utf8)))
        }
        var anthropic: FakeAnthropic?
        if let anthropicKeysFile {
            guard let anthropicAdminFile else { throw BenchError("--anthropic-keys-file needs --anthropic-admin-file", hint: "one Admin API key per line") }
            anthropic = FakeAnthropic(stateFile: anthropicKeysFile, adminKeys: KeyRing.parseFile(try String(contentsOfFile: anthropicAdminFile, encoding: .utf8)))
        }
        var openai: FakeOpenAI?
        if let openaiProject {
            guard let openaiKeysFile, let openaiAdminFile else {
                throw BenchError("--openai-project needs --openai-keys-file and --openai-admin-file", hint: "lines KEY_ID OWNER VALUE NAME; one Admin API key per line")
            }
            openai = FakeOpenAI(project: openaiProject, stateFile: openaiKeysFile, adminKeys: KeyRing.parseFile(try String(contentsOfFile: openaiAdminFile, encoding: .utf8)))
        }
        var google: FakeGoogle?
        if let googleProject {
            guard let googleKeysFile, let googleAccountsFile else {
                throw BenchError("--google-project needs --google-keys-file and --google-accounts-file", hint: "lines KEY_ID active VALUE SERVICE NAME; lines EMAIL admin|viewer PUBLIC_KEY")
            }
            google = FakeGoogle(project: googleProject, projectNumber: googleProjectNumber, stateFile: googleKeysFile,
                                accounts: try FakeGoogle.parseAccounts(String(contentsOfFile: googleAccountsFile, encoding: .utf8)))
        }
        let file = azure == nil ? keysFile : azureKeysFile
        guard file != nil || !fixed.isEmpty || anthropic != nil || openai != nil || google != nil else {
            throw BenchError("fake-provider has no keys to accept", hint: "pass --keys-file FILE (one key per line) or set FAKE_PROVIDER_KEYS=key1,key2")
        }
        let keys = KeyRing(fixed: fixed, file: file)
        let provider = FakeProvider(keys: keys, anthropic: anthropic, openai: openai)
        let router = provider.router()
        azure?.register(on: router)
        anthropic?.register(on: router)
        openai?.register(on: router)
        google?.register(on: router)

        let signals = SignalWaiter([SIGTERM, SIGINT])
        let server = try await BenchServer.start(router, port: port, name: "fake-provider", logger: logger)
        // The one line scripts and tests wait for; logs go to stderr.
        FileHandle.standardOutput.write(Data("fake-provider ready http://127.0.0.1:\(server.port)\n".utf8))
        logger.info("serving with \(keys.count) accepted keys\(keysFile.map { " (keys file \($0))" } ?? "")")
        let signal = await signals.wait()
        logger.info("signal \(signal): stopping")
        await server.stop()
    }
}
