import Foundation
import Testing

/// Every failure: one `error:` line, a `hint:` line, a documented exit code, and nothing lost.
@Suite struct CLIErrorTests {
    @Test func wrongKeyExits10AndChangesNothing() async throws {
        let v = try await CLIVault()
        try await v.importValue("m", "sk-value-wrong-key-1234")
        #expect(try await CLI.run(["vault", "keygen", "--out", v.dir.file("other.key")]).code == 0)
        let before = FileManager.default.contents(atPath: v.vault)
        let r = try await CLI.run(["credential", "import", "n", "--vault", v.vault, "--key-file", v.dir.file("other.key")], stdin: "sk-another-value-1234")
        #expect(r.code == 10)
        #expect(r.stderr.hasPrefix("error: the key file does not open vault"))
        #expect(r.stderr.contains("hint: "))
        #expect(FileManager.default.contents(atPath: v.vault) == before)
    }

    @Test func damagedVaultExits11() async throws {
        let dir = try TempDir()
        let path = dir.file("junk.db")
        #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x41, count: 4096), attributes: [.posixPermissions: 0o600]))
        #expect(try await CLI.run(["vault", "keygen", "--out", dir.file("k")]).code == 0)
        let r = try await CLI.run(["vault", "check", "--vault", path, "--key-file", dir.file("k")])
        #expect(r.code == 11)
        #expect(r.stderr.contains("not a Lockstep vault"))
        #expect(FileManager.default.contents(atPath: path) == Data(repeating: 0x41, count: 4096))
    }

    @Test func worldReadableVaultExits77WithChmodHint() async throws {
        let v = try await CLIVault()
        chmod(v.vault, 0o644)
        let r = try await CLI.run(["credential", "list", "--vault", v.vault])
        #expect(r.code == 77)
        #expect(r.stderr.contains("hint: run `chmod 600 \(v.vault)`"))
    }

    @Test func missingThingsExit66AndExistingThingsExit73() async throws {
        let v = try await CLIVault()
        #expect(try await CLI.run(["credential", "list", "--vault", v.dir.file("nope.db")]).code == 66)
        #expect(try await CLI.run(["credential", "show", "nope", "--vault", v.vault]).code == 66)
        let again = try await CLI.run(["vault", "keygen", "--out", v.key])
        #expect(again.code == 73)
        #expect(again.stderr.contains("never overwrites"))
        #expect(try await CLI.run(["vault", "init", "--vault", v.vault, "--key-file", v.key]).code == 73)
    }

    @Test func usageErrorsExit64() async throws {
        let v = try await CLIVault()
        let noKey = try await CLI.run(["credential", "import", "m", "--vault", v.vault], stdin: "sk-x-1234567890")
        #expect(noKey.code == 64)
        #expect(noKey.stderr.contains("hint: pass --key-file FILE"))
        #expect(try await CLI.run(["credential", "list"]).code == 64)
        #expect(try await CLI.run(["audit", "verify", v.dir.file("x.jsonl")]).code == 64)
        #expect(try await CLI.run(["vault", "frobnicate"]).code == 64)
    }

    @Test func badValuesExit65WithoutEchoingThem() async throws {
        let v = try await CLIVault()
        let r = try await CLI.run(["credential", "import", "m", "--vault", v.vault, "--key-file", v.key], stdin: "sk-1234")
        #expect(r.code == 65)
        let ws = try await CLI.run(["credential", "import", "m", "--vault", v.vault, "--key-file", v.key], stdin: "  sk-padded-secret-value-99  ")
        #expect(ws.code == 65)
        #expect(!ws.all.contains("sk-padded-secret-value-99"))
        #expect(try await CLI.run(["credential", "import", "Bad Name", "--vault", v.vault, "--key-file", v.key], stdin: "sk-ok-value-123456").code == 65)
        #expect(try await CLI.run(["credential", "list", "--vault", v.vault]).stdout == "no credentials\n")
    }

