import Foundation
import Hummingbird
import LockstepPolicy
import LockstepVault
import Logging
import ServiceLifecycle

/// Before the vault exists (a fresh install: `lockstep vault init` runs inside the pod), the daemon
/// serves `/healthz` and a not-ready `/readyz` that says what to do, and checks for the vault file
/// every 2 s, so that the pod stays up for `kubectl exec` instead of crash-looping.
enum VaultWait {
    /// Waits for the vault; false when asked to shut down first.
    static func run(_ config: DaemonConfiguration, logger: Logger, onWaiting: @escaping @Sendable (String) -> Void) async throws -> Bool {
        logger.warning("no vault yet; waiting for it", metadata: ["vault": "\(config.vaultPath)", "hint": "run `lockstep vault init` in this pod"])
        let router = Router()
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/readyz") { _, _ in
            try jsonResponse(["ready": "false", "vault": "not initialised: run `lockstep vault init` (docs/install.md)"], status: .serviceUnavailable)
        }
        let http = Application(router: router, server: HealthListener.server(config.http), configuration: HealthListener.configuration(config.http, logger: logger),
                               onServerRunning: { channel in onWaiting("\(config.http.host):\(channel.localAddress?.port ?? config.http.port)") },
                               logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: http), .init(service: VaultWatcher(path: config.vaultPath), successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        return (try? VaultCatalog.open(vaultAt: config.vaultPath)) != nil
    }
}

/// Returns once the vault exists and opens (polling every 2 s; `vault init` may be half-way
/// through creating it), or on graceful shutdown.
struct VaultWatcher: Service {
    let path: String
    func run() async throws {
        while (try? VaultCatalog.open(vaultAt: path)) == nil, !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(2)) }
        }
    }
}
