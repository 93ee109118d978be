import AsyncHTTPClient
import Foundation
import LockstepApp
import LockstepCrypto
import NIOCore
import NIOHTTP1

/// The CLI's side of the admin API: HTTP/1.1 over the daemon's Unix socket. Errors arrive as
/// `AdminWire.Problem` (the daemon's message, hint and the CLI exit code to use).
public struct AdminClient: Sendable {
    public let socket: String

    public init(socket: String) { self.socket = socket }

    /// The default socket: `$LOCKSTEP_SOCKET`, else `/run/lockstep/admin.sock`.
    public static func defaultSocket(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        environment["LOCKSTEP_SOCKET"] ?? "/run/lockstep/admin.sock"
    }

    public func status(drift: Bool) async throws -> AdminWire.StatusResponse { try await get("/v1/status\(drift ? "?drift=true" : "")") }
    public func leader() async throws -> LeadershipSnapshot { try await get("/v1/leader") }
    public func plan(_ name: String, revoke: Bool) async throws -> AdminWire.PlanResponse { try await get("/v1/plan/\(Self.segment(name))\(revoke ? "?revoke=true" : "")") }
    public func history(_ name: String) async throws -> AdminWire.HistoryResponse { try await get("/v1/history/\(Self.segment(name))") }
    public func auditTail(_ count: Int) async throws -> [AdminWire.AuditLine] { try await get("/v1/audit/tail?n=\(count)") }

    /// Rotates or revokes; waits for the run to end (no deadline: a rollout may take minutes).
    public func rotate(_ request: AdminWire.RotateRequest) async throws -> RunSummary {
        try await send(.POST, "/v1/rotate", body: ByteBuffer(bytes: try JSONEncoder().encode(request)), timeout: nil)
    }

    /// `revoke --all` on the daemon; waits for the incident to end (no deadline: it rolls the gateway once per credential).
    public func incident(_ request: AdminWire.IncidentRequest) async throws -> IncidentReport {
        try await send(.POST, "/v1/incidents", body: ByteBuffer(bytes: try JSONEncoder().encode(request)), timeout: nil)
    }

    /// An incident's report, rebuilt from the audit log.
    public func incidentReport(_ id: String) async throws -> IncidentReport { try await get("/v1/incidents/\(Self.segment(id))") }

    /// Supplies a manual credential's new value and runs the rotation (or revoke) with it.
    public func supply(_ value: SecretBytes, for request: AdminWire.RotateRequest) async throws -> RunSummary {
        var query = "kind=\(request.kind.rawValue)"
        if let r = request.reason { query += "&reason=\(Self.query(r))" }
        if let i = request.incident { query += "&incident=\(Self.query(i))" }
        // The value leaves guarded memory here, for the socket write only.
        let body = value.withUnsafeBytes { ByteBuffer(bytes: $0) }
        return try await send(.POST, "/v1/credentials/\(Self.segment(request.credential))/value?\(query)", body: body, timeout: nil)
    }

    private func get<T: Decodable>(_ path: String) async throws -> T {
        try await send(.GET, path, body: nil, timeout: .seconds(30))
    }

    private func send<T: Decodable>(_ method: HTTPMethod, _ path: String, body: ByteBuffer?, timeout: TimeAmount?) async throws -> T {
        guard let url = URL(httpURLWithSocketPath: socket, uri: path) else {
            throw AdminWire.Problem(error: "cannot address the admin socket \(socket)", hint: nil, exitCode: .usage)
        }
        // A missing or stale socket fails at once (the HTTP client would retry until its deadline).
        guard AdminSocket.isListening(socket) else {
            throw AdminWire.Problem(error: "cannot reach the daemon at \(socket): nothing is listening there", hint: "is `lockstep serve` running? pass --no-daemon to work on the vault directly", exitCode: .unavailable)
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        if let body {
            request.body = .bytes(body)
            request.headers.add(name: "Content-Type", value: path.contains("/value") ? "application/octet-stream" : "application/json")
        }
        let response: HTTPClientResponse
        let data: ByteBuffer
        do {
            response = try await HTTPClient.shared.execute(request, deadline: timeout.map { .now() + $0 } ?? .distantFuture)
            data = try await response.body.collect(upTo: 16 << 20)
        } catch {
            throw AdminWire.Problem(error: "cannot reach the daemon at \(socket): \(error)", hint: "is `lockstep serve` running? pass --no-daemon to work on the vault directly", exitCode: .unavailable)
        }
        let decoder = JSONDecoder()
        guard response.status == .ok else {
            if let problem = try? decoder.decode(AdminWire.Problem.self, from: Data(buffer: data)) { throw problem }
            throw AdminWire.Problem(error: "the daemon answered \(response.status.code)", hint: nil, exitCode: .failure)
        }
        return try decoder.decode(T.self, from: Data(buffer: data))
    }

    static func segment(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? s }
    static func query(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }
}