    @Test func tamperedExportExits12NamingTheSeq() async throws {
        let v = try await CLIVault()
        for i in 0..<4 { try await v.importValue("c\(i)", "sk-value-for-tamper-\(i)") }
        let export = v.dir.file("a.jsonl")
        #expect(try await CLI.run(["audit", "export", "--vault", v.vault, "-o", export]).code == 0)
        let pub = try await CLI.run(["audit", "public-key", "--vault", v.vault]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        var text = String(decoding: FileManager.default.contents(atPath: export)!, as: UTF8.self)
        text = text.replacingOccurrences(of: "\"credential\":\"c2\"", with: "\"credential\":\"c9\"")
        #expect(FileManager.default.createFile(atPath: export, contents: Data(text.utf8)))
        let r = try await CLI.run(["audit", "verify", export, "--public-key", pub])
        #expect(r.code == 12)
        #expect(r.stderr.contains("seq 4: hash mismatch"))

        let head = try await CLI.run(["audit", "head", "--vault", v.vault]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let partial = v.dir.file("partial.jsonl")
        #expect(try await CLI.run(["audit", "export", "--vault", v.vault, "--credential", "c0", "-o", partial]).code == 0)
        let seg = try await CLI.run(["audit", "verify", partial, "--public-key", pub])
        #expect(seg.code == 12 && seg.stderr.contains("--from-anchor"))
        let firstHash = String(decoding: FileManager.default.contents(atPath: v.dir.file("a.jsonl"))!, as: UTF8.self)
            .split(separator: "\n")[0].split(separator: "\"hash\":\"")[1].prefix(64)
        let anchored = try await CLI.run(["audit", "verify", partial, "--public-key", pub, "--from-anchor", "1:\(firstHash)"])
        #expect(anchored.code == 0 && anchored.stdout.contains("segment seq 2..2"), "\(anchored.all)")
        let lines = String(decoding: FileManager.default.contents(atPath: v.dir.file("a.jsonl"))!, as: UTF8.self)
        _ = lines
        let full = v.dir.file("full.jsonl")
        #expect(try await CLI.run(["audit", "export", "--vault", v.vault, "-o", full]).code == 0)
        let truncated = String(decoding: FileManager.default.contents(atPath: full)!, as: UTF8.self).split(separator: "\n").dropLast().joined(separator: "\n") + "\n"
        #expect(FileManager.default.createFile(atPath: full, contents: Data(truncated.utf8)))
        let t = try await CLI.run(["audit", "verify", full, "--public-key", pub, "--head", head])
        #expect(t.code == 12 && t.stderr.contains("truncation"))
    }
}

@Suite struct CLIPolicyCheckTests {
    @Test func shippedPoliciesPassAndABrokenOneIsLocated() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let ok = try await CLI.run(["policy", "check", root + "/policies"])
        #expect(ok.code == 0, "\(ok.all)")
        #expect(ok.stdout.hasPrefix("ok: 5 policies in 5 files"))
        let dir = try TempDir()
        let broken = try String(contentsOfFile: root + "/policies/litellm-master-key.yaml", encoding: .utf8)
            .replacingOccurrences(of: "every: 30d", with: "evry: 30d")
        try broken.write(toFile: dir.file("m.yaml"), atomically: true, encoding: .utf8)
        let bad = try await CLI.run(["policy", "check", dir.path])
        #expect(bad.code == 65)
        #expect(bad.stderr.contains("\(dir.file("m.yaml")):13:5: error: unknown field \"evry\" in spec.schedule"))
        #expect(bad.stderr.contains("hint: did you mean \"every\"?"))
        #expect(bad.stderr.contains("error: 2 problems in 1 file")) // the typo, and the schedule left without every or cron
    }
}

@Suite struct CLIStatusTests {
    @Test func statusJoinsPoliciesAndTheVault() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let v = try await CLIVault()
        try await v.importValue("litellm-master-key", "sk-status-master-key-01")
        try await v.importValue("legacy-key", "sk-status-legacy-key-01")
        let r = try await CLI.run(["status", "--vault", v.vault, "--policies", root + "/policies", "--json"])
        #expect(r.code == 0, "\(r.all)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        let state = Dictionary(uniqueKeysWithValues: rows.map { ($0["credential"] as! String, $0["state"] as! String) })
        #expect(state == ["anthropic-api-key": "not-adopted", "azure-api-key": "not-adopted", "gemini-api-key": "not-adopted",
                          "legacy-key": "no-policy", "litellm-master-key": "ok", "openai-api-key": "not-adopted"])
        let master = rows.first { $0["credential"] as? String == "litellm-master-key" }
        #expect(master?["maxAgeSeconds"] as? Int == 35 * 86_400)
        #expect(master?["nextDue"] != nil)
        let text = try await CLI.run(["status", "--vault", v.vault, "--policies", root + "/policies"])
        #expect(text.stdout.contains("litellm-master-key") && text.stdout.contains("35d"))
    }
}

