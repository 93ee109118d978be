import ArgumentParser
import Dispatch
import Foundation
import KubeSim
import LockstepBench
import Logging

@main
/// `kubesim`: serve the Kubernetes API emulator until SIGTERM or SIGINT.
struct KubeSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kubesim",
        abstract: "A Kubernetes API emulator that the real kubectl accepts, whose pods can be real processes.")

    @Option(help: "TCP port on 127.0.0.1 (0 picks a free one).")
    var port: Int = 0

    @Flag(help: "Serve plain HTTP instead of HTTPS (no authentication without a token).")
    var http = false

    @Option(help: "Folder of YAML/JSON manifests (Secrets, ConfigMaps, Deployments, Leases) to seed.")
    var manifests: String?

    @Option(help: "RBAC rules file (YAML, see docs/kubesim.md).")
    var rbac: String?

    @Option(help: "Static tokens file: token,user[,uid[,\"groups\"]] per line.")
    var tokens: String?

    @Option(name: .customLong("server-version"), help: "Version /version reports (kubectl picks its binary from it).")
    var serverVersion = "1.31"

    @Option(name: .customLong("kubeconfig-out"), help: "Write a kubeconfig for kubectl here.")
    var kubeconfigOut: String?

    @Option(name: .customLong("pod-ready-ms"), help: "Milliseconds until a simulated pod is ready.")
    var podReadyMilliseconds = 500

    @Option(name: .customLong("volume-sync-ms"), help: "Milliseconds until a Secret or ConfigMap change reaches running pods' volume files (kubelet: 60000–90000).")
    var volumeSyncMilliseconds = 1000

    @Option(help: "Initial faults, a JSON file in the form of POST /kubesim/faults.")
    var faults: String?

    @Option(name: .customLong("pod-logs"), help: "Keep process pods' stdout/stderr in this folder (default: a temporary one, removed at exit).")
    var podLogs: String?

    @Flag(name: .customLong("no-processes"), help: "Simulate every pod, even those with a command.")
    var noProcesses = false

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "kubesim")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info

        var config = KubeSimConfiguration()
        config.port = port
        config.useTLS = !http
        config.serverVersion = serverVersion
        config.podReadyDelay = .milliseconds(podReadyMilliseconds)
        config.volumeSyncDelay = .milliseconds(volumeSyncMilliseconds)
        config.runProcesses = !noProcesses
        if let manifests { try config.addManifests(from: URL(fileURLWithPath: manifests)) }
        if let rbac { config.rbac = try RBACRules(contentsOf: URL(fileURLWithPath: rbac)) }
        if let tokens { config.tokens = try TokenFile(contentsOf: URL(fileURLWithPath: tokens)) }
        if let kubeconfigOut { config.kubeconfigOut = URL(fileURLWithPath: kubeconfigOut) }
        if let podLogs { config.podLogDirectory = URL(fileURLWithPath: podLogs) }
        if let faults { config.faults = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: faults))) }

        let signals = SignalWaiter([SIGTERM, SIGINT])
        let sim = try await KubeSim.start(config, logger: logger)
        // The one line scripts wait for; logs go to stderr.
        FileHandle.standardOutput.write(Data("kubesim ready \(sim.url.absoluteString)\n".utf8))
        let signal = await signals.wait()
        logger.info("signal \(signal): stopping")
        await sim.stop()
    }
}

