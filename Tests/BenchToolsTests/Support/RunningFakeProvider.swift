import Foundation

/// The built `fake-provider` on a free port, with a keys file the test can rewrite.
final class RunningFakeProvider: @unchecked Sendable {
    let process: BenchProcess
    let keysFile: String
    let url: String
    private let directory: TempDirectory

    /// Starts it accepting `keys` (written to its keys file) and waits for the ready line.
    init(keys: [String], envKeys: [String] = []) async throws {
        directory = try TempDirectory("fake-provider")
        keysFile = directory.file("keys")
        try (keys.joined(separator: "\n") + "\n").write(toFile: keysFile, atomically: true, encoding: .utf8)
        var env: [String: String] = [:]
        if !envKeys.isEmpty { env["FAKE_PROVIDER_KEYS"] = envKeys.joined(separator: ",") }
        process = try BenchProcess(Binaries.fakeProvider, ["--port", "0", "--keys-file", keysFile], environment: env)
        url = try await process.waitForLine(prefix: "fake-provider ready ")
    }

    /// Runs `body` with a started provider and always stops it (SIGTERM, waited for) afterwards.
    static func with<T>(keys: [String], envKeys: [String] = [], _ body: (RunningFakeProvider) async throws -> T) async throws -> T {
        let provider = try await RunningFakeProvider(keys: keys, envKeys: envKeys)
        do {
            let result = try await body(provider)
            await provider.process.stop()
            return result
        } catch {
            await provider.process.stop()
            throw error
        }
    }

    /// Replaces the accepted keys (atomically, as a rotation would).
    func setKeys(_ keys: [String]) throws {
        try (keys.joined(separator: "\n") + "\n").write(toFile: keysFile, atomically: true, encoding: .utf8)
    }

    func stats() async throws -> [String: Int] {
        let answer = try await HTTP.request(.GET, url + "/fake/stats")
        return (answer.json ?? [:]).compactMapValues { $0 as? Int }
    }
}
