import Foundation

/// The built `fake-provider` (an OpenAI-compatible upstream that checks its API key; see
/// docs/bench-tools.md) on a free port, with a keys file the test rewrites the way a provider
/// console would: add the new key, later drop the old one.
final class FakeProviderProcess: @unchecked Sendable {
    let url: String
    let keysFile: String
    private let process: Process

    init(keys: [String], directory: URL) throws {
        keysFile = directory.appendingPathComponent("provider-keys").path
        try (keys.joined(separator: "\n") + "\n").write(toFile: keysFile, atomically: true, encoding: .utf8)
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") { dir = bundle.bundleURL.deletingLastPathComponent() }
        process = Process()
        process.executableURL = dir.appendingPathComponent("fake-provider")
        process.arguments = ["--port", "0", "--keys-file", keysFile]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first stdout line is `fake-provider ready URL` (bounded wait).
        var line = Data()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !line.contains(10) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { usleep(20_000) } else { line.append(chunk) }
        }
        let text = String(decoding: line, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        guard text.hasPrefix("fake-provider ready ") else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw FixtureError("fake-provider did not start: \(text)")
        }
        url = String(text.dropFirst("fake-provider ready ".count))
    }

    func setKeys(_ keys: [String]) throws {
        try (keys.joined(separator: "\n") + "\n").write(toFile: keysFile, atomically: true, encoding: .utf8)
    }

    /// SIGTERM, SIGKILL after 5 s; always waited for.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning, Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
    }
}
