import Foundation
import LockstepApp
import LockstepAudit
import LockstepCore
import LockstepVault
import Logging
import ServiceLifecycle

/// Keeps rotations happening: every `checkEvery` it reloads policies, refreshes metrics, and, on
/// the leader only, resumes interrupted runs, starts the rotation of a due credential, checks
/// drift every `driftCheckEvery`, and tells people about overdue and drifted credentials.
public actor RotationScheduler: Service {
    public struct Settings: Sendable {
        public var checkEvery: Duration = .seconds(30)
        public var driftCheckEvery: Duration = .seconds(300)
        /// After a scheduled run fails, the credential waits this long, doubling per failure up to `maxBackoff`.
        public var firstBackoff: Duration = .seconds(300)
        public var maxBackoff: Duration = .seconds(6 * 3600)
        public init() {}
    }

    let coordinator: RotationCoordinator
    let policies: PolicySet
    let vault: Vault
    let cluster: any ClusterPort
    let leadership: any LeadershipView
    let notifier: any EventNotifier
    let metrics: DaemonMetrics
    let settings: Settings
    let logger: Logger
    let clock: any WallClock
    /// What the pause between passes runs on.
    let timer: any Clock<Duration>
    let identity: String
    private var book = SchedulerBook()
    private var running: Task<Void, Never>?
    private var lastDriftCheck: ContinuousClock.Instant?

    public init(coordinator: RotationCoordinator, policies: PolicySet, vault: Vault, cluster: any ClusterPort, leadership: any LeadershipView,
                notifier: any EventNotifier, metrics: DaemonMetrics, settings: Settings = Settings(), logger: Logger, identity: String, clock: any WallClock = SystemClock(),
                timer: any Clock<Duration> = ContinuousClock()) {
        self.identity = identity
        self.coordinator = coordinator
        self.policies = policies
        self.vault = vault
        self.cluster = cluster
        self.leadership = leadership
        self.notifier = notifier
        self.metrics = metrics
        self.settings = settings
        self.logger = logger
        self.clock = clock
        self.timer = timer
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            await tick()
            let (interval, timer) = (settings.checkEvery, timer)
            do { try await cancelWhenGracefulShutdown { try await timer.sleep(for: interval) } } catch { break }
        }
        // Graceful shutdown: the fence stops the run in progress after its current step.
        await coordinator.stop()
        await running?.value
        logger.info("scheduler stopped")
    }

    /// One pass. Public for tests that drive the scheduler without waiting for its interval.
    public func tick() async {
        let lead = await leadership.snapshot()
        metrics.update(leadership: lead)
        if await policies.reload() {
            let count = await policies.policies.count
            logger.info("policies reloaded", metadata: ["count": "\(count)"])
        }
        let problems = await policies.problems
        metrics.update(policyProblems: problems.count)
        if !problems.isEmpty { logger.error("policy reload has problems; the last good set stays in force", metadata: ["first": "\(problems[0])"]) }
        let all = await policies.policies
        var statuses: [CredentialStatus]
        do { statuses = try CredentialStatusReader.statuses(catalog: vault.catalog, policies: all, now: clock.now()) } catch {
            logger.error("cannot read the vault catalog", metadata: ["error": "\(error)"])
            return
        }
        if lead.isLeader, lastDriftCheck.map({ ContinuousClock.now - $0 >= settings.driftCheckEvery }) ?? true {
            lastDriftCheck = ContinuousClock.now
            await checkDrift(&statuses, policies: all)
        }
        for i in statuses.indices where statuses[i].drift == nil { statuses[i].drift = book.lastDrift[statuses[i].credential] }
        metrics.update(statuses: statuses)
        if let head = try? vault.auditLog.head() { metrics.update(auditHeadSeq: head.seq) }
        guard lead.isLeader else { return }
        await notifyOverdue(statuses)
        guard running == nil else { return }
        let now = clock.now()
        // Interrupted runs first (crash, SIGTERM, a leader change). A run whose rollback is stuck
        // is retried with the same back-off as a failed rotation, not every tick.
        if let unfinished = try? vault.unfinishedRuns() {
            for run in unfinished where book.mayTry(run.credential, now: now) {
                let request = RunRequest(credential: run.credential, kind: run.kind, actor: AuditActor(kind: .system, id: "resume"),
                                         reason: "resume interrupted run \(run.id) (daemon \(identity))")
                startRun(request)
                return
            }
            if !unfinished.isEmpty { return }
        }
        let byName = Dictionary(uniqueKeysWithValues: all.map { ($0.credential.rawValue, $0) })
        for s in statuses where s.state == .due || s.state == .overdue {
            guard let policy = byName[s.credential], !policy.source.takesValue, book.mayTry(s.credential, now: now) else { continue }
            let request = RunRequest(credential: s.credential, kind: .rotate, actor: AuditActor(kind: .schedule, id: policy.name),
                                     reason: (s.state == .overdue ? "overdue: older than its maximum age" : "scheduled: due since \(s.nextDue?.rfc3339 ?? "now")") + " (daemon \(identity))")
            logger.info("starting scheduled rotation", metadata: ["credential": "\(s.credential)", "state": "\(s.state.rawValue)"])
            startRun(request)
            return
        }
    }

    /// Runs one rotation in the background (the tick goes on refreshing metrics meanwhile) and
    /// records its result for the back-off.
    private func startRun(_ request: RunRequest) {
        running = Task { [weak self, coordinator, clock] in
            let succeeded: Bool
            do { succeeded = try await coordinator.run(request).run.phase == .succeeded } catch { succeeded = false }
            await self?.recordAttempt(request.credential, succeeded: succeeded, at: clock.now())
            await self?.clearRunning()
        }
    }

    private func clearRunning() { running = nil }

    private func recordAttempt(_ credential: String, succeeded: Bool, at now: Timestamp) {
        book.record(credential, succeeded: succeeded, now: now, first: settings.firstBackoff, max: settings.maxBackoff)
    }

    private func notifyOverdue(_ statuses: [CredentialStatus]) async {
        for s in statuses where s.state == .overdue {
            guard book.firstOverdueNotice(s.credential, version: s.currentVersion ?? 0) else { continue }
            let age = s.ageSeconds.map { PolicyDuration(seconds: $0).description } ?? "?"
            let max = s.maxAgeSeconds.map { PolicyDuration(seconds: $0).description } ?? "?"
            await notifier.notify(DaemonEvent(kind: .overdue, credential: s.credential, version: s.currentVersion,
                                              message: "\(s.credential) v\(s.currentVersion ?? 0) is \(age) old, beyond its maximum age of \(max)", at: clock.now(), actor: "scheduler"))
        }
    }

    private func checkDrift(_ statuses: inout [CredentialStatus], policies all: [RotationPolicy]) async {
        var checked = statuses
        do { try await CredentialStatusReader.checkDrift(&checked, vault: vault, policies: all, cluster: cluster) } catch {
            logger.warning("drift check failed", metadata: ["error": "\(error)"])
            return
        }
        statuses = checked
        for s in statuses {
            guard let drift = s.drift, s.state != .rotating else { continue }
            let changed = book.lastDrift[s.credential] != drift
            book.lastDrift[s.credential] = drift
            guard changed, !drift.isEmpty else { continue }
            let named = drift.map(\.reference).joined(separator: ", ")
            logger.warning("drift detected", metadata: ["credential": "\(s.credential)", "targets": "\(named)"])
            let targets = drift.map { AuditTarget(namespace: $0.namespace, name: $0.name, key: $0.key) }
            _ = try? vault.audit(AuditDraft(actor: AuditActor(kind: .system, id: "scheduler"), action: .driftDetected, credential: s.credential,
                                            version: s.currentVersion, targets: targets, outcome: .failure,
                                            detail: "\(drift.count) target(s) differ from the current version"))
            await notifier.notify(DaemonEvent(kind: .drift, credential: s.credential, version: s.currentVersion,
                                              message: "\(s.credential): \(named) no longer hold v\(s.currentVersion ?? 0); someone changed the Secret outside Lockstep",
                                              at: clock.now(), actor: "scheduler"))
        }
    }
}

/// The scheduler's memory: back-off after failures, and which notices were already sent.
struct SchedulerBook {
    var failures: [String: (count: Int, retryAt: Timestamp)] = [:]
    var overdueNoticeSent: [String: Int] = [:]
    var lastDrift: [String: [SecretRef]] = [:]

    func mayTry(_ credential: String, now: Timestamp) -> Bool {
        guard let f = failures[credential] else { return true }
        return now >= f.retryAt
    }

    mutating func record(_ credential: String, succeeded: Bool, now: Timestamp, first: Duration, max: Duration) {
        guard !succeeded else { failures[credential] = nil; return }
        let count = (failures[credential]?.count ?? 0) + 1
        let base = Double(first.components.seconds) * pow(2, Double(count - 1))
        let wait = min(base, Double(max.components.seconds))
        failures[credential] = (count, Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + Int64(wait * 1000)))
    }

    /// True once per credential version.
    mutating func firstOverdueNotice(_ credential: String, version: Int) -> Bool {
        guard overdueNoticeSent[credential] != version else { return false }
        overdueNoticeSent[credential] = version
        return true
    }
}
