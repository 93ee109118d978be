import Foundation
import LockstepApp
import LockstepAudit
import LockstepCore
import LockstepEngine
import LockstepLiteLLM
import LockstepVault
import Logging

/// The one place where the daemon runs rotations: one run at a time, only while this instance
/// leads, fenced between steps (lost lease or shutdown stop a run *between* steps, journaled for
/// resume). After each run it updates metrics, notifies and records Kubernetes Events.
public actor RotationCoordinator {
    public struct Settings: Sendable {
        public var rolloutTimeout: Duration = .seconds(600)
        public var verifyAttempts = 20
        public var verifyDelay: Duration = .milliseconds(500)
        /// How long `stop()` waits for the step in progress before giving up (the run is journaled either way).
        public var stopTimeout: Duration = .seconds(60)
        public init() {}
    }

    /// What the daemon does after a run ends (Events on the touched objects).
    public typealias AfterRun = @Sendable (RunReport, RotationPolicy) async -> Void

    let vault: Vault
    let cluster: any ClusterPort
    let policies: PolicySet
    let leadership: any LeadershipView
    let notifier: any EventNotifier
    let metrics: DaemonMetrics
    let settings: Settings
    let afterRun: AfterRun
    let logger: Logger
    private let claims = RunClaims()
    private var stopping = false

    public init(vault: Vault, cluster: any ClusterPort, policies: PolicySet, leadership: any LeadershipView, notifier: any EventNotifier,
                metrics: DaemonMetrics, settings: Settings = Settings(), logger: Logger, afterRun: @escaping AfterRun = { _, _ in }) {
        self.vault = vault
        self.cluster = cluster
        self.policies = policies
        self.leadership = leadership
        self.notifier = notifier
        self.metrics = metrics
        self.settings = settings
        self.logger = logger
        self.afterRun = afterRun
    }

    /// The credential being rotated right now, if any.
    public var activeCredential: String? { claims.current }

    /// Runs (or resumes) a rotation through the rotation service; adds the daemon's part:
    /// leadership, shutdown, metrics, notifications. Throws `AdminWire.Problem` when it cannot start here.
    public func run(_ request: RunRequest) async throws -> RunReport {
        let service = makeService(credential: request.credential)
        // Claimed before the first suspension point: an actor runs other calls while this one
        // awaits, so a check before an `await` and a claim after it would let a scheduler tick and
        // a socket request start two runs at once.
        guard !stopping else { throw AdminWire.Problem(error: "the daemon is shutting down", hint: "retry once it has restarted", exitCode: .busy) }
        let claim: RunClaims.Claim
        do { claim = try service.claim(request.credential) } catch { throw AdminWire.Problem(error) }
        defer { claim.release() }
        try await refuseUnlessLeading()
        guard let policy = await policies.policy(request.credential) else {
            throw AdminWire.Problem(error: "no policy for \(request.credential)", hint: "known: \(await policies.policies.map(\.credential.rawValue).joined(separator: ", "))", exitCode: .notFound)
        }
        let started = ContinuousClock.now
        // Refusals (no gateway, a stored value in the reason, a manual value missing) before the
        // run, answered as such and not notified as a failed rotation.
        do { _ = try service.prepare(request, policy: policy, valueSupplied: request.manualValue != nil) } catch { throw AdminWire.Problem(error) }
        do {
            let report = try await service.run(request, policy: policy, on: cluster, claim: claim)
            await finished(report, policy: policy, kind: request.kind, actor: request.actor, duration: ContinuousClock.now - started)
            return report
        } catch let interruption as RunInterruption {
            logger.warning("run interrupted", metadata: ["credential": "\(request.credential)", "why": "\(interruption)"])
            throw AdminWire.Problem(error: "rotation of \(request.credential) interrupted: \(interruption)", hint: nil, exitCode: .busy)
        } catch let stuck as RollbackFailed {
            // A rollback step failed: the run is journaled and needs a person.
            metrics.rotationFinished(credential: request.credential, kind: request.kind.rawValue, outcome: "stuck", duration: ContinuousClock.now - started)
            logger.error("rotation stopped and needs attention", metadata: ["credential": "\(request.credential)", "error": "\(stuck)"])
            await notifier.notify(DaemonEvent(kind: .rotationFailed, credential: request.credential, message: "rotation of \(request.credential) stopped: \(stuck)",
                                              at: SystemClock().now(), actor: Self.describe(request.actor)))
            throw AdminWire.Problem(stuck)
        } catch {
            // Could not journal or audit a step: the code follows from the error (ExitCode), as on the direct path.
            logger.error("rotation stopped", metadata: ["credential": "\(request.credential)", "error": "\(error)"])
            await notifier.notify(DaemonEvent(kind: .rotationFailed, credential: request.credential, message: "rotation of \(request.credential) stopped: \(error)",
                                              at: SystemClock().now(), actor: Self.describe(request.actor)))
            throw error
        }
    }

    /// `revoke --all` (POST /v1/incidents): every credential of the daemon's policies (or of one
    /// gateway) revoked under one incident, only while this instance leads, each run fenced as
    /// any other; metrics, Events and notifications per run, and an `incident-closed` notification
    /// at the end. Who asked goes into the reason (the actor is `incident:ID`).
    public func incident(_ request: AdminWire.IncidentRequest, requestedBy who: String) async throws -> IncidentReport {
        guard !stopping else { throw AdminWire.Problem(error: "the daemon is shutting down", hint: "retry once it has restarted", exitCode: .busy) }
        try await refuseUnlessLeading()
        let chosen = IncidentPlan.policies(await policies.policies, ofGateway: request.gateway)
        let id: IncidentID
        do { id = try IncidentID(request.incident) } catch { throw AdminWire.Problem(error) }
        let reason = request.reason.isEmpty ? "" : "\(request.reason) (requested by \(who))"
        let started = ContinuousClock.now
        let responder = IncidentService(service: makeService(credential: "incident \(id)"), store: vault, afterRun: { [self] report, policy in
            await self.finished(report, policy: policy, kind: .revoke, actor: id.actor, duration: ContinuousClock.now - started)
        }, progress: { [logger] line in logger.info("incident", metadata: ["incident": "\(id)", "step": "\(line)"]) })
        let incidentRequest = IncidentService.Request(incident: id, reason: reason, policies: chosen, origin: .adminAPI)
        do { try responder.check(incidentRequest) } catch { throw AdminWire.Problem(error) }
        let report: IncidentReport
        do { report = try await responder.respond(incidentRequest, on: cluster) } catch let interruption as RunInterruption {
            throw AdminWire.Problem(error: "incident \(id) interrupted: \(interruption)", hint: "send it again (same id) to go on where it stopped", exitCode: .busy)
        }
        let verdict = report.everyOldValueRefusedAfterMillis.map { "every old value refused at its source after \($0) ms" } ?? "NOT every old value is refused"
        await notifier.notify(DaemonEvent(kind: .incidentClosed, credential: report.entries.map(\.credential).joined(separator: ","),
                                          message: "incident \(id): \(verdict): \(report.summaryLines.joined(separator: "; "))", at: SystemClock().now(),
                                          actor: Self.describe(id.actor)))
        return report
    }

    /// Stops taking runs; waits (bounded) for the step in progress, after which the fence stops the run.
    public func stop() async {
        stopping = true
        if !(await claims.released(within: settings.stopTimeout)), let active = claims.current {
            logger.warning("stopping with a step still in progress; the run is journaled", metadata: ["credential": "\(active)"])
        }
    }

    /// A run or an incident starts only on the leader (503 with where to go otherwise).
    private func refuseUnlessLeading() async throws {
        let lead = await leadership.snapshot()
        guard lead.isLeader else {
            throw AdminWire.Problem(error: "this instance (\(lead.identity)) is not the leader\(lead.holder.map { "; \($0) leads" } ?? "; no leader yet")",
                                    hint: "send the request to the leader's socket, or retry in a few seconds", exitCode: .busy)
        }
    }

    private func fence() async throws {
        if stopping { throw RunInterruption.shuttingDown }
        if !(await leadership.snapshot().isLeader) { throw RunInterruption.lostLeadership }
    }

    private func makeService(credential: String) -> RotationService {
        var s = RotationService.Settings()
        s.engine.rolloutTimeout = settings.rolloutTimeout
        s.engine.verifyAttempts = settings.verifyAttempts
        s.engine.verifyDelay = settings.verifyDelay
        s.engine.beforeStep = { [self] in try await self.fence() }
        let logger = self.logger
        return RotationService(store: vault, gateway: { LiteLLMGateway(client: LiteLLMClient(baseURL: $0)) }, settings: s, claims: claims, progress: { line in
            logger.info("rotation step", metadata: ["credential": "\(credential)", "step": "\(line)"])
        })
    }

    private func finished(_ report: RunReport, policy: RotationPolicy, kind: RotationRun.Kind, actor: AuditActor, duration: Duration) async {
        let run = report.run
        metrics.rotationFinished(credential: run.credential, kind: kind.rawValue, outcome: run.phase.rawValue, duration: duration)
        logger.info("rotation finished", metadata: ["credential": "\(run.credential)", "run": "\(run.id)", "outcome": "\(run.phase.rawValue)",
                                                    "seconds": "\(Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)"])
        let now = SystemClock().now()
        let who = Self.describe(actor)
        let event: DaemonEvent = switch run.phase {
        case .succeeded where kind == .revoke:
            DaemonEvent(kind: .revoked, credential: run.credential, runID: run.id, version: run.newVersion,
                        message: "\(run.credential) revoked: v\(run.newVersion ?? 0) is current and the old key is refused\(report.oldKeyRefusedAfterMillis.map { " (after \($0) ms)" } ?? "")", at: now, actor: who)
        case .succeeded:
            DaemonEvent(kind: .rotationFinished, credential: run.credential, runID: run.id, version: run.newVersion,
                        message: "\(run.credential) rotated to v\(run.newVersion ?? 0) and verified", at: now, actor: who)
        case .rolledBack:
            DaemonEvent(kind: .rolledBack, credential: run.credential, runID: run.id, version: run.newVersion,
                        message: "rotation of \(run.credential) failed and was rolled back: \(run.failure ?? "?"); the old value is in place and verified", at: now, actor: who)
        default:
            DaemonEvent(kind: .rotationFailed, credential: run.credential, runID: run.id, version: run.newVersion,
                        message: "rotation of \(run.credential) did not start: \(run.failure ?? "?"); nothing was changed", at: now, actor: who)
        }
        await notifier.notify(event)
        await afterRun(report, policy)
    }

    static func describe(_ actor: AuditActor) -> String { "\(actor.kind.rawValue):\(actor.id)" }
}
