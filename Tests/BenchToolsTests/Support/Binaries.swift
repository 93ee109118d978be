import Foundation

/// Where the built tools and LiteLLM are.
enum Binaries {
    /// `.build/<config>/NAME`, next to the test bundle (the test target depends on the tools, so
    /// `swift build --build-tests` builds them).
    static func tool(_ name: String) -> String {
        var url = Bundle.main.bundleURL
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") { url = bundle.bundleURL.deletingLastPathComponent() }
        let candidate = url.appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path
    }

    static var fakeProvider: String { tool("fake-provider") }
    static var load: String { tool("lockstep-load") }

    /// `LITELLM_BIN`, else the repository's `.venv/bin/litellm`; nil when neither exists.
    static var litellm: String? {
        if let override = ProcessInfo.processInfo.environment["LITELLM_BIN"], FileManager.default.isExecutableFile(atPath: override) { return override }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent(".venv/bin/litellm").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// In CI a missing LiteLLM is a failure, not a skip.
    static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
}
