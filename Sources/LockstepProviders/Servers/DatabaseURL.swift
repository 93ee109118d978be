import Foundation
import LockstepCrypto

/// A consumer's `DATABASE_URL` (`postgresql://user:password@host:port/db?options`), split into
/// the login and the rest. The login changes in a rotation; the host, port, database and options
/// the consumer uses stay as they are (the consumer may reach the server by another name than
/// Lockstep does). `description` never shows the password.
struct DatabaseURL: CustomStringConvertible {
    let scheme: String
    let user: String
    /// Percent-decoded; only in memory for the length of a call.
    let password: String
    /// `host:port/db?options`, as written.
    let location: String

    init(user: String, password: String, replacingLoginOf base: DatabaseURL) {
        scheme = base.scheme
        self.user = user
        self.password = password
        location = base.location
    }

    /// Nil when `value` is not a PostgreSQL URL with a user and a password.
    init?(_ value: SecretBytes) {
        let text = value.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        guard let schemeEnd = text.range(of: "://") else { return nil }
        let scheme = String(text[..<schemeEnd.lowerBound]).lowercased()
        guard scheme == "postgresql" || scheme == "postgres" else { return nil }
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { "/?#".contains($0) }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return nil }
        let userinfo = authority[..<at]
        guard let colon = userinfo.firstIndex(of: ":") else { return nil }
        guard let user = String(userinfo[..<colon]).removingPercentEncoding, !user.isEmpty,
              let password = String(userinfo[userinfo.index(after: colon)...]).removingPercentEncoding, !password.isEmpty else { return nil }
        self.scheme = scheme
        self.user = user
        self.password = password
        location = String(rest[rest.index(after: at)...])
    }

    /// The URL as the consumer reads it (user and password percent-encoded where needed).
    func value() throws -> SecretBytes {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let user = user.addingPercentEncoding(withAllowedCharacters: allowed) ?? user
        let password = password.addingPercentEncoding(withAllowedCharacters: allowed) ?? password
        return try SecretBytes(utf8: "\(scheme)://\(user):\(password)@\(location)")
    }

    /// `postgresql://litellm_a:***@db:5432/litellm`: for errors and reports.
    var description: String { "\(scheme)://\(user):***@\(location)" }

    /// What a value that is not such a URL is told, without showing it.
    static let malformed = "the value is not a PostgreSQL URL with a user and a password (postgresql://USER:PASSWORD@HOST:PORT/DB)"
}
