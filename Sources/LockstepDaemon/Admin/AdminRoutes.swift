import Foundation
import Hummingbird
import LockstepApp
import LockstepAudit
import LockstepCore
import LockstepCrypto
import LockstepEngine
import LockstepVault
import NIOCore

/// The admin API (JSON over the Unix socket; docs/daemon.md): status, plan, rotate, revoke,
/// supply a manual value, history, audit tail, leader. Every request is checked against the
/// peer's uid; every rotation records that peer as its actor.
public struct AdminRoutes: Sendable {
    let coordinator: RotationCoordinator
    let policies: PolicySet
    let vault: Vault
    let leadership: any LeadershipView
    let cluster: any ClusterPort
    let access: AdminAccess
    let identity: String

    public init(coordinator: RotationCoordinator, policies: PolicySet, vault: Vault, leadership: any LeadershipView,
                cluster: any ClusterPort, access: AdminAccess, identity: String) {
        self.coordinator = coordinator
        self.policies = policies
        self.vault = vault
        self.leadership = leadership
        self.cluster = cluster
        self.access = access
        self.identity = identity
    }

    public func router() -> Router<AdminRequestContext> {
        let router = Router(context: AdminRequestContext.self)
        router.add(middleware: PeerCheck(access: access))
        router.get("/v1/status") { request, _ in try await answer { try await status(drift: request.uri.queryParameters["drift"] == "true") } }
        router.get("/v1/leader") { _, _ in try await answer { await leadership.snapshot() } }
        router.get("/v1/plan/:name") { request, context in
            try await answer { try await plan(context.parameters.require("name"), revoke: request.uri.queryParameters["revoke"] == "true") }
        }
        router.post("/v1/rotate") { request, context in
            try await answer {
                let rotate = try await AdminBody.decode(AdminWire.RotateRequest.self, from: request)
                return try await run(rotate, value: nil, peer: await peer(context))
            }
        }
        router.post("/v1/credentials/:name/value") { request, context in
            try await answer {
                // The body is the raw new value: copied once into guarded memory, the buffer's bytes wiped.
                var body = try await request.body.collect(upTo: AdminBody.limit)
                var bytes = body.readBytes(length: body.readableBytes) ?? []
                defer { SecretBytes.wipe(&bytes) }
                guard !bytes.isEmpty else { throw AdminWire.Problem(error: "the new value is empty", hint: "pipe the value into `lockstep rotate NAME --value-from-stdin`", exitCode: .invalidInput) }
                let value = try SecretBytes.take(&bytes)
                let q = request.uri.queryParameters
                let rotate = AdminWire.RotateRequest(credential: try context.parameters.require("name"), kind: q["kind"] == "revoke" ? .revoke : .rotate,
                                                     reason: q["reason"].map(String.init), incident: q["incident"].map(String.init))
                return try await run(rotate, value: value, peer: await peer(context))
            }
        }
        router.post("/v1/incidents") { request, context in
            try await answer {
                let incident = try await AdminBody.decode(AdminWire.IncidentRequest.self, from: request)
                let who = await peer(context).map { "\($0) via \(identity)" } ?? "unknown peer via \(identity)"
                let coordinator = self.coordinator
                // As for a run: a caller who disconnects does not stop the incident half-way.
                return try await Task { try await coordinator.incident(incident, requestedBy: who) }.value
            }
        }
        router.get("/v1/incidents/:id") { _, context in
            try await answer {
                let id = try IncidentID(try context.parameters.require("id"))
                guard let report = IncidentReport.fold(try vault.auditLog.events(by: id.actor), incident: id.rawValue) else {
                    throw AdminWire.Problem(error: "no incident \(id) in the audit log", hint: "it is opened by `lockstep revoke --all --incident \(id)`", exitCode: .notFound)
                }
                return report
            }
        }
        router.get("/v1/history/:name") { _, context in try await answer { try history(context.parameters.require("name")) } }
        router.get("/v1/audit/tail") { request, _ in
            try await answer {
                let n = request.uri.queryParameters["n"].flatMap { Int($0) } ?? 20
                return try vault.auditLog.entries().suffix(max(1, min(n, 1000))).map(AdminWire.AuditLine.init)
            }
        }
        return router
    }

    private func peer(_ context: AdminRequestContext) async -> PeerCredentials? {
        await PeerCredentials.read(from: context.channel)
    }

    private func status(drift: Bool) async throws -> AdminWire.StatusResponse {
        let all = await policies.policies
        var statuses = try CredentialStatusReader.statuses(catalog: vault.catalog, policies: all, now: SystemClock().now())
        if drift { try await CredentialStatusReader.checkDrift(&statuses, vault: vault, policies: all, cluster: cluster) }
        return AdminWire.StatusResponse(leadership: await leadership.snapshot(), credentials: statuses, policyProblems: await policies.problems.map(\.description))
    }

