import Foundation
import LockstepCore
import LockstepCrypto
import LockstepProviders
import LockstepTesting
import Testing

/// A Redis ACL user's overlapping passwords against a real Redis 7 (Debian's), started per test
/// on 127.0.0.1 and stopped by PID.
@Suite(.serialized, .enabled(if: LocalRedis.available || TestEnvironment.inCI, "Redis not installed (scripts/setup); CI=true makes this a failure"))
struct RedisPasswordSourceTests {
    @Test func bothPasswordsWorkUntilTheOldOneIsRemovedAndTheACLFileKeepsOnlyHashes() async throws {
        try await RedisBench.with { bench in
            let source = try bench.source()
            let first = try SecretBytes(utf8: bench.firstPassword)
            let said = try await source.preflight(current: first)
            #expect(said.contains("ACL SAVE"))
            let monitor = try bench.server.monitor(user: "lockstep-admin", password: bench.adminPassword)
            #expect(await eventually(timeout: .seconds(10)) { monitor.stdout.contains("OK") })

            let second = try await source.mint(replacing: first)
            #expect(second.count == 43)
            #expect(try await bench.logsIn(first))
            #expect(try await bench.logsIn(second))
            let saved = try String(contentsOfFile: bench.server.aclPath, encoding: .utf8)
            #expect(saved.contains(RedisBench.sha256(second.withUnsafeBytes { String(decoding: $0, as: UTF8.self) })), "the new password is in the ACL file (a restart keeps it)")

            let done = try await source.retire(first, keeping: second)
            #expect(done.contains("AUTH refuses the old one"))
            #expect(try await !bench.logsIn(first))
            #expect(try await bench.logsIn(second))
            #expect(try await !source.accepts(first))
            // Saved: a restart does not bring the old password back.
            await bench.server.crash()
            try await bench.server.restart()
            #expect(try await !bench.logsIn(first))
            #expect(try await bench.logsIn(second))
            // Again: nothing to remove, the current one kept.
            let again = try await source.retire(first, keeping: second)
            #expect(again.contains("removed before"))

            let secondText = second.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
            let acl = try String(contentsOfFile: bench.server.aclPath, encoding: .utf8)
            // MONITOR shows no administrative command (ACL …) at all, and each AUTH redacted.
            #expect(await eventually(timeout: .seconds(5)) { monitor.stdout.contains("\"AUTH\" \"(redacted)\" \"(redacted)\"") })
            #expect(!monitor.stdout.contains("SETUSER"))
            for secret in [secondText, bench.firstPassword, bench.adminPassword] {
                #expect(concealed { !monitor.stdout.contains(secret) && !acl.contains(secret) && !bench.server.log.contains(secret) })
            }
            await monitor.stop(grace: .seconds(1))
        }
    }

    @Test func anAdminWithoutACLRightsIsRefusedAtPreflightAndNothingChanges() async throws {
        try await RedisBench.with(adminCommands: "+@read +@connection") { bench in
            let first = try SecretBytes(utf8: bench.firstPassword)
            do {
                _ = try await bench.source().preflight(current: first)
                Issue.record("an admin without ACL rights passed preflight")
            } catch let error as ProviderError {
                #expect(error.code == .forbidden && error.message.contains("NOPERM"))
            }
            do {
                _ = try await bench.source().mint(replacing: first)
                Issue.record("an admin without ACL rights added a password")
            } catch let error as ProviderError {
                #expect(error.code == .forbidden)
            }
            #expect(try await bench.logsIn(first))
        }
    }

    @Test func aServerThatCannotSaveItsUsersTakesTheNewPasswordBack() async throws {
        try await RedisBench.with(aclFile: false) { bench in
            let first = try SecretBytes(utf8: bench.firstPassword)
            let before = try await bench.server.cli(["ACL", "GETUSER", "litellm"], user: "lockstep-admin", password: bench.adminPassword)
            do {
                _ = try await bench.source().mint(replacing: first)
                Issue.record("a password was added that a restart would lose")
            } catch let error as ProviderError {
                #expect(error.code == .forbidden && error.message.contains("CONFIG REWRITE") && error.message.contains("lost when Redis restarts"))
            }
            let after = try await bench.server.cli(["ACL", "GETUSER", "litellm"], user: "lockstep-admin", password: bench.adminPassword)
            #expect(before == after, "the added password was taken back")
            #expect(try await bench.logsIn(first))
        }
    }

    @Test func aWrongAdminPasswordAStaleVaultAndADeadServerAreToldApart() async throws {
        try await RedisBench.with { bench in
            let first = try SecretBytes(utf8: bench.firstPassword)
            let wrong = RedisPasswordSource(server: bench.policy, adminPassword: try SecretBytes(utf8: "wrong"))
            do {
                _ = try await wrong.preflight(current: first)
                Issue.record("a wrong admin password passed")
            } catch let error as ProviderError {
                #expect(error.code == .unauthorized && error.message.contains("redis-admin"))
            }
            do {
                _ = try await bench.source().preflight(current: try SecretBytes(utf8: "stale-password"))
                Issue.record("a password the server refuses passed preflight")
            } catch let error as ProviderError {
                #expect(error.code == .mismatch && !error.message.contains("stale-password"))
            }
            await bench.server.crash()
            let started = ContinuousClock.now
            do {
                _ = try await bench.source(timeout: .seconds(3)).mint(replacing: first)
                Issue.record("minted on a server that is down")
            } catch let error as ProviderError {
                #expect(error.code == .unavailable && error.message.contains("Redis 127.0.0.1:\(bench.server.port)"))
            }
            #expect(ContinuousClock.now - started < .seconds(10))
            try await bench.server.restart()
            #expect(try await bench.logsIn(first))
        }
    }
}
