import Foundation

/// How requests prove who they come from.
///
/// A client certificate and a bearer source may both be set (kubeconfig allows it); the apiserver
/// then authenticates the token.
public struct Authentication: Sendable, CustomStringConvertible {
    /// Where a bearer token comes from.
    public enum Bearer: Sendable, CustomStringConvertible {
        /// A fixed token (kubeconfig `token`).
        case token(Credential)
        /// A file that is re-read periodically and after a 401 (in-cluster bound tokens, kubeconfig `tokenFile`).
        case tokenFile(String)
        /// An exec plugin that prints an ExecCredential (kubeconfig `exec`).
        case exec(ExecPluginConfiguration)

        public var description: String {
            switch self {
            case .token: "token <redacted>"
            case .tokenFile(let path): "token file \(path)"
            case .exec(let plugin): "exec plugin \(plugin)"
            }
        }
    }

    /// A client certificate and its key, both PEM.
    public struct ClientCertificate: Sendable, CustomStringConvertible {
        public var certificatePEM: Credential
        public var keyPEM: Credential

        public init(certificatePEM: Credential, keyPEM: Credential) {
            self.certificatePEM = certificatePEM
            self.keyPEM = keyPEM
        }

        public var description: String { "client certificate <redacted>" }
    }

    public var bearer: Bearer?
    public var clientCertificate: ClientCertificate?

    public init(bearer: Bearer? = nil, clientCertificate: ClientCertificate? = nil) {
        self.bearer = bearer
        self.clientCertificate = clientCertificate
    }

    public static let none = Authentication()

    public var description: String {
        let parts = [bearer?.description, clientCertificate?.description].compactMap { $0 }
        return parts.isEmpty ? "anonymous" : parts.joined(separator: " + ")
    }
}

/// A kubeconfig `exec` credential plugin (client.authentication.k8s.io/v1 or v1beta1).
public struct ExecPluginConfiguration: Sendable, CustomStringConvertible {
    public var apiVersion: String
    public var command: String
    public var arguments: [String]
    /// Extra environment for the plugin; values may be secrets, so they are never printed.
    public var environment: [String: Credential]
    /// Where relative commands are resolved (the kubeconfig's directory, as client-go does).
    public var workingDirectory: String?
    /// The plugin is killed if it has not answered by then.
    public var timeout: Duration

    public init(apiVersion: String = "client.authentication.k8s.io/v1", command: String, arguments: [String] = [],
                environment: [String: Credential] = [:], workingDirectory: String? = nil, timeout: Duration = .seconds(30)) {
        self.apiVersion = apiVersion
        self.command = command
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.timeout = timeout
    }

    // Arguments can carry secrets too (e.g. `--password`), so only the command is shown.
    public var description: String { "\(command) (\(apiVersion))" }
}