    private func plan(_ name: String, revoke: Bool) async throws -> AdminWire.PlanResponse {
        guard let policy = await policies.policy(name) else { throw AdminWire.Problem(error: "no policy for \(name)", hint: nil, exitCode: .notFound) }
        do {
            return AdminWire.PlanResponse(lines: try PlanDescription.lines(policy: policy, record: try vault.catalog.credential(name), revoke: revoke))
        } catch let e as PlanDescription.NotAdopted {
            throw AdminWire.Problem(error: e.description, hint: "adopt the value in use with `lockstep credential adopt \(name)`", exitCode: .notFound)
        }
    }

    private func history(_ name: String) throws -> AdminWire.HistoryResponse {
        AdminWire.HistoryResponse(try CredentialHistory.read(name, catalog: vault.catalog, auditLog: vault.auditLog))
    }

    private func run(_ request: AdminWire.RotateRequest, value: SecretBytes?, peer: PeerCredentials?) async throws -> RunSummary {
        let who = peer.map { "\($0) via \(identity)" } ?? "unknown peer via \(identity)"
        let actor = request.incident.map { AuditActor(kind: .incident, id: $0) } ?? AuditActor(kind: .user, id: who)
        // An incident's actor is `incident:ID`, so who asked goes into the reason; a revoke without
        // a reason of its own is still refused by the service.
        let given = request.reason ?? ""
        let reason = request.incident == nil || (given.isEmpty && request.kind == .revoke) ? request.reason : "\(given) (requested by \(who))"
        let runRequest = RunRequest(credential: request.credential, kind: request.kind == .revoke ? .revoke : .rotate, actor: actor, reason: reason,
                                    incident: request.incident, manualValue: value, immediate: request.kind == .revoke && request.immediate == true, origin: .adminAPI)
        // Not a child of the request: a caller who disconnects (a dropped `kubectl exec` at 3 a.m.)
        // must not cancel the run half-way; it goes on and the caller can follow it with `status`.
        let coordinator = self.coordinator
        let report = try await Task { try await coordinator.run(runRequest) }.value
        return RunSummary(report)
    }
}

/// Refuses a peer the access rule does not allow, before any handler runs (defence in depth on
/// top of the socket's file mode, which root ignores and a misconfigured mount may widen).
struct PeerCheck: RouterMiddleware {
    let access: AdminAccess
    func handle(_ request: Request, context: AdminRequestContext, next: (Request, AdminRequestContext) async throws -> Response) async throws -> Response {
        guard let peer = await PeerCredentials.read(from: context.channel) else {
            return try problemResponse(AdminWire.Problem(error: "cannot tell who is calling (no peer credentials)", hint: "use the admin Unix socket", exitCode: .insecurePermissions))
        }
        guard access.allows(peer) else {
            context.logger.warning("admin request refused", metadata: ["peer": "\(peer)", "path": "\(request.uri.path)"])
            return try problemResponse(AdminWire.Problem(error: "\(peer) may not use this daemon's admin socket", hint: "run as the daemon's user, or ask for admin.group membership", exitCode: .insecurePermissions))
        }
        return try await next(request, context)
    }
}

/// Runs a handler body and turns its result, or its error, into a JSON response: every error
/// through the one mapping of errors to exit codes and HTTP statuses (`ExitCode`).
func answer<T: Encodable>(_ body: () async throws -> T) async throws -> Response {
    do {
        return try jsonResponse(try await body(), status: .ok)
    } catch let e as any HTTPResponseError {
        // `collect(upTo:)` past the limit throws NIOTooManyBytesError, which Hummingbird answers
        // as a bare 413: answered here with a message like every other refusal.
        guard e.status == .contentTooLarge else { throw e }
        return try jsonResponse(AdminWire.Problem(error: "the request body is larger than \(AdminBody.limit / 1024) KiB", hint: "send the fields docs/daemon.md lists, nothing more",
                                                  exitCode: .invalidInput), status: .contentTooLarge)
    } catch {
        return try problemResponse(AdminWire.Problem(error))
    }
}

func problemResponse(_ p: AdminWire.Problem) throws -> Response {
    try jsonResponse(p, status: HTTPResponse.Status(code: p.code.httpStatus))
}

/// Request bodies of the admin API: at most `limit` bytes (a rotate request is a few hundred;
/// a manual value is a provider key), decoded strictly.
enum AdminBody {
    static let limit = 64 * 1024

    static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        let body = try await request.body.collect(upTo: limit)
        return try JSONDecoder().decode(type, from: Data(buffer: body))
    }
}

func jsonResponse<T: Encodable>(_ value: T, status: HTTPResponse.Status) throws -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
}
