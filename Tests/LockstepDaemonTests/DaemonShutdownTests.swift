import Foundation
import LockstepDaemon
import LockstepTesting
import LockstepVault
import Testing

extension DaemonIntegrationTests {
    @Suite("lockstep serve: SIGTERM and restart", .serialized)
    struct ShutdownTests {
        /// SIGTERM while a rollout is under way: the daemon stops at the next step boundary, exits 0
        /// with the run journaled; started again, it resumes and completes the run.
        @Test func sigtermMidRolloutThenRestartCompletesTheRun() async throws {
            // Slow pods: each rollout takes a few seconds, so SIGTERM lands in the middle of one.
            let f = try await DaemonFixture.start(podReadyDelay: .seconds(2))
            defer { Task { await f.stop() } }
            let config = try f.config("daemon-t")
            let first = try await f.startDaemon(config)
            let rotation = Task { try? await first.client.rotate(.init(credential: "litellm-master-key", kind: .rotate, reason: "sigterm test")) }
            let rolling = await eventually(timeout: .seconds(30)) { (try? f.runs().first?.phase) == "roll" }
            #expect(rolling, "the run never reached the rollout phase")
            first.process.signal(SIGTERM)
            let code = await first.process.waitForExit(timeout: .seconds(90))
            #expect(code == 0, "the daemon did not exit cleanly: \(first.process.stderr.suffix(2000))")
            _ = await rotation.value
            let interrupted = try f.runs().first
            #expect(interrupted?.finishedAt == nil, "the run should be journaled, unfinished")
            #expect(first.process.stderr.contains("run interrupted"))
            #expect(!FileManager.default.fileExists(atPath: first.socket), "the socket is removed on exit")

            let second = try await f.startDaemon(config)
            defer { Task { await second.process.stop() } }
            let done = await eventually(timeout: .seconds(90)) { (try? f.runs().first?.outcome) == "succeeded" }
            #expect(done, "the restarted daemon did not finish the run: \(second.process.stderr.suffix(2000))")
            #expect(try f.runs().count == 1, "the interrupted run is resumed, not started again")
            let vault = try Vault.open(at: f.vaultPath, key: .keyFile(f.keyFile))
            let newKey = try vault.value(of: "litellm-master-key").withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
            #expect(f.bothTargetsHold(newKey))
            #expect(newKey != DaemonFixture.oldKey)
            let verdict = try vault.auditLog.verify()
            #expect(verdict.ok)
        }
    }
}

extension DaemonIntegrationTests {
    @Suite("lockstep serve: before the vault exists", .serialized)
    struct VaultWaitTests {
        /// A fresh install: the pod must stay up (healthy, not ready, saying what to do) until
        /// `lockstep vault init` has run in it, then start for real.
        @Test func waitsForTheVaultThenStarts() async throws {
            let f = try await DaemonFixture.start()
            defer { Task { await f.stop() } }
            let later = f.dir.appendingPathComponent("later.db").path
            let config = try f.config("daemon-w")
            let text = try String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(of: "path: \(f.vaultPath)", with: "path: \(later)")
            try text.write(toFile: config, atomically: true, encoding: .utf8)
            let process = try ChildProcess(TestEnvironment.builtBinary("lockstep"), ["serve", "--config", config], directory: f.dir)
            defer { Task { await process.stop() } }
            let waiting = try #require(await process.line(containing: "waiting for the vault", timeout: .seconds(30)), "\(process.stderr)")
            let http = "http://" + (waiting.split(separator: " ").first { $0.hasPrefix("http=") }?.dropFirst(5) ?? "")
            #expect(try await httpGet(http + "/healthz").status == 200)
            let ready = try await httpGet(http + "/readyz")
            #expect(ready.status == 503)
            #expect(ready.body.contains("lockstep vault init"))

            try FileManager.default.copyItem(atPath: f.vaultPath, toPath: later)
            let started = await process.line(containing: "lockstep serve: ready", timeout: .seconds(30))
            #expect(started != nil, "\(process.stderr.suffix(2000))")
            #expect(await process.stop() == 0)
        }
    }
}
