import Foundation
import LockstepCore
import LockstepCrypto
import LockstepProviders
import LockstepTesting
import Testing

/// The alternating-users protocol against a real PostgreSQL 15 (Debian's), started per test on
/// 127.0.0.1 and stopped by PID.
@Suite(.serialized, .enabled(if: LocalPostgres.available || TestEnvironment.inCI, "PostgreSQL not installed (scripts/setup); CI=true makes this a failure"))
struct PostgresPasswordSourceTests {
    @Test func aRotationMovesToTheIdleUserAndTheOldURLIsRefusedAfterRetire() async throws {
        try await PostgresBench.with { bench in
            let source = try bench.source()
            let first = try SecretBytes(utf8: bench.firstURL)

            let said = try await source.preflight(current: first)
            #expect(said.contains("litellm_a") && said.contains("litellm_b will get the new password"))
            let second = try await source.mint(replacing: first)
            let secondText = second.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
            #expect(PostgresBench.user(of: secondText) == "litellm_b")
            #expect(secondText.hasSuffix("@127.0.0.1:\(bench.server.port)/litellm"), "the host, port and database the consumer uses are kept")
            // The overlap: both URLs log in until the old one is retired.
            #expect(try await bench.logsIn(first))
            #expect(try await bench.logsIn(second))
            #expect(try await source.accepts(second))

            // A session opened with the old URL (an old pod, or the thief) is ended by the retire.
            let session = try ChildProcess("/usr/bin/psql", ["-X", "-q", "-c", "SELECT pg_sleep(60)"],
                                           environment: ["PGDATABASE": "litellm", "PGHOST": "127.0.0.1", "PGPORT": "\(bench.server.port)",
                                                         "PGUSER": "litellm_a", "PGPASSWORD": bench.firstPassword])
            defer { session.stopBlocking() }
            #expect(await eventually(timeout: .seconds(10)) { (try? await bench.server.sql("SELECT count(*) FROM pg_stat_activity WHERE usename = 'litellm_a'")) == "1" })

            let done = try await source.retire(first, keeping: second)
            #expect(done.contains("1 session(s) ended"))
            #expect(try await !bench.logsIn(first))
            #expect(try await bench.logsIn(second))
            #expect(try await !source.accepts(first))
            #expect(await session.waitForExit(timeout: .seconds(10)) != 0, "the old user's session was ended")

            // The next rotation moves back to litellm_a, with a password of its own.
            let third = try await source.mint(replacing: second)
            let thirdText = third.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
            #expect(PostgresBench.user(of: thirdText) == "litellm_a")
            #expect(concealed { !third.constantTimeEquals(first) })
            _ = try await source.retire(second, keeping: third)
            #expect(try await bench.logsIn(third))
            #expect(try await !bench.logsIn(second))
            // Retiring again finds nothing to undo and keeps the current login.
            _ = try await source.retire(second, keeping: third)
            #expect(try await bench.logsIn(third))
        }
    }

    @Test func noPasswordReachesTheServersLogOrADumpOfItsRoles() async throws {
        try await PostgresBench.with { bench in
            let source = try bench.source()
            let first = try SecretBytes(utf8: bench.firstURL)
            // The bench's own set-up statements (which carry its passwords) come before.
            let setUp = bench.server.log.count
            _ = try await source.preflight(current: first)
            let second = try await source.mint(replacing: first)
            _ = try await source.retire(first, keeping: second)
            let newPassword = PostgresBench.password(of: second.withUnsafeBytes { String(decoding: $0, as: UTF8.self) })
            let dump = try await bench.server.dumpRoles()
            let log = String(bench.server.log.dropFirst(setUp))
            #expect(log.contains("ALTER ROLE \"litellm_b\" PASSWORD 'SCRAM-SHA-256$4096:"), "every statement is logged, and the one that set the password carries a verifier")
            #expect(dump.contains("SCRAM-SHA-256$"))
            for secret in [newPassword, bench.adminPassword, bench.firstPassword] {
                #expect(concealed { !log.contains(secret) && !dump.contains(secret) })
            }
        }
    }

