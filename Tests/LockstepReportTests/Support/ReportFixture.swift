import Foundation
import LockstepAudit
import LockstepCore
import LockstepCrypto
import LockstepEngine
import LockstepPolicy
import LockstepTesting
import LockstepVault

/// The report's fixture: a vault whose audit log is written by the real vault and the real
/// rotation engine (over in-memory cluster and gateway ports), on a clock that moves the same
/// way every run. Its story, from 2026-01-05 09:00 UTC (day 0):
/// - day 0: three credentials adopted; day 30: the master key rotated on schedule;
/// - day 45: the Azure key rotated by hand; day 60: a master-key rotation fails its check and rolls back;
/// - day 61: a webhook notification fails; day 62: the master key is revoked (incident INC-2041);
/// - day 92: the master key rotated on schedule; day 100: the Anthropic key has drifted, and
///   its rotation is abandoned at preflight. It was never rotated: overdue from day 90.
/// The log's times, versions, runs and outcomes are the same every run; its fingerprints,
/// hashes and signatures are not (fresh keys per vault).
struct ReportFixture {
    static let day0 = Timestamp(rfc3339: "2026-01-05T09:00:00Z")!
    static let until = day(120)
    static var folder: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures") }
    static var policiesFolder: String { folder.appendingPathComponent("policies").path }

    static func day(_ n: Int64) -> Timestamp { Timestamp(millisecondsSinceEpoch: day0.millisecondsSinceEpoch + n * 86_400_000) }

    let directory: URL
    let vaultPath: String
    /// Every credential value the fixture used or the engine generated (to look for in reports).
    let values: [SecretBytes]

    static func policies() throws -> [RotationPolicy] {
        let loaded = PolicyLoader.load(directory: policiesFolder)
        guard loaded.problems.isEmpty else { throw FixtureError("fixture policies: \(loaded.problems)") }
        return loaded.policies
    }

    static func build(in directory: URL) async throws -> ReportFixture {
        let policies = try policies()
        func policy(_ name: String) throws -> RotationPolicy {
            guard let p = policies.first(where: { $0.credential.rawValue == name }) else { throw FixtureError("no policy \(name)") }
            return p
        }
        let master = try policy("litellm-master-key"), anthropic = try policy("anthropic-api-key"), azure = try policy("azure-api-key")
        let clock = SteppingClock(start: day0)
        let keyFile = directory.appendingPathComponent("vault.key").path
        let vaultPath = directory.appendingPathComponent("vault.db").path
        try VaultKeyFile.generate(at: keyFile)
        let operator_ = AuditActor(kind: .user, id: "ops-oncall")
        let vault = try Vault.create(at: vaultPath, key: .keyFile(keyFile), actor: operator_, clock: clock)
        let cluster = InMemoryCluster()
        let gateway = InMemoryGateway(cluster: cluster, keySecret: master.targets[1])
        var settings = RotationEngine.Settings()
        settings.verifyAttempts = 2
        settings.verifyDelay = .milliseconds(1)
        settings.keyRingProbeInterval = .milliseconds(1)
        let engine = RotationEngine(store: vault, cluster: cluster, gateway: gateway, settings: settings, clock: clock)

        var supplied: [SecretBytes] = []
        func value(_ text: String) throws -> SecretBytes {
            let s = try Array(text.utf8).withUnsafeBytes { try SecretBytes(copying: $0) }
            supplied.append(s)
            return s
        }
        for (p, text) in [(master, "sk-fixture-master-0001-abcdefghijklmnop"), (anthropic, "sk-ant-fixture-0001-qrstuvwxyz"), (azure, "azure-fixture-0001-0123456789abcdef")] {
            let v = try value(text)
            _ = try vault.importCredential(p.credential, value: v, kind: p.kind.rawValue, actor: operator_)
            for t in p.targets { cluster.put(t, v) }
        }
        let schedule = AuditActor(kind: .schedule, id: "litellm-master-key")
        clock.jump(to: day(30))
        _ = try await engine.start(policy: master, kind: .rotate, actor: schedule, reason: "scheduled: every 30d", manualValue: nil)
        clock.jump(to: day(45))
        _ = try await engine.start(policy: azure, kind: .rotate, actor: operator_, reason: "new key from the Azure portal", manualValue: try value("azure-fixture-0002-fedcba9876543210"))
        clock.jump(to: day(60))
        gateway.refuseNewKeys(true)
        _ = try await engine.start(policy: master, kind: .rotate, actor: schedule, reason: "scheduled: every 30d", manualValue: nil)
        gateway.refuseNewKeys(false)
        clock.jump(to: day(61))
        try vault.audit(AuditDraft(actor: AuditActor(kind: .system, id: "notifier@lockstep-0"), action: AuditAction(rawValue: "notification.failed"), credential: master.credential.rawValue,
                                   outcome: .failure, detail: "sink ops-slack, event rolled-back: HTTP 503 after 3 attempts"))
        clock.jump(to: day(62))
        _ = try await engine.start(policy: master, kind: .revoke, actor: AuditActor(kind: .incident, id: "INC-2041"), reason: "key pasted into a support ticket", manualValue: nil)
        clock.jump(to: day(92))
        _ = try await engine.start(policy: master, kind: .rotate, actor: schedule, reason: "scheduled: every 30d", manualValue: nil)
        clock.jump(to: day(100))
        cluster.put(anthropic.targets[0], try value("sk-ant-changed-by-hand-0002"))
        _ = try await engine.start(policy: anthropic, kind: .rotate, actor: operator_, reason: "quarterly rotation", manualValue: try value("sk-ant-fixture-0003-newvalue"))
        return ReportFixture(directory: directory, vaultPath: vaultPath, values: supplied + cluster.written)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
