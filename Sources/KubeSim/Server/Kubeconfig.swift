import Foundation

/// A kubeconfig for the running KubeSim, usable by the real kubectl as it is.
public struct Kubeconfig: Sendable {
    public enum Credential: Sendable {
        case token(String)
        case clientCertificate(certificatePEM: String, keyPEM: String)
        case none
    }

    public let server: String
    public let caPEM: String?
    public let credential: Credential
    public let namespace: String

    public init(server: String, caPEM: String?, credential: Credential, namespace: String = "default") {
        self.server = server
        self.caPEM = caPEM
        self.credential = credential
        self.namespace = namespace
    }

    public var yaml: String {
        func b64(_ s: String) -> String { Data(s.utf8).base64EncodedString() }
        var cluster = "    server: \(server)\n"
        if let caPEM { cluster += "    certificate-authority-data: \(b64(caPEM))\n" }
        var user: String
        switch credential {
        case .token(let token): user = "    token: \(token)\n"
        case .clientCertificate(let cert, let key):
            user = "    client-certificate-data: \(b64(cert))\n    client-key-data: \(b64(key))\n"
        case .none: user = "    {}\n"
        }
        if case .none = credential { user = "  user: {}\n" } else { user = "  user:\n" + user }
        return """
            apiVersion: v1
            kind: Config
            clusters:
            - name: kubesim
              cluster:
            \(cluster)users:
            - name: kubesim-user
            \(user)contexts:
            - name: kubesim
              context:
                cluster: kubesim
                user: kubesim-user
                namespace: \(namespace)
            current-context: kubesim

            """
    }

    /// Writes the kubeconfig with owner-only permissions (it holds a credential).
    public func write(to url: URL) throws {
        let created = FileManager.default.createFile(atPath: url.path, contents: Data(yaml.utf8), attributes: [.posixPermissions: 0o600])
        if !created { throw KubeSimError.startFailed("cannot write kubeconfig to \(url.path)") }
    }
}
