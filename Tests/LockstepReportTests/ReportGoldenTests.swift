import Foundation
import LockstepAudit
import LockstepCore
import LockstepReport
import LockstepVault
import Testing

/// The report of a fixed audit log (written by the real vault and engine, committed with its
/// public key and head) is byte for byte the golden JSON and CSV, and tells the fixture's story.
@Suite(.serialized) struct ReportGoldenTests {
    @Test func theCommittedExportVerifiesWithTheRealVerifier() async throws {
        var reader = try AuditLineReader(path: ReportFiles.export)
        let result = AuditVerifier(publicKey: try ReportFiles.publicKey()).verify(reader: &reader, head: try ReportFiles.head())
        #expect(result.ok, "\(String(describing: result.failure))")
        #expect(result.headVerified)
        #expect(result.entries > 60)
    }

    @Test func jsonAndCSVAreByteIdenticalToTheGoldenFiles() async throws {
        if ReportFiles.updating { try await ReportFiles.regenerate() }
        let report = try ReportFiles.report()
        let json = try ReportFormat.json.render(report)
        let csv = try ReportFormat.csv.render(report)
        #expect(json == (try Data(contentsOf: URL(fileURLWithPath: ReportFiles.path("report.json")))))
        #expect(csv == (try Data(contentsOf: URL(fileURLWithPath: ReportFiles.path("report.csv")))))
        // Rendering twice gives the same bytes (no wall clock, no dictionary order).
        #expect(try ReportFormat.json.render(try ReportFiles.report()) == json)
        #expect(try ReportFormat.html.render(report) == (try ReportFormat.html.render(try ReportFiles.report())))
    }

    /// The committed log is what today's vault and engine write: a fresh vault built with the same
    /// story gives the golden report but for its keys (fingerprints, hashes, public key).
    @Test func aFreshVaultOfTheSameStoryGivesTheGoldenReport() async throws {
        let dir = try ReportFiles.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fixture = try await ReportFixture.build(in: dir)
        let store = try AuditLogStore.open(vaultAt: fixture.vaultPath)
        let export = dir.appendingPathComponent("audit.jsonl").path
        try ReportFiles.writeExport(of: fixture.vaultPath, to: export)
        let fresh = try ReportGenerator.build(from: .export(path: export, publicKey: try store.publicKey(), head: try store.head()),
                                              policies: try ReportFixture.policies(), until: ReportFixture.until)
        let golden = try String(contentsOfFile: ReportFiles.path("report.json"), encoding: .utf8)
        let freshText = String(decoding: try ReportFormat.json.render(fresh), as: UTF8.self)
        #expect(ReportFiles.withoutKeys(freshText) == ReportFiles.withoutKeys(golden))
        #expect(freshText != golden, "a fresh vault has fresh keys: the comparison above must have blanked something")
    }

    @Test func theFiguresTellTheFixturesStory() async throws {
        let r = try ReportFiles.report()
        #expect(r.verification.result == "verified")
        #expect(r.verification.head == (try ReportFiles.head()).description)
        #expect(r.verification.headGiven == r.verification.head)
        #expect(r.window.until == ReportFixture.until.rfc3339)
        #expect(r.summary.credentials == 3 && r.summary.inPolicy == 2 && r.summary.outOfPolicy == 1)
        let oldest = try #require(r.summary.oldestKey)
        #expect(oldest.credential == "anthropic-api-key" && oldest.version == 1)
        #expect((119 * 86_400...120 * 86_400).contains(oldest.ageSeconds)) // adopted a moment after day 0
        #expect(r.summary.openIncidents.map(\.kind) == [.overdue, .drift])

        let anthropic = try #require(r.credentials.first { $0.name == "anthropic-api-key" })
        #expect(anthropic.status == .outOfPolicy)
        #expect(anthropic.outOfPolicy.count == 1)
        #expect(anthropic.outOfPolicy.first?.from.hasPrefix("2026-04-05T09:00") == true) // day 90
        #expect(anthropic.drift.count == 1)
        #expect(anthropic.runs.map(\.outcome) == [.abandoned])
        #expect(anthropic.runs.first?.failures.first?.contains("drift") == true)

        let master = try #require(r.credentials.first { $0.name == "litellm-master-key" })
        #expect(master.status == .compliant)
        #expect(master.runs.map(\.outcome) == [.succeeded, .rolledBack, .succeeded, .succeeded])
        #expect(master.versions.map(\.end) == [.rotated, .revoked, .failed, .rotated, .current])
        let revoke = try #require(master.runs.first { $0.kind == "revoke" })
        #expect(revoke.actor == "incident:INC-2041")
        #expect(revoke.reason == "key pasted into a support ticket")
        #expect((revoke.timeToRefusalMillis ?? 0) > 0 && revoke.timeToRefusalMillis! <= revoke.durationMillis!)
        let rolledBack = master.runs[1]
        #expect(rolledBack.newVersion == 3)
        #expect(rolledBack.failures.contains { $0.contains("accept the new key") })
        #expect(master.notificationFailures.count == 1)
        #expect(master.longestAgeSeconds! <= master.policy!.maxAgeSeconds!)

        let azure = try #require(r.credentials.first { $0.name == "azure-api-key" })
        #expect(azure.status == .compliant && azure.currentVersion == 2)
        #expect(azure.runs.first?.actor == "user:ops-oncall")
    }

    /// `--since` lists less but judges the same state; `--until` moves "now".
    @Test func theWindowBoundsWhatIsListed() async throws {
        let policies = try ReportFixture.policies()
        let input = ReportInput.export(path: ReportFiles.export, publicKey: try ReportFiles.publicKey(), head: nil)
        let late = try ReportGenerator.build(from: input, policies: policies, since: ReportFixture.day(80), until: ReportFixture.until)
        let master = try #require(late.credentials.first { $0.name == "litellm-master-key" })
        #expect(master.runs.count == 1) // only the day-92 rotation
        #expect(master.versions.map(\.version) == [4, 5])
        let early = try ReportGenerator.build(from: input, policies: policies, until: ReportFixture.day(50))
        #expect(early.summary.outOfPolicy == 0)
        #expect(early.window.until == ReportFixture.day(50).rfc3339)
        #expect(early.credentials.first { $0.name == "litellm-master-key" }?.runs.count == 1)
    }
}
