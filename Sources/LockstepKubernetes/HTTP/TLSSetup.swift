import Foundation
import NIOSSL

/// Builds the NIOSSL client configuration for an apiserver: trust roots, verification and identity.
enum TLSSetup {
    static func base(_ configuration: KubernetesConfiguration) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if configuration.insecureSkipTLSVerify {
            tls.certificateVerification = .none
        } else if let ca = configuration.certificateAuthorityPEM {
            do {
                // Only this CA: a cluster CA replaces the system roots rather than adding to them.
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
            } catch {
                throw KubernetesError.configuration("the certificate authority of \(configuration.source) is not PEM")
            }
        }
        if let identity = configuration.authentication.clientCertificate {
            try apply(identity, to: &tls, source: configuration.source)
        }
        return tls
    }

    /// Presents `identity` as the client certificate. Errors name only the source, never key material.
    static func apply(_ identity: Authentication.ClientCertificate, to tls: inout TLSConfiguration, source: String) throws {
        do {
            tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(identity.certificatePEM.bytes).map { .certificate($0) }
        } catch {
            throw KubernetesError.configuration("the client certificate of \(source) is not PEM")
        }
        do {
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: identity.keyPEM.bytes, format: .pem))
        } catch {
            throw KubernetesError.configuration("the client key of \(source) is not a PEM private key")
        }
    }
}
