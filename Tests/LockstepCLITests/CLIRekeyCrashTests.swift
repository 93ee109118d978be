import Foundation
import Testing

/// `kill -9` in the middle of `vault rekey` leaves a vault that opens with exactly one of the
/// two keys and has lost nothing. The debug build pauses inside the open transaction when
/// LOCKSTEP_DEBUG_REKEY_PAUSE_MS is set, so the kill lands there deterministically.
@Suite(.serialized) struct CLIRekeyCrashTests {
    @Test func killDuringRekeyKeepsTheOldKey() async throws {
        let v = try await CLIVault()
        for i in 0..<30 { try await v.importValue("c\(i)", "sk-crash-test-value-\(i)") }
        #expect(try await CLI.run(["vault", "keygen", "--out", v.dir.file("new.key")]).code == 0)

        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = ["vault", "rekey", "--vault", v.vault, "--key-file", v.key, "--new-key-file", v.dir.file("new.key")]
        var env = ProcessInfo.processInfo.environment
        env["LOCKSTEP_DEBUG_REKEY_PAUSE_MS"] = "30000"
        p.environment = env
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        // Wait (bounded) until the child says it is paused inside the transaction.
        let deadline = ContinuousClock.now + .seconds(30)
        var seen = Data()
        while ContinuousClock.now < deadline, String(decoding: seen, as: UTF8.self).contains("paused inside transaction") == false {
            seen.append(err.fileHandleForReading.availableData)
        }
        #expect(String(decoding: seen, as: UTF8.self).contains("paused inside transaction"))
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal)

        let old = try await CLI.run(["vault", "check", "--vault", v.vault, "--key-file", v.key])
        let new = try await CLI.run(["vault", "check", "--vault", v.vault, "--key-file", v.dir.file("new.key")])
        #expect(old.code == 0, "\(old.all)")
        #expect(new.code == 10)
        #expect(old.stdout.contains("30 sealed versions open"))
        let list = try await CLI.run(["credential", "list", "--vault", v.vault, "--json"])
        #expect((try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [Any])?.count == 30)
        // No rekey entry was committed; the log still verifies.
        let export = try await CLI.run(["audit", "export", "--vault", v.vault])
        #expect(!export.stdout.contains("vault.rekeyed"))

        // Running it again to completion flips to exactly the new key.
        let done = try await CLI.run(["vault", "rekey", "--vault", v.vault, "--key-file", v.key, "--new-key-file", v.dir.file("new.key")])
        #expect(done.code == 0)
        #expect(try await CLI.run(["vault", "check", "--vault", v.vault, "--key-file", v.key]).code == 10)
        #expect(try await CLI.run(["vault", "check", "--vault", v.vault, "--key-file", v.dir.file("new.key")]).code == 0)
    }
}
