import LockstepCore
import LockstepCrypto
import LockstepEngine

/// `revoke --all`: every credential of a gateway (or of the policy folder) revoked under one
/// incident id, each old value refused at its source at the end, the backend serving throughout
/// (each run uses its policy's zero-failure strategy). The incident is journaled in the audit
/// log (`incident.opened`, every run with actor `incident:ID`, `incident.closed`), so the same
/// command again, after a crash or once a person supplied a missing key, skips what is revoked,
/// resumes an interrupted run and does the rest.
public struct IncidentService: Sendable {
    public struct Request: Sendable {
        public var incident: IncidentID
        public var reason: String
        /// The credentials' policies (``IncidentPlan`` orders them).
        public var policies: [RotationPolicy]
        /// New values for the credentials only a person can mint (Anthropic, manual sources).
        public var values: [String: SecretBytes]
        public var origin: RunRequest.Origin

        public init(incident: IncidentID, reason: String, policies: [RotationPolicy], values: [String: SecretBytes] = [:], origin: RunRequest.Origin) {
            self.incident = incident
            self.reason = reason
            self.policies = policies
            self.values = values
            self.origin = origin
        }
    }

    /// Told of each run that ended (the daemon's metrics, Events and notifications).
    public typealias AfterRun = @Sendable (RunReport, RotationPolicy) async -> Void

    let service: RotationService
    let store: any IncidentStore
    let afterRun: AfterRun
    let progress: @Sendable (String) -> Void

    /// `service` runs each revoke (its claim keeps other runs out meanwhile); `store` is the one it
    /// runs on, read back for the incident's journal.
    public init(service: RotationService, store: any IncidentStore, afterRun: @escaping AfterRun = { _, _ in }, progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.service = service
        self.store = store
        self.afterRun = afterRun
        self.progress = progress
    }

    /// The checks that need neither the cluster nor a provider: a reason, no stored value in the
    /// reason or id, at least one credential, every value given belongs to a listed credential.
    public func check(_ request: Request) throws {
        guard !request.reason.isEmpty else {
            throw ServiceProblem("revoke --all needs a reason", hint: "pass \(request.origin.reasonField) (recorded in the audit log)", code: .usage)
        }
        try store.refuseStoredValues(in: [(request.origin.reasonField, request.reason), (request.origin.incidentField, request.incident.rawValue)])
        guard !request.policies.isEmpty else {
            throw ServiceProblem("no credential to revoke", hint: "check the policy folder and --gateway", code: .notFound)
        }
        let names = Set(request.policies.map(\.credential.rawValue))
        if let stray = request.values.keys.sorted().first(where: { !names.contains($0) }) {
            throw ServiceProblem("a value was given for \(stray), which this incident does not revoke", hint: "known: \(names.sorted().joined(separator: ", "))", code: .usage)
        }
    }

    /// Runs the incident on `cluster` to its end and returns its report (its `exitCode` says how
    /// it ended). Throws only what stops the whole incident before its end: a failed check, a
    /// ``RunInterruption`` (it resumes), a store that cannot journal.
    public func respond(_ request: Request, on cluster: any ClusterPort) async throws -> IncidentReport {
        try check(request)
        // Before the first suspension point: no scheduled run slips in between the incident's.
        let hold = try service.hold()
        defer { hold.release() }
        let actor = request.incident.actor
        var plan = IncidentPlan.make(request.policies, suppliedValues: Set(request.values.keys))
        let before = IncidentReport.fold(try store.events(by: actor), incident: request.incident.rawValue, plan: plan.items.map(\.credential))
        // Done: refused at its source, or rolled out with only the provider's copy left to a person
        // (rolling it again would not make the old key any less valid there).
        // A run still journaled is not done, whatever it wrote: one promoted and interrupted before
        // its old key was retired at the provider has that left to do.
        let unfinished = Set(try store.unfinishedRuns().map(\.credential))
        let done = Set(before?.entries.filter { [.refused, .stillValidAtSource].contains($0.state) && !unfinished.contains($0.credential) }.map(\.credential) ?? [])
        let names = plan.items.map(\.credential).joined(separator: ", ")
        try store.record(AuditDraft(actor: actor, action: .incidentOpened, outcome: .started,
                                    detail: "\(before == nil ? "revoke --all" : "revoke --all taken up again") of \(plan.items.count) credential(s), in order: \(names); reason: \(request.reason)"))
        progress("incident \(request.incident): \(plan.items.count) credential(s) in order: \(names)\(done.isEmpty ? "" : "; done already: \(done.sorted().joined(separator: ", "))")")

        await preflightSources(&plan, skipping: done)
        let lanes = plan.lanes
        if lanes.count > 1 {
            progress("\(lanes.count) independent lanes in parallel: " + lanes.map { $0.map(\.credential).joined(separator: " → ") }.joined(separator: " | "))
        }
        let live = try await withThrowingTaskGroup(of: [String: IncidentReport.Entry].self) { group in
            for lane in lanes {
                group.addTask { try await self.run(lane, skipping: done, request: request, hold: hold, on: cluster) }
            }
            var all: [String: IncidentReport.Entry] = [:]
            for try await entries in group { all.merge(entries) { a, _ in a } }
            return all
        }

        let journaled = IncidentReport.fold(try store.events(by: actor), incident: request.incident.rawValue, plan: plan.items.map(\.credential))
        var report = journaled ?? IncidentReport(incident: request.incident.rawValue, openedAt: SystemClock().now(), entries: [])
        report.entries = report.entries.map { e in
            // The journal knows the runs and their refusals; what did not reach it (a person to act,
            // an error outside the run) comes from this pass.
            guard var l = live[e.credential] else { return e }
            if [.failed, .needsPerson, .notReached, .rollbackStuck].contains(l.state) { return l }
            if e.state == .refused || l.state == .refused { return e }
            // Ended otherwise (rolled back, not started): the run's own words, the journal's times.
            l.refusedAfterMillis = e.refusedAfterMillis
            l.refusedAt = e.refusedAt
            l.run = e.run ?? l.run
            return l
        }
        try store.record(AuditDraft(actor: actor, action: .incidentClosed, outcome: report.allRefused ? .success : .failure, detail: ClosedDetail.text(report)))
        report.closedAt = try store.events(by: actor).last?.time
        return report
    }

