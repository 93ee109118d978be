import Crypto
import Foundation
import SwiftASN1
import X509

/// The throwaway CA KubeSim creates at start (P-256): it signs the serving certificate for
/// 127.0.0.1/localhost and client certificates whose CN is the user name.
public struct CertificateAuthority: Sendable {
    /// A certificate with its private key, both PEM.
    public struct Issued: Sendable {
        public let certificatePEM: String
        public let privateKeyPEM: String
    }

    public let certificate: Certificate
    let key: Certificate.PrivateKey

    public var certificatePEM: String { (try? certificate.serializeAsPEM().pemString) ?? "" }

    public init(commonName: String = "kubesim-ca", now: Date = Date()) throws {
        let caKey = Certificate.PrivateKey(P256.Signing.PrivateKey())
        key = caKey
        let name = try DistinguishedName { CommonName(commonName) }
        certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(),
            publicKey: caKey.publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(86400 * 365),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: caKey.publicKey)
            },
            issuerPrivateKey: caKey)
    }

    /// A serving certificate for 127.0.0.1, ::1 and localhost.
    public func issueServerCertificate(now: Date = Date()) throws -> Issued {
        try issue(subject: DistinguishedName { CommonName("kubesim") }, usage: .serverAuth, now: now) {
            SubjectAlternativeNames([
                .dnsName("localhost"),
                .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                .ipAddress(ASN1OctetString(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1]))),
            ])
        }
    }

    /// A client certificate for `user` (CN) in `groups` (O), as the apiserver's x509 authenticator reads them.
    public func issueClientCertificate(user: String, groups: [String] = [], now: Date = Date()) throws -> Issued {
        let subject = try DistinguishedName {
            for group in groups { OrganizationName(group) }
            CommonName(user)
        }
        return try issue(subject: subject, usage: .clientAuth, now: now) {}
    }

    private func issue(
        subject: DistinguishedName, usage: ExtendedKeyUsage.Usage, now: Date,
        @ExtensionsBuilder extra: () throws -> Result<Certificate.Extensions, any Error>
    ) throws -> Issued {
        let leafKey = P256.Signing.PrivateKey()
        var extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
            try ExtendedKeyUsage([usage])
            AuthorityKeyIdentifier(keyIdentifier: try certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
        }
        for ext in try extra().get() { try extensions.append(ext) }
        let leaf = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(leafKey.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(86400 * 30),
            issuer: certificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions, issuerPrivateKey: key)
        return Issued(certificatePEM: try leaf.serializeAsPEM().pemString, privateKeyPEM: leafKey.pemRepresentation)
    }

    /// The user a client certificate names: CN is the user, O entries are groups.
    static func user(of certificate: Certificate) -> UserInfo? {
        var name: String?
        var groups: [String] = []
        for rdn in certificate.subject {
            for attribute in rdn {
                if attribute.type == .RDNAttributeType.commonName { name = attribute.value.description }
                if attribute.type == .RDNAttributeType.organizationName { groups.append(attribute.value.description) }
            }
        }
        return name.map { UserInfo(name: $0, groups: groups + ["system:authenticated"]) }
    }
}
