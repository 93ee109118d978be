import Hummingbird
import HummingbirdCore
import LockstepPolicy
import Logging

/// The unauthenticated `/healthz` `/readyz` `/metrics` listener's limits: idle connections are
/// closed, and at most `maxConnections` are open at once. Past the limit the server stops
/// accepting (connections wait in the kernel's backlog, holding no descriptor of ours), so
/// thousands of idle clients cannot take the descriptors the admin socket, the vault and the
/// Kubernetes client need.
enum HealthListener {
    static func server(_ http: DaemonConfiguration.HTTP) -> HTTPServerBuilder {
        .http1(configuration: .init(idleTimeout: .seconds(http.idleTimeout.seconds)))
    }

    static func configuration(_ http: DaemonConfiguration.HTTP, logger: Logger) -> ApplicationConfiguration {
        ApplicationConfiguration(address: .hostname(http.host, port: http.port), serverName: "lockstep",
                                 availableConnectionsDelegate: MaximumAvailableConnections(http.maxConnections, logger: logger))
    }
}
