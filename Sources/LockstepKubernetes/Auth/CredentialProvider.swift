import Foundation
import Logging

/// What to attach to one request.
struct RequestCredentials: Sendable {
    var bearer: Credential?
    /// A client certificate that differs from the static one (from an exec plugin).
    var clientCertificate: Authentication.ClientCertificate?
}

/// Hands out the current credentials: re-reads a token file every `refreshInterval` and after a 401
/// (bound ServiceAccount tokens expire after an hour); runs an exec plugin again when its credential
/// expires or was refused. Static tokens never change.
actor CredentialProvider {
    private let bearer: Authentication.Bearer?
    private let refreshInterval: Duration
    private let now: @Sendable () -> Date
    private let logger: Logger
    private var cached: (credentials: RequestCredentials, validUntil: Date?)?
    /// A load in progress: concurrent requests share it instead of each running the plugin.
    private var loading: Task<(credentials: RequestCredentials, validUntil: Date?), any Error>?

    init(authentication: Authentication, refreshInterval: Duration, now: @escaping @Sendable () -> Date, logger: Logger) {
        bearer = authentication.bearer
        self.refreshInterval = refreshInterval
        self.now = now
        self.logger = logger
    }

    /// Whether a 401 can be cured by fetching the credential again.
    var canRefresh: Bool {
        switch bearer {
        case .tokenFile, .exec: true
        case .token, nil: false
        }
    }

    func current() async throws -> RequestCredentials {
        if let cached, cached.validUntil.map({ now() < $0 }) ?? true { return cached.credentials }
        if let loading { return try await loading.value.credentials }
        let task = Task { try await load() }
        loading = task
        defer { loading = nil }
        let fresh = try await task.value
        cached = fresh
        return fresh.credentials
    }

    /// Forgets the cached credential (after a 401), so the next request fetches it again.
    func invalidate() {
        if canRefresh { cached = nil }
    }

    private func load() async throws -> (credentials: RequestCredentials, validUntil: Date?) {
        switch bearer {
        case nil: return (RequestCredentials(), nil)
        case .token(let token): return (RequestCredentials(bearer: token), nil)
        case .tokenFile(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw KubernetesError.configuration("cannot read the token file \(path)")
            }
            let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { throw KubernetesError.configuration("the token file \(path) is empty") }
            logger.debug("read the token file", metadata: ["path": "\(path)"])
            return (RequestCredentials(bearer: Credential(token)), now().addingTimeInterval(refreshInterval.timeInterval))
        case .exec(let plugin):
            let output = try await ExecPluginRunner.run(plugin)
            let result = try ExecCredential.parse(output, plugin: plugin)
            logger.debug("exec plugin returned a credential", metadata: [
                "plugin": "\(plugin)", "expires": "\(result.expiry.map(MicroTime.formatSeconds) ?? "never")"])
            return (RequestCredentials(bearer: result.token, clientCertificate: result.clientCertificate), result.expiry)
        }
    }
}

extension Duration {
    /// Seconds as a floating-point number.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
