import Foundation
import Hummingbird
import LockstepCore
import LockstepKubernetes
import LockstepPolicy
import LockstepVault
import Logging
import NIOCore
import ServiceLifecycle

/// Wires `lockstep serve` together from its configuration and runs it until SIGTERM/SIGINT:
/// leader lease, notifier, metrics and health endpoint, admin socket, scheduler — one
/// `ServiceGroup`, shut down in reverse order so that the run in progress stops at a step
/// boundary first and the lease is released last.
public enum DaemonRuntime {
    /// Where the daemon listens, once it does.
    public struct Ready: Sendable {
        public var identity: String
        public var socket: String
        public var http: String
    }

    /// This instance's name in the lease and in audit entries: the configured identity,
    /// `$POD_NAME`, or the host name.
    public static func identity(_ config: DaemonConfiguration, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let id = config.lease?.identity { return id }
        if let pod = environment["POD_NAME"], !pod.isEmpty { return pod }
        return ProcessInfo.processInfo.hostName
    }

    public static func kubernetesConfiguration(_ k: DaemonConfiguration.Kubernetes) throws -> KubernetesConfiguration {
        if k.inCluster { return try .inCluster() }
        if let file = k.kubeconfig { return try .kubeconfig(paths: [file], context: k.context) }
        return try .load(context: k.context)
    }

    public static func run(_ config: DaemonConfiguration, logger: Logger, onWaiting: @escaping @Sendable (String) -> Void = { _ in },
                           onReady: @escaping @Sendable (Ready) -> Void) async throws {
        // Everything this process creates (socket, journal files) is private to its user.
        umask(0o077)
        if !FileManager.default.fileExists(atPath: config.vaultPath) {
            guard try await VaultWait.run(config, logger: logger, onWaiting: onWaiting) else { return }
        }
        let identity = identity(config)
        let vault = try Vault.open(at: config.vaultPath, key: .keyFile(config.vaultKeyFile))
        let policies: PolicySet
        do { policies = try PolicySet(directory: config.policies) } catch let failure as PolicyLoadFailure {
            throw DaemonStartError("the policies in \(config.policies) have \(failure.problems.count) problem(s):\n\(failure)", hint: "run `lockstep policy check \(config.policies)` and fix them")
        }
        let access = try AdminAccess(group: config.admin.group)
        try AdminSocket.prepare(path: config.admin.socket, group: config.admin.group)

        try await KubernetesClient.withClient(try kubernetesConfiguration(config.kubernetes), logger: logger) { client in
            let cluster = KubernetesCluster(client: client)
            let metrics = DaemonMetrics()
            let leadership = try DaemonParts.leadership(config, identity: identity, client: client, logger: logger)
            let notifier = DaemonParts.notifier(config, client: client, vault: vault, identity: identity, logger: logger)
            var coordinatorSettings = RotationCoordinator.Settings()
            coordinatorSettings.rolloutTimeout = .seconds(config.scheduler.rolloutTimeout.seconds)
            let coordinator = RotationCoordinator(vault: vault, cluster: cluster, policies: policies, leadership: leadership.view, notifier: notifier.view,
                                                  metrics: metrics, settings: coordinatorSettings, logger: logger,
                                                  afterRun: DaemonParts.eventRecorder(client: client, logger: logger))
            var schedulerSettings = RotationScheduler.Settings()
            schedulerSettings.checkEvery = .seconds(config.scheduler.checkEvery.seconds)
            schedulerSettings.driftCheckEvery = .seconds(config.scheduler.driftCheckEvery.seconds)
            let scheduler = RotationScheduler(coordinator: coordinator, policies: policies, vault: vault, cluster: cluster, leadership: leadership.view,
                                              notifier: notifier.view, metrics: metrics, settings: schedulerSettings, logger: logger, identity: identity)
            let gate = ReadyGate(identity: identity, socket: config.admin.socket, onReady: onReady)
            let admin = Application(
                router: AdminRoutes(coordinator: coordinator, policies: policies, vault: vault, leadership: leadership.view, cluster: cluster,
                                    access: access, identity: identity).router(),
                server: .http1(configuration: .init(idleTimeout: .seconds(config.admin.idleTimeout.seconds))),
                configuration: .init(address: .unixDomainSocket(path: config.admin.socket), serverName: "lockstep-admin"),
                onServerRunning: { _ in
                    do { try AdminSocket.secure(path: config.admin.socket, mode: config.admin.mode, group: config.admin.group) } catch {
                        // Never serve rotate/revoke on a socket whose mode could not be set.
                        logger.critical("cannot secure the admin socket; removing it", metadata: ["error": "\(error)"])
                        unlink(config.admin.socket)
                        return
                    }
                    await gate.adminReady()
                },
                logger: logger)
            let health = Application(
                router: HealthRoutes(vault: vault, leadership: leadership.view, metrics: metrics,
                                     clusterProbe: { _ = try await client.serverVersion() },
                                     beforeScrape: { if let c = notifier.counters?() { metrics.update(notifications: c) } }).router(),
                server: HealthListener.server(config.http),
                configuration: HealthListener.configuration(config.http, logger: logger),
                onServerRunning: { channel in await gate.httpReady("\(config.http.host):\(channel.localAddress?.port ?? config.http.port)") },
                logger: logger)
            // Start order; graceful shutdown runs in reverse: scheduler (the run in progress stops
            // at its next step boundary), admin, health, notifier (drains), lease (released last).
            var services: [any Service] = []
            if let s = leadership.service { services.append(s) }
            if let s = notifier.service { services.append(s) }
            services += [health, admin, scheduler]
            let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            let policyCount = await policies.policies.count
            logger.info("lockstep serve starting", metadata: ["identity": "\(identity)", "vault": "\(config.vaultPath)", "policies": "\(policyCount)",
                                                              "lease": "\(config.lease.map { "\($0.namespace)/\($0.name)" } ?? "none (single instance)")"])
            try await group.run()
            unlink(config.admin.socket)
            logger.info("lockstep serve stopped")
        }
    }
}

/// Calls `onReady` once both servers listen.
actor ReadyGate {
    let identity: String
    let socket: String
    let onReady: @Sendable (DaemonRuntime.Ready) -> Void
    var admin = false
    var http: String?

    init(identity: String, socket: String, onReady: @escaping @Sendable (DaemonRuntime.Ready) -> Void) {
        self.identity = identity
        self.socket = socket
        self.onReady = onReady
    }

    func adminReady() { admin = true; fire() }
    func httpReady(_ address: String) { http = address; fire() }
    private func fire() {
        guard admin, let http else { return }
        onReady(.init(identity: identity, socket: socket, http: http))
    }
}
