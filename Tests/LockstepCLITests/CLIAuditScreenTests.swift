import Foundation
import Testing

/// `--reason` and `--incident` quoting a stored key: exit 65 before any step, the audit log
/// unchanged, and the value printed nowhere.
@Suite struct CLIAuditScreenTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let value = "sk-cli-screened-master-key-0123456789"

    func head(_ v: CLIVault) throws -> String { try CLI.run(["audit", "head", "--vault", v.vault]).stdout }

    @Test func aReasonOrIncidentHoldingTheCurrentKeyExits65AndWritesNothing() throws {
        let v = try CLIVault()
        #expect(try v.importValue("litellm-master-key", Self.value).code == 0)
        let before = try head(v)
        // No kubeconfig is given: the refusal must come before the cluster is even configured.
        let runs: [[String]] = [
            ["rotate", "litellm-master-key", "--reason", "leaked: \(Self.value)"],
            ["revoke", "litellm-master-key", "--yes", "--reason", "leaked " + Data(Self.value.utf8).base64EncodedString()],
            ["revoke", "litellm-master-key", "--yes", "--reason", "leak", "--incident", String(Self.value.dropFirst(3))],
        ]
        for args in runs {
            let r = try CLI.run(args + ["--no-daemon", "--vault", v.vault, "--key-file", v.key, "--policies", Self.root + "/policies",
                                        "--kubeconfig", v.dir.file("absent-kubeconfig")])
            #expect(r.code == 65, "\(args[0]): \(r.code)")
            #expect(r.stderr.contains("--reason") || r.stderr.contains("--incident"))
            let leaked = r.all.contains(Self.value) || r.all.contains(String(Self.value.dropFirst(3))) || r.all.contains(Data(Self.value.utf8).base64EncodedString())
            #expect(leaked == false)
        }
        #expect(try head(v) == before)
    }

    @Test func anImportWhoseKindHoldsTheValueExits65() throws {
        let v = try CLIVault()
        let before = try head(v)
        let r = try CLI.run(["credential", "import", "m", "--kind", "x" + Self.value, "--vault", v.vault, "--key-file", v.key], stdin: Self.value)
        #expect(r.code == 65)
        #expect(r.all.contains(Self.value) == false)
        #expect(try head(v) == before)
    }
}
