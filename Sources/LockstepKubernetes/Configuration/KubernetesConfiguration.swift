import Foundation

/// Everything a ``KubernetesClient`` needs: where the apiserver is, how to trust it, who we are.
///
/// Build one with ``inCluster(environment:paths:)`` or ``kubeconfig(environment:paths:context:)``
/// (or ``load(context:environment:)``, which picks between them). It prints without credentials.
public struct KubernetesConfiguration: Sendable, CustomStringConvertible {
    /// `https://host:port` of the apiserver.
    public var server: URL
    /// PEM of the CA(s) that sign the apiserver's certificate; nil uses the system roots.
    public var certificateAuthorityPEM: [UInt8]?
    /// Skip certificate verification (kubeconfig `insecure-skip-tls-verify`). Never in production.
    public var insecureSkipTLSVerify = false
    /// The name the server certificate is checked against, when it differs from the server's host.
    public var tlsServerName: String?
    public var authentication: Authentication
    /// The namespace of the context (or of the ServiceAccount in cluster); "default" otherwise.
    public var namespace = "default"
    /// Where this configuration came from, for messages: `in-cluster` or `kubeconfig FILE (context NAME)`.
    public var source: String
    /// Deadline of one request (not of a watch).
    public var requestTimeout: Duration = .seconds(10)
    /// How often a token file is re-read at the latest (bound ServiceAccount tokens expire).
    public var tokenRefreshInterval: Duration = .seconds(60)
    /// Backoff for retriable failures of safe requests.
    public var retry = RetryPolicy()
    /// The wall clock, for token re-reads and exec credential expiry. Injectable for tests.
    public var now: @Sendable () -> Date = { Date() }
    /// Sent as `User-Agent`; the apiserver uses its product name as the default field manager.
    public var userAgent = "lockstep"

    public init(server: URL, certificateAuthorityPEM: [UInt8]? = nil, authentication: Authentication = .none,
                namespace: String = "default", source: String = "explicit") {
        self.server = server
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.authentication = authentication
        self.namespace = namespace
        self.source = source
    }

    public var description: String {
        var parts = ["server \(server.absoluteString)", "source \(source)", "auth \(authentication)", "namespace \(namespace)"]
        if insecureSkipTLSVerify { parts.append("insecure-skip-tls-verify") }
        if let tlsServerName { parts.append("tls-server-name \(tlsServerName)") }
        return "KubernetesConfiguration(\(parts.joined(separator: ", ")))"
    }

    /// In cluster when `KUBERNETES_SERVICE_HOST` is set, else the kubeconfig (`KUBECONFIG` or `~/.kube/config`).
    /// An explicit `context` always means the kubeconfig, as with kubectl's `--context`.
    public static func load(context: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> KubernetesConfiguration {
        if context == nil, let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty {
            return try inCluster(environment: environment)
        }
        return try kubeconfig(environment: environment, context: context)
    }
}

extension KubernetesError {
    static func configuration(_ message: String) -> KubernetesError {
        KubernetesError(.configuration, message: message)
    }
}
