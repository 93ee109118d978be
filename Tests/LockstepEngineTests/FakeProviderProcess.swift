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
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") { dir = bundle.bundleURL.deletingLastPathComponent() }
        let child = try ChildProcess(dir.appendingPathComponent("fake-provider").path, ["--port", "0", "--keys-file", keysFile], directory: directory)
        do {
            let url = try await child.waitForLine(prefix: "fake-provider ready ", timeout: .seconds(20))
            return FakeProviderProcess(url: url, keysFile: keysFile, child: child)
        } catch {
            child.stopBlocking()
            throw error
        }
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