@Suite struct CLIPlanAndHistoryTests {
    @Test func planListsTheStepsAndChangesNothing() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let v = try await CLIVault()
        try await v.importValue("litellm-master-key", "sk-plan-master-key-0001")
        let before = try await CLI.run(["audit", "head", "--vault", v.vault]).stdout
        let plan = try await CLI.run(["plan", "litellm-master-key", "--vault", v.vault, "--policies", root + "/policies"])
        #expect(plan.code == 0, "\(plan.all)")
        #expect(plan.stdout.contains("plan: rotate litellm-master-key v1 → v2, strategy key-ring"))
        #expect(plan.stdout.contains("write v2 into the key ring litellm-system/litellm-keyring#keys"))
        #expect(plan.stdout.contains("verify at every gateway pod: v2 accepted, v1 refused"))
        #expect(plan.stdout.contains("patch litellm-system/litellm-masterkey#masterkey with v2"))
        #expect(plan.stdout.contains("verify the gateway refuses v1"))
        #expect(try await CLI.run(["audit", "head", "--vault", v.vault]).stdout == before)
        let revoke = try await CLI.run(["plan", "litellm-master-key", "--revoke", "--vault", v.vault, "--policies", root + "/policies"])
        #expect(revoke.stdout.contains("v2 current, v1 revoked"))
        let provider = try await CLI.run(["plan", "azure-api-key", "--vault", v.vault, "--policies", root + "/policies"])
        #expect(provider.code == 66 && provider.stderr.contains("no credential named azure-api-key"))
    }

    @Test func anAzureKeyIsPlannedAsMintedAtAzureAndTakesNoValue() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let v = try await CLIVault()
        try await v.importValue("azure-api-key", "0123456789abcdef0123456789abcdef")
        let before = try await CLI.run(["audit", "head", "--vault", v.vault]).stdout
        let plan = try await CLI.run(["plan", "azure-api-key", "--revoke", "--vault", v.vault, "--policies", root + "/policies"])
        #expect(plan.code == 0, "\(plan.all)")
        #expect(plan.stdout.contains("new value: minted at Azure: the key of oai-gateway-prod the gateway does not use is regenerated"))
        #expect(plan.stdout.contains("wait until every gateway pod that started with v1 has exited"))
        #expect(plan.stdout.contains("regenerate the key that held v1 at the provider"))
        let supplied = try await CLI.run(["rotate", "azure-api-key", "--value-from-stdin", "--vault", v.vault, "--key-file", v.key, "--policies", root + "/policies"],
                                         stdin: "fedcba9876543210fedcba9876543210")
        #expect(supplied.code == 64 && supplied.stderr.contains("minted at Azure (account oai-gateway-prod)"), "\(supplied.all)")
        #expect(!supplied.all.contains("fedcba9876543210"))
        #expect(try await CLI.run(["audit", "head", "--vault", v.vault]).stdout == before, "nothing written")
    }

    @Test func anAnthropicKeyIsPlannedWithItsDeactivation() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let v = try await CLIVault()
        try await v.importValue("anthropic-api-key", "sk-ant-api03-planAAAAAAAAAAAAAAAAAAAAAAAAAAplan")
        let plan = try await CLI.run(["plan", "anthropic-api-key", "--vault", v.vault, "--policies", root + "/policies"])
        #expect(plan.code == 0, "\(plan.all)")
        #expect(plan.stdout.contains("new value: from a person, read from standard input"))
        #expect(plan.stdout.contains("set the key that was v1 inactive at Anthropic, then check that Anthropic refuses it"))
        #expect(!plan.stdout.contains("regenerate"))
    }

    @Test func historyShowsVersionsAndAuditEntries() async throws {
        let v = try await CLIVault()
        try await v.importValue("litellm-master-key", "sk-history-master-01")
        let h = try await CLI.run(["history", "litellm-master-key", "--vault", v.vault, "--json"])
        #expect(h.code == 0, "\(h.all)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(h.stdout.utf8)) as? [String: Any])
        #expect((obj["runs"] as? [Any])?.isEmpty == true)
        #expect(((obj["audit"] as? [[String: Any]])?.first?["action"] as? String) == "credential.imported")
        #expect(try await CLI.run(["history", "nope", "--vault", v.vault]).code == 66)
    }
}
