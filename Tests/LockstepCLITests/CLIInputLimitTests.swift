import Foundation
import Testing

/// Inputs are checked before they are read whole or stored: a key file's size, a value's
/// length (the Kubernetes Secret limit) and its last byte; a dangling vault symlink is named so
/// by every command.
@Suite struct CLIInputLimitTests {
    @Test func anOversizedKeyFileIsRefusedFromItsSize() async throws {
        let v = try await CLIVault()
        let big = v.dir.file("big.key")
        // Sparse: 200 MB that take no disk; reading them whole is what must not happen.
        #expect(FileManager.default.createFile(atPath: big, contents: nil, attributes: [.posixPermissions: 0o600]))
        #expect(truncate(big, 200 << 20) == 0)
        let r = try await CLI.run(["vault", "check", "--vault", v.vault, "--key-file", big])
        #expect(r.code == 65)
        #expect(r.stderr.hasPrefix("error: key file \(big) is 209715200 bytes: a key file holds 32 bytes"), "\(r.stderr)")
    }

    @Test func aLoneTrailingCarriageReturnIsRefusedNotStripped() async throws {
        let v = try await CLIVault()
        let r = try await v.importValue("m", "sk-value-ending-in-cr-0001\r")
        #expect(r.code == 65)
        #expect(r.stderr.contains("carriage return"), "\(r.stderr)")
        #expect(!r.all.contains("sk-value-ending-in-cr-0001"))
        #expect(try await CLI.run(["credential", "list", "--vault", v.vault]).stdout == "no credentials\n")
        // CR LF is one newline, removed as before.
        #expect(try await v.importValue("n", "sk-value-ending-in-crlf-0001\r\n").code == 0)
    }

    @Test func aValueOverTheKubernetesSecretLimitIsRefusedBeforeAnythingChanges() async throws {
        let v = try await CLIVault()
        let head = try await CLI.run(["audit", "head", "--vault", v.vault]).stdout
        let huge = "sk-" + String(repeating: "a", count: 1_048_576)
        let r = try await v.importValue("m", huge)
        #expect(r.code == 65)
        #expect(r.stderr.contains("1 MiB"), "\(r.stderr.prefix(300))")
        #expect(r.all.count < 1000, "the value is not echoed")
        #expect(try await CLI.run(["audit", "head", "--vault", v.vault]).stdout == head, "no audit entry")
        #expect(try await CLI.run(["credential", "list", "--vault", v.vault]).stdout == "no credentials\n")
    }

    @Test func aDanglingVaultSymlinkIsNamedByCheckAndInit() async throws {
        let dir = try TempDir()
        #expect(try await CLI.run(["vault", "keygen", "--out", dir.file("k")]).code == 0)
        let link = dir.file("vault.db")
        #expect(symlink(dir.file("gone/vault.db"), link) == 0)
        let check = try await CLI.run(["vault", "check", "--vault", link, "--key-file", dir.file("k")])
        #expect(check.code == 66)
        #expect(check.stderr.contains("error: vault \(link) is a dangling symlink"), "\(check.stderr)")
        let initialise = try await CLI.run(["vault", "init", "--vault", link, "--key-file", dir.file("k")])
        #expect(initialise.code == 73)
        #expect(initialise.stderr.contains("error: vault \(link) is a dangling symlink"), "\(initialise.stderr)")
    }
}
