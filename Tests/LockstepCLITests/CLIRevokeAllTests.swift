import Foundation
import LockstepTesting
import Testing

/// `revoke --all` and `history --incident` on the command line: what is refused before anything
/// is read or reached (64, 66), each with one `error:` line and nothing changed. The incident
/// itself runs end to end in IncidentScenarioTests (KubeSim, real LiteLLM, the providers' fakes).
@Suite struct CLIRevokeAllTests {
    func policies(_ dir: TempDir, gateways: [String] = ["http://127.0.0.1:1"]) throws -> String {
        let folder = dir.file("policies")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (i, url) in gateways.enumerated() {
            let text = KubeObjects.masterKeyPolicy(gatewayURL: url).replacingOccurrences(of: "name: litellm-master-key}", with: "name: master-\(i)}")
                .replacingOccurrences(of: "kind: litellm-master-key,", with: "kind: litellm-master-key,")
            try text.write(toFile: folder + "/m\(i).yaml", atomically: true, encoding: .utf8)
        }
        return folder
    }

    @Test("the option rules: --all needs --incident, takes no name, no --immediate, no --value-from-stdin; --gateway and --value-file go with --all")
    func optionRules() async throws {
        for (args, says) in [(["revoke", "--all", "--reason", "r", "--yes"], "--all needs --incident ID"),
                             (["revoke", "x", "--all", "--incident", "I", "--reason", "r", "--yes"], "leave out the name"),
                             (["revoke", "--all", "--incident", "I", "--reason", "r", "--immediate", "--yes"], "does not take --immediate"),
                             (["revoke", "--all", "--incident", "I", "--reason", "r", "--value-from-stdin", "--yes"], "--value-file NAME=PATH"),
                             (["revoke", "litellm-master-key", "--reason", "r", "--gateway", "http://x", "--yes"], "--gateway and --value-file go with --all"),
                             (["revoke", "--reason", "r", "--yes"], "or pass --all"),
                             (["history"], "or pass --incident ID")] {
            let r = try await CLI.run(args + ["--no-daemon"])
            #expect(r.code == 64, "\(args): \(r.stderr)")
            #expect(r.stderr.contains(says), "\(args): \(r.stderr)")
        }
    }

    @Test("refused before the vault is opened or a cluster reached: a bad incident id, a bad --value-file, an unreadable value file, a gateway no policy names, --gateway-url over two gateways")
    func refusedBeforeAnythingChanges() async throws {
        let v = try await CLIVault()
        let folder = try policies(v.dir, gateways: ["http://127.0.0.1:1", "http://127.0.0.1:2"])
        let base = ["revoke", "--all", "--reason", "stealer", "--yes", "--no-daemon", "--vault", v.vault, "--key-file", v.key, "--policies", folder]
        let before = try await CLI.run(["audit", "head", "--vault", v.vault]).stdout
        let cases: [([String], Int32, String)] = [
            (["--incident", "two words"], 64, "the incident id must be 1 to 64 letters"),
            (["--incident", "INC-1", "--value-file", "nopath"], 64, "--value-file takes NAME=PATH"),
            (["--incident", "INC-1", "--value-file", "a=\(v.dir.file("missing"))"], 66, "cannot read value file"),
            (["--incident", "INC-1", "--gateway", "http://127.0.0.1:3"], 66, "names the gateway http://127.0.0.1:3"),
            (["--incident", "INC-1", "--gateway-url", "http://127.0.0.1:4"], 64, "--gateway-url reaches one gateway"),
            (["--incident", "INC-1", "--gateway", "http://127.0.0.1:1", "--value-file", "master-9=/dev/null"], 64, "a value was given for master-9"),
        ]
        for (extra, code, says) in cases {
            let r = try await CLI.run(base + extra)
            #expect(r.code == code, "\(extra): \(r.stderr)")
            #expect(r.stderr.hasPrefix("error: ") && r.stderr.contains(says), "\(extra): \(r.stderr)")
        }
        #expect(try await CLI.run(["audit", "head", "--vault", v.vault]).stdout == before, "nothing audited (the audit log's head is the same)")
        // A stored value typed as the reason or the incident id: 65, never echoed, nothing audited.
        let stored = "sk-cli-incident-secret-000000000001"
        try await v.importValue("stored", stored)
        let head = try await CLI.run(["audit", "head", "--vault", v.vault]).stdout
        for extra in [["--incident", stored], ["--incident", "INC-1", "--reason", "leaked \(stored)"]] {
            let r = try await CLI.run(base + extra)
            #expect(r.code == 65, "\(r.stderr.count) bytes of error")
            #expect(!(r.stdout + r.stderr).contains(stored), "the value is not echoed")
        }
        #expect(try await CLI.run(["audit", "head", "--vault", v.vault]).stdout == head)
        let none = try await CLI.run(["history", "--incident", "INC-1", "--vault", v.vault, "--no-daemon"])
        #expect(none.code == 66 && none.stderr.contains("no incident INC-1 in the audit log"), "\(none.stderr)")
    }
}
