import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOSSL
import Synchronization

/// A Kubernetes REST client over AsyncHTTPClient: typed operations on Secrets, Deployments, Leases,
/// access reviews and Events, with typed errors and safe retries.
///
/// It owns an `HTTPClient`, which must be shut down: use ``withClient(_:logger:_:)``, or call
/// ``close()`` exactly once when done.
public final class KubernetesClient: Sendable {
    public let configuration: KubernetesConfiguration
    let http: HTTPClient
    let credentials: CredentialProvider
    let logger: Logger
    let baseTLS: TLSConfiguration
    /// `scheme://host:port` requests go to (the tls-server-name, when set; see ``init(configuration:logger:)``).
    let baseURL: String
    private let closed = Mutex(false)

    /// Creates a client. With a `tlsServerName`, requests name that host (SNI and certificate check)
    /// and `dnsOverride` sends the connection to the configured server's address.
    /// - Parameter eventLoopGroup: where connections run; the shared NIO singleton by default.
    public init(configuration: KubernetesConfiguration, logger: Logger = Logger(label: "lockstep.kubernetes"),
                eventLoopGroup: any EventLoopGroup = HTTPClient.defaultEventLoopGroup) throws {
        self.configuration = configuration
        self.logger = logger
        baseTLS = try TLSSetup.base(configuration)
        guard let scheme = configuration.server.scheme, let host = configuration.server.host else {
            throw KubernetesError.configuration("server \(configuration.server.absoluteString) has no scheme or host")
        }
        let port = configuration.server.port.map { ":\($0)" } ?? ""
        var http = HTTPClient.Configuration(tlsConfiguration: baseTLS, timeout: .init(connect: .seconds(5)))
        if let name = configuration.tlsServerName, name != host {
            http.dnsOverride = [name: host]
            baseURL = "\(scheme)://\(name)\(port)"
        } else {
            let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
            baseURL = "\(scheme)://\(bracketed)\(port)"
        }
        http.redirectConfiguration = .disallow
        // One retry layer, ours (bounded, with backoff, only for safe calls): without this the pool
        // retries connecting until the request deadline and a refused connection or certificate
        // surfaces only as a timeout.
        http.connectionPool.retryConnectionEstablishment = false
        self.http = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: http, backgroundActivityLogger: logger)
        credentials = CredentialProvider(authentication: configuration.authentication, refreshInterval: configuration.tokenRefreshInterval,
                                         now: configuration.now, logger: logger)
    }

    /// Runs `body` with a client and shuts the client down afterwards, also when `body` throws.
    public static func withClient<R: Sendable>(
        _ configuration: KubernetesConfiguration, logger: Logger = Logger(label: "lockstep.kubernetes"),
        _ body: (KubernetesClient) async throws -> R
    ) async throws -> R {
        let client = try KubernetesClient(configuration: configuration, logger: logger)
        let result: Result<R, any Error>
        do { result = .success(try await body(client)) } catch { result = .failure(error) }
        try await client.close()
        return try result.get()
    }

    /// Shuts the HTTP client down; open watches end. Calling it again does nothing.
    public func close() async throws {
        let first = closed.withLock { wasClosed in
            defer { wasClosed = true }
            return !wasClosed
        }
        if first { try await http.shutdown() }
    }

    /// Whether ``close()`` has run.
    public var isClosed: Bool { closed.withLock { $0 } }
}
