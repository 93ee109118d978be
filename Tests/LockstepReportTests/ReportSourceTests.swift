import Foundation
import LockstepAudit
import LockstepCore
import LockstepReport
import LockstepVault
import Testing

/// The same report from the vault and from its export with the public key; an export that does
/// not verify gives no report; no secret value reaches any format.
@Suite(.serialized) struct ReportSourceTests {
    @Test func theVaultAndItsExportGiveTheSameBytesInEveryFormat() async throws {
        let dir = try ReportFiles.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = try await ReportFixture.build(in: dir)
        let export = f.directory.appendingPathComponent("audit.jsonl").path
        try ReportFiles.writeExport(of: f.vaultPath, to: export)
        let key = try AuditLogStore.open(vaultAt: f.vaultPath).publicKey()
        let policies = try ReportFixture.policies()
        let fromVault = try ReportGenerator.build(from: .vault(path: f.vaultPath), policies: policies)
        let fromExport = try ReportGenerator.build(from: .export(path: export, publicKey: key, head: nil), policies: policies)
        for format in ReportFormat.allCases {
            #expect(try format.render(fromVault) == format.render(fromExport), "\(format)")
        }
        #expect(fromVault.verification.head == (try AuditLogStore.open(vaultAt: f.vaultPath).head())?.description)
        #expect(fromVault.verification.headGiven == nil)
    }

    @Test func aTamperedExportIsRefused() async throws {
        var lines = try String(contentsOfFile: ReportFiles.export, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let i = try #require(lines.firstIndex { $0.contains("\"action\":\"rotation.rolled-back\"") })
        lines[i] = lines[i].replacingOccurrences(of: "\"outcome\":\"failure\"", with: "\"outcome\":\"success\"")
        let error = try await refusal(lines.joined(separator: "\n"))
        #expect(error.message.contains("hash mismatch"))
        #expect(error.message.contains("seq \(i + 1)"))
    }

    @Test func aDeletedEntryAndACutTailAreRefused() async throws {
        let lines = try String(contentsOfFile: ReportFiles.export, encoding: .utf8).split(separator: "\n").map(String.init)
        var gap = lines
        gap.remove(at: 20)
        await #expect(try refusal(gap.joined(separator: "\n") + "\n").message.contains("gap"))
        // Without the head a cut tail cannot be seen; with it, it is refused.
        let cut = lines.dropLast(3).joined(separator: "\n") + "\n"
        await #expect(try refusal(cut, head: try ReportFiles.head()).message.contains("truncation"))
    }

    @Test func anotherPublicKeyIsRefused() async throws {
        let other = try String(contentsOfFile: ReportFiles.export, encoding: .utf8)
        await #expect(try refusal(other, key: [UInt8](repeating: 7, count: 32)).message.contains("bad signature"))
    }

    /// The report is built from the audit log, which holds no secret; checked anyway against
    /// every value the fixture adopted, supplied or had the engine generate.
    @Test func noSecretValueIsInAnyFormat() async throws {
        let dir = try ReportFiles.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = try await ReportFixture.build(in: dir)
        #expect(f.values.count >= 10)
        let report = try ReportGenerator.build(from: .vault(path: f.vaultPath), policies: try ReportFixture.policies())
        for format in ReportFormat.allCases {
            let bytes = try format.render(report)
            let leaked = bytes.withUnsafeBytes { buffer in f.values.contains { $0.occurs(in: buffer) } }
            #expect(!leaked, "\(format) holds a credential value")
        }
    }

    /// Writes `text` as an export and expects the report to be refused as not verified.
    private func refusal(_ text: String, head: AuditHead? = nil, key: [UInt8]? = nil) async throws -> ReportError {
        let dir = try ReportFiles.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("tampered.jsonl").path
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        do {
            _ = try ReportGenerator.build(from: .export(path: file, publicKey: try key ?? ReportFiles.publicKey(), head: head), policies: try ReportFixture.policies())
        } catch let e as ReportError {
            #expect(e.code == .notVerified)
            return e
        }
        Issue.record("a report was built from an export that does not verify")
        throw FixtureError("no refusal")
    }
}
