import _CryptoExtras
import Crypto
import Foundation
import LockstepCrypto
import NIOCore

/// A Google service account's JSON key (the file the console's "Keys → Add key → JSON" gives)
/// and the OAuth 2.0 JWT bearer grant that turns it into an access token (docs/providers.md,
/// "Using OAuth 2.0 for server to server applications"): a JWT signed RS256 with the account's
/// private key, `iss` its email, `aud` its `token_uri`, `scope` cloud-platform, valid one hour,
/// posted to `token_uri`; the answer's `access_token` is then the bearer of every API call.
///
/// The private key lives in BoringSSL's memory for the adapter's lifetime (swift-crypto does
/// not wipe it); the JSON text is read from the vault's locked memory and never printed.
struct GoogleServiceAccount: Sendable {
    static let scope = "https://www.googleapis.com/auth/cloud-platform"

    let email: String
    let keyID: String?
    let tokenURI: String
    let privateKey: _RSA.Signing.PrivateKey

    /// Reads the JSON key; every error names the vault credential and the field, never a value.
    init(json secret: SecretBytes, credential: String) throws {
        let object = secret.withUnsafeBytes { try? JSONSerialization.jsonObject(with: Data($0)) } as? [String: Any]
        func notAKey(_ missing: String) -> ProviderError {
            ProviderError(.unauthorized, status: nil, "the vault credential \(credential) is not a Google service account's JSON key (no \(missing)): "
                + "import the file the console gives (IAM → Service accounts → Keys → Add key → JSON) with --value-file")
        }
        func field(_ name: String) throws -> String {
            guard let value = object?[name] as? String, !value.isEmpty else { throw notAKey(name) }
            return value
        }
        guard object?["type"] as? String == "service_account" else { throw notAKey("\"type\": \"service_account\"") }
        email = try field("client_email")
        keyID = object?["private_key_id"] as? String
        let uri = object?["token_uri"] as? String ?? "https://oauth2.googleapis.com/token"
        guard let u = URL(string: uri), u.scheme == "https" || (u.scheme == "http" && ["127.0.0.1", "localhost", "::1"].contains(u.host ?? "")) else {
            throw ProviderError(.unauthorized, status: nil, "the token_uri of the vault credential \(credential) must be an https URL (http only on 127.0.0.1, for a test bench)")
        }
        tokenURI = uri
        do { privateKey = try _RSA.Signing.PrivateKey(pemRepresentation: try field("private_key")) } catch let error as ProviderError { throw error } catch {
            throw ProviderError(.unauthorized, status: nil, "the private_key of the vault credential \(credential) is not an RSA private key in PEM")
        }
    }

    /// The signed grant: `header.claims.signature`, each Base64url without padding.
    func assertion(now: Date) throws -> String {
        var header: [String: Any] = ["alg": "RS256", "typ": "JWT"]
        if let keyID { header["kid"] = keyID }
        let iat = Int(now.timeIntervalSince1970)
        let claims: [String: Any] = ["iss": email, "scope": Self.scope, "aud": tokenURI, "iat": iat, "exp": iat + 3600]
        let signingInput = Self.base64url(try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])) + "."
            + Self.base64url(try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys]))
        let signature = try privateKey.signature(for: SHA256.hash(data: Data(signingInput.utf8)), padding: .insecurePKCS1v1_5)
        return signingInput + "." + Self.base64url(signature.rawRepresentation)
    }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
