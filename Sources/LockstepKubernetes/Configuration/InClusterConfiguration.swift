import Foundation

/// Where a pod finds its ServiceAccount credentials; injectable so tests can use temporary files.
public struct InClusterPaths: Sendable {
    public var token: String
    public var certificateAuthority: String
    public var namespace: String

    public init(directory: String = "/var/run/secrets/kubernetes.io/serviceaccount") {
        token = directory + "/token"
        certificateAuthority = directory + "/ca.crt"
        namespace = directory + "/namespace"
    }
}

extension KubernetesConfiguration {
    /// The configuration of a pod: `KUBERNETES_SERVICE_HOST`/`_PORT`, the ServiceAccount token file
    /// (re-read every ``tokenRefreshInterval`` and after a 401, because bound tokens expire) and CA.
    public static func inCluster(environment: [String: String] = ProcessInfo.processInfo.environment,
                                 paths: InClusterPaths = InClusterPaths()) throws -> KubernetesConfiguration {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
              let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty else {
            throw KubernetesError.configuration("not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set")
        }
        // An IPv6 service address needs brackets in a URL.
        let hostPart = host.contains(":") ? "[\(host)]" : host
        guard let server = URL(string: "https://\(hostPart):\(port)") else {
            throw KubernetesError.configuration("KUBERNETES_SERVICE_HOST/PORT do not form a URL: \(hostPart):\(port)")
        }
        guard FileManager.default.isReadableFile(atPath: paths.token) else {
            throw KubernetesError.configuration("in cluster, but the ServiceAccount token \(paths.token) is not readable; is automountServiceAccountToken off?")
        }
        guard let ca = FileManager.default.contents(atPath: paths.certificateAuthority) else {
            throw KubernetesError.configuration("in cluster, but the CA file \(paths.certificateAuthority) is not readable")
        }
        let namespace = (try? String(contentsOfFile: paths.namespace, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var configuration = KubernetesConfiguration(
            server: server, certificateAuthorityPEM: Array(ca),
            authentication: Authentication(bearer: .tokenFile(paths.token)),
            namespace: namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default", source: "in-cluster")
        configuration.tlsServerName = nil
        return configuration
    }
}
