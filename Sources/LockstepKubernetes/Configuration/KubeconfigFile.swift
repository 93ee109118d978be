import Foundation
import Yams

/// The parts of a kubeconfig file this client reads (clusters, users, contexts, current-context).
/// Unknown fields are ignored. Credential fields are decoded straight into ``Credential``.
struct KubeconfigFile: Decodable {
    struct Named<T: Decodable>: Decodable {
        var name: String
        var value: T?

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: DynamicKey.self)
            name = try c.decode(String.self, forKey: DynamicKey("name"))
            // The value sits under "cluster", "user" or "context" depending on the list.
            value = try c.allKeys.first { $0.stringValue != "name" }.flatMap { try c.decodeIfPresent(T.self, forKey: $0) }
        }
    }

    struct Cluster: Decodable {
        var server: String?
        var certificateAuthority: String?
        var certificateAuthorityData: String?
        var insecureSkipTLSVerify: Bool?
        var tlsServerName: String?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
        }
    }

    struct User: Decodable {
        var token: Credential?
        var tokenFile: String?
        var clientCertificate: String?
        var clientCertificateData: Credential?
        var clientKey: String?
        var clientKeyData: Credential?
        var exec: Exec?

        enum CodingKeys: String, CodingKey {
            case token, tokenFile, exec
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
        }
    }

    struct Exec: Decodable {
        struct Variable: Decodable {
            var name: String
            var value: Credential
        }

        var apiVersion: String?
        var command: String
        var args: [String]?
        var env: [Variable]?
    }

    struct Context: Decodable {
        var cluster: String
        var user: String?
        var namespace: String?
    }

    var clusters: [Named<Cluster>]?
    var users: [Named<User>]?
    var contexts: [Named<Context>]?
    var currentContext: String?

    enum CodingKeys: String, CodingKey {
        case clusters, users, contexts
        case currentContext = "current-context"
    }

    /// Parses a kubeconfig. The YAML parser's own messages quote the offending line, which may hold a
    /// token, so they are replaced by one that names only the file.
    static func parse(_ text: String, path: String) throws -> KubeconfigFile {
        do {
            return try YAMLDecoder().decode(KubeconfigFile.self, from: text)
        } catch let error as DecodingError {
            throw KubernetesError.configuration("kubeconfig \(path) has an unexpected shape at \(Self.codingPath(of: error))")
        } catch {
            throw KubernetesError.configuration("kubeconfig \(path) is not valid YAML")
        }
    }

    private static func codingPath(of error: DecodingError) -> String {
        let path: [any CodingKey]
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): path = c.codingPath
        case .keyNotFound(let key, let c): path = c.codingPath + [key]
        @unknown default: path = []
        }
        return path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}

struct DynamicKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension Credential: Decodable {
    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }
}
