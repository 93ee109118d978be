import Foundation
import LockstepTesting

/// Debian's `chromium`, headless, one bounded run per call, in a fresh profile folder that is
/// removed afterwards. Each run is a child process waited for (SIGKILLed by its PID past the deadline).
struct HeadlessChromium {
    let binary: String

    /// `chromium` on PATH (scripts/setup installs it), else nil.
    static func find() -> HeadlessChromium? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let candidate = "\(dir)/chromium"
            if FileManager.default.isExecutableFile(atPath: candidate) { return HeadlessChromium(binary: candidate) }
        }
        return nil
    }

    /// The DOM after Chromium parsed and laid out `file` (`--dump-dom`).
    func dumpDOM(_ file: String) async throws -> String {
        let result = try await run(["--dump-dom", URL(fileURLWithPath: file).absoluteString])
        guard result.code == 0, result.stdout.contains("</html>") else { throw ChildProcessError("chromium --dump-dom exited \(result.code): \(result.stderr.suffix(600))") }
        return result.stdout
    }

    /// A PNG of `file` rendered at `width`×`height`.
    func screenshot(_ file: String, to png: String, width: Int, height: Int) async throws {
        let result = try await run(["--screenshot=\(png)", "--window-size=\(width),\(height)", "--hide-scrollbars", URL(fileURLWithPath: file).absoluteString])
        guard result.code == 0, FileManager.default.fileExists(atPath: png) else { throw ChildProcessError("chromium --screenshot exited \(result.code): \(result.stderr.suffix(600))") }
    }

    private func run(_ arguments: [String]) async throws -> ChildProcess.Result {
        let profile = try TestEnvironment.temporaryFolder("lockstep-chromium")
        defer { try? FileManager.default.removeItem(at: profile) }
        // --no-sandbox: the tests may run as root, where Chromium's sandbox refuses to start.
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                     "--disable-extensions", "--user-data-dir=\(profile.path)"]
        return try await ChildProcess.run(binary, flags + arguments, timeout: .seconds(90))
    }
}
