import Foundation
import LockstepAudit
import LockstepCore
import LockstepReport
import LockstepVault

/// The committed fixture: the export of a vault built by `ReportFixture`, its public key and
/// head, and the golden reports rendered from it. `LOCKSTEP_UPDATE_REPORT_GOLDEN=1` rebuilds
/// them all from a fresh fixture vault (then review the diff: it is the contract).
enum ReportFiles {
    static func path(_ name: String) -> String { ReportFixture.folder.appendingPathComponent(name).path }
    static var export: String { path("audit.jsonl") }
    static var updating: Bool { ProcessInfo.processInfo.environment["LOCKSTEP_UPDATE_REPORT_GOLDEN"] == "1" }

    static func publicKey() throws -> [UInt8] {
        let text = try String(contentsOfFile: path("audit-public-key.txt"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let key = Data(base64Encoded: text) else { throw FixtureError("audit-public-key.txt is not Base64") }
        return Array(key)
    }

    static func head() throws -> AuditHead {
        guard let head = AuditHead(try String(contentsOfFile: path("audit-head.txt"), encoding: .utf8)) else { throw FixtureError("audit-head.txt is not SEQ:HASH") }
        return head
    }

    /// The report of the committed export, as an auditor builds it (export, public key, head).
    static func report() throws -> ComplianceReport {
        try ReportGenerator.build(from: .export(path: export, publicKey: try publicKey(), head: try head()), policies: try ReportFixture.policies(), until: ReportFixture.until)
    }

    /// Writes a vault's log as JSON Lines, as `lockstep audit export` does.
    static func writeExport(of vaultPath: String, to file: String) throws {
        var out = Data()
        for line in try AuditLogStore.open(vaultAt: vaultPath).lines() { out.append(contentsOf: line); out.append(10) }
        try out.write(to: URL(fileURLWithPath: file))
    }

    /// Rebuilds the committed fixture from a fresh vault.
    static func regenerate() async throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fixture = try await ReportFixture.build(in: dir)
        let store = try AuditLogStore.open(vaultAt: fixture.vaultPath)
        try writeExport(of: fixture.vaultPath, to: export)
        try (Data(try store.publicKey()).base64EncodedString() + "\n").write(toFile: path("audit-public-key.txt"), atomically: true, encoding: .utf8)
        try "\(try store.head()!)\n".write(toFile: path("audit-head.txt"), atomically: true, encoding: .utf8)
        let r = try report()
        try ReportFormat.json.render(r).write(to: URL(fileURLWithPath: path("report.json")))
        try ReportFormat.csv.render(r).write(to: URL(fileURLWithPath: path("report.csv")))
    }

    static func temporaryFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lockstep-report-\(UUID().uuidString.prefix(12))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The report with what differs between two vaults of the same story blanked out: the
    /// fingerprints (keyed per vault), the hashes and the public key (a fresh signing key).
    static func withoutKeys(_ text: String) -> String {
        var out = text
        for (pattern, replacement) in [(#"b2k:[0-9a-f]{32}"#, "b2k:FINGERPRINT"), (#"[0-9]+:[0-9a-f]{64}"#, "SEQ:HASH"), (#"[A-Za-z0-9+/]{43}="#, "PUBLICKEY")] {
            out = out.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return out
    }
}
