import Foundation
import Hummingbird
import LockstepVault
import NIOCore

/// `/healthz` (the process serves), `/readyz` (vault readable, cluster reachable, lease state
/// known) and `/metrics` (Prometheus text) on the daemon's TCP address. Nothing here needs
/// authentication, so nothing here reveals more than names, counts and times.
public struct HealthRoutes: Sendable {
    public typealias Probe = @Sendable () async throws -> Void

    let vault: Vault
    let leadership: any LeadershipView
    let metrics: DaemonMetrics
    let clusterProbe: Probe
    let beforeScrape: @Sendable () -> Void

    public init(vault: Vault, leadership: any LeadershipView, metrics: DaemonMetrics, clusterProbe: @escaping Probe, beforeScrape: @escaping @Sendable () -> Void = {}) {
        self.vault = vault
        self.leadership = leadership
        self.metrics = metrics
        self.clusterProbe = clusterProbe
        self.beforeScrape = beforeScrape
    }

    struct Readiness: Encodable {
        var ready: Bool
        var vault: String
        var cluster: String
        var leadership: LeadershipSnapshot
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/readyz") { _, _ in
            let r = await readiness()
            return try jsonResponse(r, status: r.ready ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            metrics.update(leadership: await leadership.snapshot())
            beforeScrape()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        }
        return router
    }

    func readiness() async -> Readiness {
        let lead = await leadership.snapshot()
        var r = Readiness(ready: true, vault: "ok", cluster: "ok", leadership: lead)
        do { _ = try vault.auditLog.head() } catch {
            r.vault = "unreadable: \(error)"
            r.ready = false
        }
        do { try await clusterProbe() } catch {
            r.cluster = "unreachable: \(error)"
            r.ready = false
        }
        // A standby is ready (it serves status and takes over); an instance that has not yet
        // observed the lease is not.
        if lead.lease != nil, !lead.isLeader, lead.observedAt == nil { r.ready = false }
        return r
    }
}
