import Foundation
import Testing

/// `lockstep report` as a user runs it: the same bytes from the vault and from its export with
/// the public key, the head stated, a tampered export refused with exit 12 and nothing written.
@Suite struct CLIReportTests {
    /// A CLI vault with one adopted credential, exported with its public key and head.
    struct Exported {
        let v: CLIVault
        var export: String { v.dir.file("audit.jsonl") }
        var publicKey: String { v.dir.file("audit.pub") }
        let head: String

        init() async throws {
            v = try await CLIVault()
            let imported = try await v.importValue("litellm-master-key", "sk-report-cli-value-0123456789")
            guard imported.code == 0 else { throw CLIFailed(result: imported) }
            let e = try await CLI.run(["audit", "export", "--vault", v.vault, "-o", v.dir.file("audit.jsonl")])
            let k = try await CLI.run(["audit", "public-key", "--vault", v.vault])
            let h = try await CLI.run(["audit", "head", "--vault", v.vault])
            guard e.code == 0, k.code == 0, h.code == 0 else { throw CLIFailed(result: e.code != 0 ? e : k.code != 0 ? k : h) }
            try k.stdout.write(toFile: v.dir.file("audit.pub"), atomically: true, encoding: .utf8)
            head = h.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    @Test func theVaultAndItsExportGiveTheSameReport() async throws {
        let x = try await Exported()
        for format in ["json", "csv", "html"] {
            let fromVault = try await CLI.run(["report", "--vault", x.v.vault, "--format", format], cwd: x.v.dir.path)
            let fromExport = try await CLI.run(["report", "--export", x.export, "--public-key", x.publicKey, "--format", format], cwd: x.v.dir.path)
            #expect(fromVault.code == 0 && fromExport.code == 0, "\(fromVault.stderr)\(fromExport.stderr)")
            #expect(fromVault.stdout == fromExport.stdout, "\(format)")
            #expect(fromVault.stdout.contains(x.head), "\(format) states the head")
            #expect(!fromVault.stdout.contains("sk-report-cli-value-0123456789"))
        }
    }

    @Test func theHeadGivenIsCheckedAndStated() async throws {
        let x = try await Exported()
        let out = x.v.dir.file("report.json")
        let r = try await CLI.run(["report", "--export", x.export, "--public-key", x.publicKey, "--head", x.head, "--format", "json", "-o", out], cwd: x.v.dir.path)
        #expect(r.code == 0, "\(r.stderr)")
        let json = try String(contentsOfFile: out, encoding: .utf8)
        #expect(json.contains("\"headGiven\" : \"\(x.head)\""))
        #expect(json.contains("\"result\" : \"verified\""))
        #expect(json.contains("\"status\" : \"no-policy\"")) // no policies folder here
    }

    @Test func aTamperedExportIsRefusedWithExit12AndNoReport() async throws {
        let x = try await Exported()
        let text = try String(contentsOfFile: x.export, encoding: .utf8)
        try text.replacingOccurrences(of: "adopted as current", with: "adopted as curren7").write(toFile: x.export, atomically: true, encoding: .utf8)
        let out = x.v.dir.file("report.html")
        let r = try await CLI.run(["report", "--export", x.export, "--public-key", x.publicKey, "-o", out])
        #expect(r.code == 12)
        #expect(r.stderr.contains("does NOT verify") && r.stderr.contains("hash mismatch"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func optionsThatDoNotGoTogetherAreUsageErrors() async throws {
        let x = try await Exported()
        let noKey = try await CLI.run(["report", "--export", x.export])
        #expect(noKey.code == 64 && noKey.stderr.contains("--public-key"))
        let both = try await CLI.run(["report", "--export", x.export, "--public-key", x.publicKey, "--vault", x.v.vault])
        #expect(both.code == 64)
        let headWithVault = try await CLI.run(["report", "--vault", x.v.vault, "--head", x.head])
        #expect(headWithVault.code == 64)
        let badTime = try await CLI.run(["report", "--vault", x.v.vault, "--until", "yesterday"])
        #expect(badTime.code == 64)
        let reversed = try await CLI.run(["report", "--vault", x.v.vault, "--since", "2026-12-01", "--until", "2026-11-01"])
        #expect(reversed.code == 64 && reversed.stderr.contains("after --until"))
    }
}
