import Foundation
import LockstepTesting
import Testing

/// Golden CLI runs: what an operator types, what they see, and the exit codes scripts rely on.
@Suite struct CLIWalkthroughTests {
    @Test func keygenInitImportListShowAuditVerify() async throws {
        let v = try await CLIVault()
        let value = "sk-walkthrough-\(UUID().uuidString)"
        let imported = try await v.importValue("litellm-master-key", value + "\n")
        #expect(imported.code == 0, "\(imported.all)")
        #expect(imported.stdout.contains("imported litellm-master-key as version 1 (current), fingerprint b2k:"))

        let list = try await CLI.run(["credential", "list"], env: ["LOCKSTEP_VAULT": v.vault])
        #expect(list.code == 0)
        #expect(list.stdout.contains("litellm-master-key") && list.stdout.contains("v1"))

        let show = try await CLI.run(["credential", "show", "litellm-master-key", "--vault", v.vault, "--json"])
        let json = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any]
        #expect((json?["versions"] as? [[String: Any]])?.first?["state"] as? String == "current")

        let listJSON = try await CLI.run(["credential", "list", "--vault", v.vault, "--json"])
        let arr = try JSONSerialization.jsonObject(with: Data(listJSON.stdout.utf8)) as? [[String: Any]]
        #expect(arr?.first?["currentVersion"] as? Int == 1)

        let head = try await CLI.run(["audit", "head", "--vault", v.vault]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(head.hasPrefix("2:") && head.count == 66)
        let pub = try await CLI.run(["audit", "public-key", "--vault", v.vault]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let export = v.dir.file("audit.jsonl")
        #expect(try await CLI.run(["audit", "export", "--vault", v.vault, "-o", export]).code == 0)
        let verify = try await CLI.run(["audit", "verify", export, "--public-key", pub, "--head", head])
        #expect(verify.code == 0, "\(verify.all)")
        #expect(verify.stdout.contains("ok: 2 entries, seq 1..2, verify"))
        #expect(try await CLI.run(["audit", "verify", "--vault", v.vault]).code == 0)

        let csv = try await CLI.run(["audit", "export", "--vault", v.vault, "--format", "csv"])
        #expect(csv.stdout.hasPrefix("seq,time,actor_kind"))
        #expect(csv.stdout.contains("credential.imported"))

        // The value never shows up anywhere: outputs, exports, the vault file and its WAL.
        var everything = imported.all + list.all + show.all + listJSON.all + csv.all + verify.all
        everything += String(decoding: FileManager.default.contents(atPath: export) ?? Data(), as: UTF8.self)
        #expect(concealed { !everything.contains(value) })
        for suffix in ["", "-wal", "-shm"] {
            if let bytes = FileManager.default.contents(atPath: v.vault + suffix) {
                #expect(concealed { bytes.range(of: Data(value.utf8)) == nil }, "plaintext in vault\(suffix)")
            }
        }
    }

    @Test func passphraseVaultThroughStdin() async throws {
        let dir = try TempDir()
        let vault = dir.file("p.db")
        let initR = try await CLI.run(["vault", "init", "--vault", vault, "--passphrase-stdin", "--kdf-limits", "interactive"], stdin: "a passphrase long enough\n")
        #expect(initR.code == 0, "\(initR.all)")
        let valueFile = dir.file("value")
        #expect(FileManager.default.createFile(atPath: valueFile, contents: Data("sk-from-a-file-123456\n".utf8), attributes: [.posixPermissions: 0o600]))
        let imp = try await CLI.run(["credential", "import", "anthropic", "--vault", vault, "--passphrase-stdin", "--value-file", valueFile], stdin: "a passphrase long enough\n")
        #expect(imp.code == 0, "\(imp.all)")
        let wrong = try await CLI.run(["vault", "check", "--vault", vault, "--passphrase-stdin"], stdin: "a passphrase long enougH\n")
        #expect(wrong.code == 10)
        #expect(wrong.stderr.hasPrefix("error: the passphrase does not open vault"))
        #expect(wrong.stderr.contains("\nhint: "))
        let both = try await CLI.run(["credential", "import", "x", "--vault", vault, "--passphrase-stdin"], stdin: "a passphrase long enough\nsk-value\n")
        #expect(both.code == 64)
        #expect(try await CLI.run(["vault", "check", "--vault", vault, "--passphrase-stdin"], stdin: "a passphrase long enough\n").code == 0)
    }

    @Test func rekeyThroughTheCLI() async throws {
        let v = try await CLIVault()
        try await v.importValue("m", "sk-rekeyed-value-123456")
        #expect(try await CLI.run(["vault", "keygen", "--out", v.dir.file("new.key")]).code == 0)
        let r = try await CLI.run(["vault", "rekey", "--vault", v.vault, "--key-file", v.key, "--new-key-file", v.dir.file("new.key")])
        #expect(r.code == 0 && r.stdout.contains("re-sealed 1 versions"))
        #expect(try await CLI.run(["vault", "check", "--vault", v.vault, "--key-file", v.key]).code == 10)
        #expect(try await CLI.run(["vault", "check", "--vault", v.vault, "--key-file", v.dir.file("new.key")]).code == 0)
    }
}