    @Test func anAdminWithoutCreateRoleIsRefusedAtPreflightAndNothingChanges() async throws {
        try await PostgresBench.with(adminRights: "NOCREATEROLE") { bench in
            let source = try bench.source()
            let first = try SecretBytes(utf8: bench.firstURL)
            await #expect(throws: ProviderError.self) { _ = try await source.preflight(current: first) }
            do { _ = try await source.preflight(current: first) } catch let error as ProviderError {
                #expect(error.code == .forbidden)
                #expect(error.message.contains("CREATEROLE"))
            }
            // Minting anyway: the server refuses to set the password (SQLSTATE 42501), said as such.
            do {
                _ = try await source.mint(replacing: first)
                Issue.record("the server let an admin without CREATEROLE set a password")
            } catch let error as ProviderError {
                #expect(error.code == .forbidden && error.message.contains("SQLSTATE 42501"))
                #expect(concealed { !error.message.contains(bench.firstPassword) && !error.message.contains(bench.adminPassword) })
            }
            #expect(try await bench.logsIn(first))
        }
    }

    @Test func anAdminThatCannotEndSessionsIsRefusedAtPreflight() async throws {
        try await PostgresBench.with(signalBackend: false) { bench in
            do {
                _ = try await bench.source().preflight(current: try SecretBytes(utf8: bench.firstURL))
                Issue.record("preflight passed without pg_signal_backend")
            } catch let error as ProviderError {
                #expect(error.code == .forbidden && error.message.contains("GRANT pg_signal_backend TO lockstep_admin"))
            }
        }
    }

    @Test func aWrongAdminPasswordAVaultOutOfDateAndAMalformedValueAreToldApart() async throws {
        try await PostgresBench.with { bench in
            let wrongAdmin = PostgresPasswordSource(server: bench.policy, adminPassword: try SecretBytes(utf8: "not-the-password"))
            do {
                _ = try await wrongAdmin.preflight(current: try SecretBytes(utf8: bench.firstURL))
                Issue.record("a wrong admin password passed")
            } catch let error as ProviderError {
                #expect(error.code == .unauthorized && error.message.contains("postgres-admin"))
            }
            let stale = try SecretBytes(utf8: "postgresql://litellm_a:stale@127.0.0.1:\(bench.server.port)/litellm")
            do {
                _ = try await bench.source().preflight(current: stale)
                Issue.record("a URL the server refuses passed")
            } catch let error as ProviderError {
                #expect(error.code == .mismatch && error.message.contains("postgresql://litellm_a:***@"))
                #expect(!error.message.contains("stale"))
            }
            let other = try SecretBytes(utf8: "postgresql://someone:pw@127.0.0.1:\(bench.server.port)/litellm")
            await #expect(throws: ProviderError.self) { _ = try await bench.source().preflight(current: other) }
            let malformed = try SecretBytes(utf8: "not a url")
            do {
                _ = try await bench.source().mint(replacing: malformed)
                Issue.record("a malformed value was minted from")
            } catch let error as ProviderError {
                #expect(error.message.contains("not a PostgreSQL URL") && !error.message.contains("not a url"))
            }
        }
    }

    @Test func aServerThatIsDownIsReportedWithinTheTimeoutAndTheOldLoginSurvives() async throws {
        try await PostgresBench.with { bench in
            let source = try bench.source(timeout: .seconds(3))
            let first = try SecretBytes(utf8: bench.firstURL)
            await bench.server.crash()
            let started = ContinuousClock.now
            do {
                _ = try await source.mint(replacing: first)
                Issue.record("minted on a server that is down")
            } catch let error as ProviderError {
                #expect(error.code == .unavailable && error.message.contains("PostgreSQL 127.0.0.1:\(bench.server.port)"))
            }
            #expect(ContinuousClock.now - started < .seconds(10))
            try await bench.server.restart()
            #expect(try await bench.logsIn(first))
            #expect(try await source.accepts(first))
        }
    }
}
