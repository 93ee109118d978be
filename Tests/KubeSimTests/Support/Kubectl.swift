import Foundation
import KubeSim
import LockstepTesting

/// The real kubectl, a versioned binary (`kubectl.1.31`, ...) from the folder of the dispatcher.
struct Kubectl {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    let binary: URL
    let kubeconfig: URL
    /// Fresh per instance: discovery is cached for hours otherwise.
    let cacheDirectory: URL

    /// The folder `readlink -f "$(command -v kubectl)"` points into, if kubectl is installed.
    static var installDirectory: URL? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent("kubectl")
            if FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate.resolvingSymlinksInPath().deletingLastPathComponent()
            }
        }
        return nil
    }

    static func binary(version: String) -> URL? {
        guard let dir = installDirectory else { return nil }
        let url = dir.appendingPathComponent("kubectl.\(version)")
        return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
    }

    static var available: Bool { binary(version: "1.31") != nil }

    init(version: String, kubeconfig: Kubeconfig, directory: URL) throws {
        guard let binary = Self.binary(version: version) else {
            throw TestFailure("kubectl.\(version) is not installed beside the kubectl dispatcher")
        }
        self.binary = binary
        self.kubeconfig = directory.appendingPathComponent("kubeconfig-\(UUID().uuidString.prefix(8)).yaml")
        self.cacheDirectory = directory.appendingPathComponent("cache-\(UUID().uuidString.prefix(8))")
        try kubeconfig.write(to: self.kubeconfig)
    }

    /// Runs kubectl and waits at most `timeout`; a hung kubectl is killed (by its PID) and reported.
    func run(_ arguments: [String], timeout: Duration = .seconds(30)) async throws -> Result {
        let child = try ChildProcess(binary.path, ["--kubeconfig", kubeconfig.path, "--cache-dir", cacheDirectory.path] + arguments,
                                     environment: ["KUBECONFIG": kubeconfig.path], directory: cacheDirectory.deletingLastPathComponent())
        defer { child.removeOutputFiles() }
        let started = ContinuousClock.now
        let status = await child.waitForExit(timeout: timeout)
        if child.process.terminationReason == .uncaughtSignal, ContinuousClock.now - started >= timeout {
            throw TestFailure("kubectl \(arguments.joined(separator: " ")) did not finish within \(timeout)")
        }
        return Result(status: status, stdout: child.stdout, stderr: child.stderr)
    }
}
