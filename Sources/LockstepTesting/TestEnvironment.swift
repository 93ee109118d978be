import Foundation

/// Where a test finds the programs it drives, and whether a missing one is a failure (CI).
public enum TestEnvironment {
    /// `CI=true`: a missing prerequisite fails the run instead of skipping.
    public static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// A product built next to the test bundle (`lockstep`, `kubesim`, `litellm-standin`, ...).
    public static func builtBinary(_ name: String) -> String {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") { dir = bundle.bundleURL.deletingLastPathComponent() }
        return dir.appendingPathComponent(name).path
    }

    /// The LiteLLM proxy: `LITELLM_BIN`, else the repository's `.venv/bin/litellm`.
    public static var liteLLM: String? { liteLLM(repository: repositoryRoot) }

    /// `LITELLM_BIN` when set (nil if it is not executable), else `repository/.venv/bin/litellm` if executable.
    public static func liteLLM(repository: URL) -> String? {
        if let override = ProcessInfo.processInfo.environment["LITELLM_BIN"] { return FileManager.default.isExecutableFile(atPath: override) ? override : nil }
        let p = repository.appendingPathComponent(".venv/bin/litellm").path
        return FileManager.default.isExecutableFile(atPath: p) ? p : nil
    }

    /// The repository (this file is Sources/LockstepTesting/TestEnvironment.swift).
    public static var repositoryRoot: URL {
        if let root = ProcessInfo.processInfo.environment["LOCKSTEP_REPO_ROOT"] { return URL(fileURLWithPath: root) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// A fresh folder under the temp directory; the caller removes it.
    public static func temporaryFolder(_ prefix: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(12))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// Polls `condition` every `every` (100 ms) until it holds or `timeout` passes (then asks once more).
public func eventually(timeout: Duration = .seconds(10), every: Duration = .milliseconds(100), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: every)
    }
    return try await condition()
}

/// Hides a check's values from a failing `#expect`: Swift Testing prints the value of every
/// argument in the expression it is given (`holds(key → "sk-…")`), but not what happens inside a
/// closure. Wrap every check that takes a key: `#expect(concealed { f.holds(ns, name, key, value) })`.
public func concealed(_ check: () throws -> Bool) rethrows -> Bool { try check() }

/// `concealed` for a check that awaits.
public func concealed(_ check: () async throws -> Bool) async rethrows -> Bool { try await check() }