    /// One lane's credentials, one after another; a rollback that needs attention stops the lane
    /// (the next run would roll the same Deployment), not the others.
    private func run(_ lane: [IncidentPlan.Item], skipping done: Set<String>, request: Request, hold: RunClaims.Hold, on cluster: any ClusterPort) async throws -> [String: IncidentReport.Entry] {
        var live: [String: IncidentReport.Entry] = [:]
        var stopped: String?
        for item in lane where !done.contains(item.credential) {
            if let stopped {
                live[item.credential] = .init(credential: item.credential, state: .notReached, note: "not started: \(stopped), which shares its gateway, Deployment or Secret, stopped in a rollback that needs attention")
                continue
            }
            if let blocker = item.blocker {
                progress("\(item.credential): needs a person: \(blocker)")
                live[item.credential] = .init(credential: item.credential, state: .needsPerson, note: blocker)
                continue
            }
            let entry = try await revoke(item, request: request, hold: hold, on: cluster)
            if entry.state == .rollbackStuck { stopped = item.credential }
            live[item.credential] = entry
        }
        return live
    }

    /// The providers' preflights, all at once (each adapter bounds its own retries): an admin
    /// credential without rights, or a provider that does not know the current key, is known in
    /// seconds, before the first run changes anything, and that credential becomes a blocker.
    private func preflightSources(_ plan: inout IncidentPlan, skipping done: Set<String>) async {
        let checks = plan.items.filter { !done.contains($0.credential) && $0.blocker == nil && $0.policy.source.retiresAtSource }
        guard !checks.isEmpty else { return }
        progress("preflight at the providers: \(checks.map(\.credential).joined(separator: ", "))")
        let refusals = await withTaskGroup(of: (String, String?).self) { group in
            for item in checks {
                group.addTask { [service, store] in
                    do {
                        guard let source = try service.keySources(item.policy.source) else { return (item.credential, nil) }
                        _ = try await source.preflight(current: try store.value(of: item.credential))
                        return (item.credential, nil)
                    } catch {
                        return (item.credential, "preflight at its provider refused: \(ServiceProblem(error).message)")
                    }
                }
            }
            var out: [String: String] = [:]
            for await (credential, refusal) in group { if let refusal { out[credential] = refusal } }
            return out
        }
        plan = IncidentPlan(items: plan.items.map { item in
            var item = item
            if let refusal = refusals[item.credential], item.blocker == nil { item.blocker = refusal }
            return item
        })
    }

    /// One credential's revoke: an interrupted run of it is resumed first (and, if that was not
    /// a revoke, the revoke follows).
    private func revoke(_ item: IncidentPlan.Item, request: Request, hold: RunClaims.Hold, on cluster: any ClusterPort) async throws -> IncidentReport.Entry {
        let credential = item.credential
        let runRequest = RunRequest(credential: credential, kind: .revoke, actor: request.incident.actor, reason: request.reason, incident: request.incident.rawValue,
                                    manualValue: request.values[credential], origin: request.origin)
        progress("\(credential): revoking")
        for _ in 0..<2 {
            do {
                let claim = try hold.claim(credential)
                defer { claim.release() }
                let resumed = try service.prepare(runRequest, policy: item.policy, valueSupplied: runRequest.manualValue != nil).resuming
                let report = try await service.run(runRequest, policy: item.policy, on: cluster, claim: claim)
                await afterRun(report, item.policy)
                if let resumed, resumed.kind != .revoke, report.run.phase == .succeeded { continue }
                return Self.entry(credential, report)
            } catch let stuck as RollbackFailed {
                return .init(credential: credential, state: .rollbackStuck, run: stuck.report.run.id, note: "rollback stopped at \(stuck.step): \(stuck.reason)")
            } catch let interrupted as RunInterruption {
                throw interrupted
            } catch {
                let problem = ServiceProblem(error)
                return .init(credential: credential, state: .failed, note: problem.message + (problem.hint.map { "; \($0)" } ?? ""))
            }
        }
        return .init(credential: credential, state: .failed, note: "an interrupted rotation was resumed, and the revoke after it did not start")
    }

    private static func entry(_ credential: String, _ report: RunReport) -> IncidentReport.Entry {
        let state: IncidentReport.State = switch report.run.phase {
        case .succeeded: .refused
        case .rolledBack: .rolledBack
        case .abandoned: .notStarted
        default: .unfinished
        }
        return .init(credential: credential, state: state, run: report.run.id, note: report.run.failure ?? report.warnings.first)
    }
}
