import Foundation
import LockstepTesting

/// The built `fake-provider` (an OpenAI-compatible upstream that checks its API key; see
/// docs/bench-tools.md) on a free port, with a keys file the test rewrites the way a provider
/// console would: add the new key, later drop the old one.
final class FakeProviderProcess: Sendable {
    let url: String
    let keysFile: String
    private let child: ChildProcess

    private init(url: String, keysFile: String, child: ChildProcess) {
        self.url = url
        self.keysFile = keysFile
        self.child = child
    }

    /// Starts it and waits (bounded) for its `fake-provider ready URL` line.
    static func start(keys: [String], directory: URL) async throws -> FakeProviderProcess {
        let keysFile = directory.appendingPathComponent("provider-keys").path
        try (keys.joined(separator: "\n") + "\n").write(toFile: keysFile, atomically: true, encoding: .utf8)
        return try await launch(["--keys-file", keysFile], keysFile: keysFile, directory: directory)
    }

    /// With Azure's key management for one account (`--azure-account`): its two keys are
    /// `key1`/`key2` of the keys file, which the fake rewrites when a key is regenerated.
    static func startAzure(resourcePath: String, key1: String, key2: String, clients: [String], directory: URL) async throws -> FakeProviderProcess {
        let keysFile = directory.appendingPathComponent("azure-keys").path
        try "\(key1)\n\(key2)\n".write(toFile: keysFile, atomically: true, encoding: .utf8)
        let clientsFile = directory.appendingPathComponent("azure-clients").path
        try (clients.joined(separator: "\n") + "\n").write(toFile: clientsFile, atomically: true, encoding: .utf8)
        return try await launch(["--azure-account", resourcePath, "--azure-keys-file", keysFile, "--azure-clients-file", clientsFile], keysFile: keysFile, directory: directory)
    }

    /// With Anthropic's Admin API and data plane for one organization: `keys` are its lines
    /// `ID STATUS VALUE` in the state file (`keysFile`), which a test appends to as a person adds
    /// a key in the Console; `admin` is the Admin API key.
    static func startAnthropic(keys: [String], admin: String, directory: URL) async throws -> FakeProviderProcess {
        let keysFile = directory.appendingPathComponent("anthropic-keys").path
        try (keys.joined(separator: "\n") + "\n").write(toFile: keysFile, atomically: true, encoding: .utf8)
        let adminFile = directory.appendingPathComponent("anthropic-admin").path
        try (admin + "\n").write(toFile: adminFile, atomically: true, encoding: .utf8)
        return try await launch(["--anthropic-keys-file", keysFile, "--anthropic-admin-file", adminFile], keysFile: keysFile, directory: directory)
    }

    /// With OpenAI's Admin API for one project: `keys` are its lines `KEY_ID OWNER VALUE NAME` in
    /// the state file (`keysFile`), which the fake rewrites when it creates or deletes; `admin` is
    /// the Admin API key.
    static func startOpenAI(project: String, keys: [String], admin: String, directory: URL) async throws -> FakeProviderProcess {
        let keysFile = directory.appendingPathComponent("openai-keys").path
        try (keys.joined(separator: "\n") + "\n").write(toFile: keysFile, atomically: true, encoding: .utf8)
        let adminFile = directory.appendingPathComponent("openai-admin").path
        try (admin + "\n").write(toFile: adminFile, atomically: true, encoding: .utf8)
        return try await launch(["--openai-project", project, "--openai-keys-file", keysFile, "--openai-admin-file", adminFile], keysFile: keysFile, directory: directory)
    }

    /// With Google's token endpoint, API Keys API and Gemini data plane for one project: `keys`
    /// are its lines `KEY_ID STATE VALUE SERVICE NAME` in the state file (`keysFile`), which the
    /// fake rewrites when it creates or deletes; `accounts` its service accounts' lines.
    static func startGoogle(project: String, keys: [String], accounts: [String], directory: URL) async throws -> FakeProviderProcess {
        let keysFile = directory.appendingPathComponent("google-keys").path
        try (keys.joined(separator: "\n") + "\n").write(toFile: keysFile, atomically: true, encoding: .utf8)
        let accountsFile = directory.appendingPathComponent("google-accounts").path
        try (accounts.joined(separator: "\n") + "\n").write(toFile: accountsFile, atomically: true, encoding: .utf8)
        return try await launch(["--google-project", project, "--google-keys-file", keysFile, "--google-accounts-file", accountsFile], keysFile: keysFile, directory: directory)
    }

    private static func launch(_ arguments: [String], keysFile: String, directory: URL) async throws -> FakeProviderProcess {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") { dir = bundle.bundleURL.deletingLastPathComponent() }
        let child = try ChildProcess(dir.appendingPathComponent("fake-provider").path, ["--port", "0"] + arguments, directory: directory)
        do {
            let url = try await child.waitForLine(prefix: "fake-provider ready ", timeout: .seconds(20))
            return FakeProviderProcess(url: url, keysFile: keysFile, child: child)
        } catch {
            child.stopBlocking()
            throw error
        }
    }

    /// The keys the fake accepts now (for Azure: key1, key2).
    func acceptedKeys() throws -> [String] {
        try String(contentsOfFile: keysFile, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
    }

    func setKeys(_ keys: [String]) throws {
        try (keys.joined(separator: "\n") + "\n").write(toFile: keysFile, atomically: true, encoding: .utf8)
    }

    /// SIGTERM, SIGKILL after 5 s; always waited for.
    func stop() {
        child.stopBlocking()
        child.removeOutputFiles()
    }
}
