import Foundation
import NIOCore
import NIOSSL
import X509

/// Works out who a request comes from: a bearer token from the tokens file, or a client
/// certificate signed by KubeSim's CA (CN = user). Over plain HTTP a request without
/// credentials is the admin, since kubectl sends credentials only over TLS.
struct Authenticator: Sendable {
    let tokens: TokenFile?
    let useTLS: Bool

    enum Outcome: Sendable {
        case user(UserInfo)
        case unauthorized
    }

    func authenticate(authorization: String?, channel: any Channel) async -> Outcome {
        if let authorization, authorization.lowercased().hasPrefix("bearer ") {
            let token = String(authorization.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
            if let user = tokens?.user(forToken: token) { return .user(user) }
            return .unauthorized
        }
        guard useTLS else { return .user(UserInfo(name: "system:admin", groups: ["system:masters"])) }
        if let user = await certificateUser(channel) { return .user(user) }
        return .unauthorized
    }

    /// The user of the verified client certificate, if the peer sent one. NIOSSL has already checked
    /// the chain against KubeSim's CA (optional verification), so only the subject is read here.
    private func certificateUser(_ channel: any Channel) async -> UserInfo? {
        let der: [UInt8]? = try? await channel.eventLoop.submit {
            let handler = try channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
            return try handler.peerCertificate?.toDERBytes()
        }.get()
        guard let der, let certificate = try? Certificate(derEncoded: der) else { return nil }
        return CertificateAuthority.user(of: certificate)
    }
}
