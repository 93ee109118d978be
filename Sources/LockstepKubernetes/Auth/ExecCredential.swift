import Foundation

/// The `ExecCredential` an exec plugin prints (client.authentication.k8s.io/v1 and v1beta1).
struct ExecCredential: Decodable {
    struct Status: Decodable {
        var token: Credential?
        var clientCertificateData: Credential?
        var clientKeyData: Credential?
        var expirationTimestamp: String?
    }

    var apiVersion: String?
    var kind: String?
    var status: Status?

    /// What a plugin's output yields: a token and/or a client certificate, valid until `expiry`.
    struct Result: Sendable {
        var token: Credential?
        var clientCertificate: Authentication.ClientCertificate?
        var expiry: Date?
    }

    static func parse(_ output: Data, plugin: ExecPluginConfiguration) throws -> Result {
        // The output holds the credential: decoding errors must not quote it.
        guard let credential = try? JSONDecoder().decode(ExecCredential.self, from: output) else {
            throw KubernetesError.configuration("exec plugin \(plugin) did not print an ExecCredential JSON object")
        }
        guard credential.kind == "ExecCredential" else {
            throw KubernetesError.configuration("exec plugin \(plugin) printed kind \(credential.kind ?? "none"), expected ExecCredential")
        }
        guard credential.apiVersion == plugin.apiVersion else {
            throw KubernetesError.configuration("exec plugin \(plugin) answered with apiVersion \(credential.apiVersion ?? "none")")
        }
        guard let status = credential.status else {
            throw KubernetesError.configuration("exec plugin \(plugin) printed an ExecCredential without status")
        }
        var result = Result(token: status.token.flatMap { $0.isEmpty ? nil : $0 })
        switch (status.clientCertificateData, status.clientKeyData) {
        case let (cert?, key?): result.clientCertificate = .init(certificatePEM: cert, keyPEM: key)
        case (nil, nil): break
        default: throw KubernetesError.configuration("exec plugin \(plugin) printed a client certificate without a key, or a key without one")
        }
        if result.token == nil && result.clientCertificate == nil {
            throw KubernetesError.configuration("exec plugin \(plugin) printed neither a token nor a client certificate")
        }
        if let text = status.expirationTimestamp {
            guard let date = MicroTime.parse(text) else {
                throw KubernetesError.configuration("exec plugin \(plugin) printed an unreadable expirationTimestamp \(text)")
            }
            result.expiry = date
        }
        return result
    }
}
