import Foundation
import Testing

/// Read-only use needs read access only: on a folder and file nobody may write, as a user who
/// owns them but cannot write there (root ignores modes, so the run is as `nobody`).
@Suite struct CLIReadOnlyVaultTests {
    static var canSwitchUser: Bool { getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") }
    static let asNobody = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

    @Test func readCommandsWorkOnAReadOnlyFolderAsAnUnprivilegedUser() async throws {
        guard Self.canSwitchUser else {
            // In CI this must run: a skipped read-only test would hide the regression it guards.
            #expect(ProcessInfo.processInfo.environment["CI"] == nil, "CI must run this test as root with setpriv available")
            return
        }
        let v = try await CLIVault()
        try await v.importValue("m", "sk-read-only-vault-value-01")
        let pub = try await CLI.run(["audit", "public-key", "--vault", v.vault]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        for path in [v.dir.path, v.vault, v.key] { #expect(chown(path, 65534, 65534) == 0) }
        #expect(chmod(v.vault, 0o400) == 0 && chmod(v.key, 0o400) == 0 && chmod(v.dir.path, 0o555) == 0)
        defer { chmod(v.dir.path, 0o700) }
        let before = FileManager.default.contents(atPath: v.vault)
        let runs: [[String]] = [
            ["credential", "list", "--vault", v.vault],
            ["audit", "export", "--vault", v.vault],
            ["audit", "verify", "--vault", v.vault],
            ["vault", "check", "--vault", v.vault, "--key-file", v.key],
            ["audit", "head", "--vault", v.vault],
        ]
        for args in runs {
            let r = try await CLI.run(args, wrapper: Self.asNobody)
            #expect(r.code == 0, "\(args.prefix(2).joined(separator: " ")): \(r.all)")
        }
        let export = try await CLI.run(["audit", "export", "--vault", v.vault], wrapper: Self.asNobody).stdout
        let exported = v.dir.path + "-export.jsonl"
        defer { try? FileManager.default.removeItem(atPath: exported) }
        #expect(FileManager.default.createFile(atPath: exported, contents: Data(export.utf8)))
        #expect(try await CLI.run(["audit", "verify", exported, "--public-key", pub]).code == 0)
        #expect(FileManager.default.contents(atPath: v.vault) == before)
        // A write still fails, as it must, and says why.
        let w = try await CLI.run(["credential", "import", "n", "--vault", v.vault, "--key-file", v.key], stdin: "sk-another-read-only-value", wrapper: Self.asNobody)
        #expect(w.code == 74 || w.code == 77, "\(w.all)")
    }
}
