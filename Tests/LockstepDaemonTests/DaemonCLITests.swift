import Foundation
import LockstepApp
import LockstepDaemon
import LockstepTesting
import LockstepVault
import Testing

extension DaemonIntegrationTests {
    @Suite("lockstep CLI through the daemon's socket", .serialized)
    struct CLIThroughSocketTests {
        func lockstep(_ args: [String], stdin: String? = nil) async throws -> ChildProcess.Result {
            try await ChildProcess.run(TestEnvironment.builtBinary("lockstep"), args, removing: ["LOCKSTEP_VAULT", "LOCKSTEP_KEY_FILE", "LOCKSTEP_SOCKET"],
                                       stdin: stdin.map { Data($0.utf8) }, timeout: .seconds(120))
        }

        @Test func statusPlanRevokeHistoryAndAuditTailGoThroughTheSocket() async throws {
            let f = try await DaemonFixture.start()
            defer { Task { await f.stop() } }
            let d = try await f.startDaemon(try f.config("daemon-c"))
            defer { Task { await d.process.stop() } }

            // No vault or policy options: everything comes from the daemon.
            let status = try await lockstep(["status", "--socket", d.socket])
            #expect(status.code == 0, "\(status.stderr)")
            #expect(status.stdout.contains("daemon \(d.identity): leader"))
            #expect(status.stdout.contains("litellm-master-key") && status.stdout.contains(" ok "))

            let plan = try await lockstep(["plan", "litellm-master-key", "--revoke", "--socket", d.socket])
            #expect(plan.code == 0)
            #expect(plan.stdout.contains("plan: revoke litellm-master-key v1 → v2"))

            let revoke = try await lockstep(["revoke", "litellm-master-key", "--reason", "leaked in a screenshot", "--incident", "INC-42", "--yes", "--socket", d.socket, "--json"])
            #expect(revoke.code == 0, "\(revoke.stderr)")
            let summary = try JSONDecoder().decode(RunSummary.self, from: Data(revoke.stdout.utf8))
            #expect(summary.outcome == "succeeded")
            #expect(summary.oldKeyRefusedAfterMillis != nil)

            let history = try await lockstep(["history", "litellm-master-key", "--socket", d.socket, "--json"])
            let h = try JSONDecoder().decode(AdminWire.HistoryResponse.self, from: Data(history.stdout.utf8))
            #expect(h.runs.first?.kind == "revoke")
            #expect(h.audit.contains { $0.action == "rotation.started" && $0.actor == "incident:INC-42" && ($0.detail ?? "").contains("requested by") })
            #expect(h.audit.contains { $0.action == "credential.revoked" })

            let tail = try await lockstep(["audit", "tail", "-n", "5", "--socket", d.socket])
            #expect(tail.code == 0)
            #expect(tail.stdout.split(separator: "\n").count == 6) // header + 5

            for out in [status, plan, revoke, history, tail] {
                #expect(!(out.stdout + out.stderr).contains(DaemonFixture.oldKey))
            }
        }

        @Test func revokeAllGoesThroughTheSocketAndNotifiesWhenTheIncidentCloses() async throws {
            let (receiver, _) = try await WebhookReceiver.start()
            defer { Task { await receiver.stop() } }
            let f = try await DaemonFixture.start()
            defer { Task { await f.stop() } }
            let d = try await f.startDaemon(try f.config("daemon-i", webhook: receiver.url()))
            defer { Task { await d.process.stop() } }

            let bad = try await lockstep(["revoke", "--all", "--reason", "stealer", "--yes", "--socket", d.socket])
            #expect(bad.code == 64 && bad.stderr.contains("--all needs --incident ID"), "\(bad.stderr)")
            let valueFile = try await lockstep(["revoke", "--all", "--incident", "INC-9", "--reason", "stealer", "--value-file", "x=/dev/null", "--yes", "--socket", d.socket])
            #expect(valueFile.code == 64 && valueFile.stderr.contains("--value-file is read by the command"), "\(valueFile.stderr)")

            let all = try await lockstep(["revoke", "--all", "--incident", "INC-9", "--reason", "litellm stealer", "--yes", "--socket", d.socket, "--json"])
            #expect(all.code == 0, "\(all.stderr)")
            let report = try JSONDecoder().decode(IncidentReport.self, from: Data(all.stdout.utf8))
            #expect(report.entries.map(\.credential) == ["litellm-master-key"] && report.allRefused && report.entries.first?.refusedAt == .gateway)
            #expect(f.bothTargetsHold(DaemonFixture.oldKey) == false)
            #expect(await eventually(timeout: .seconds(10)) { receiver.received.contains { $0.json?["kind"] as? String == "incident-closed" } })
            let closed = try #require(receiver.received.first { $0.json?["kind"] as? String == "incident-closed" }?.json)
            #expect((closed["message"] as? String)?.contains("incident INC-9: every old value refused") == true, "\(closed)")
            #expect(receiver.received.contains { $0.json?["kind"] as? String == "revoke" }, "the run's own notification too")

            // The same id again: nothing is revoked twice.
            let again = try await lockstep(["revoke", "--all", "--incident", "INC-9", "--reason", "litellm stealer", "--yes", "--socket", d.socket, "--json"])
            #expect(again.code == 0, "\(again.stderr)")
            #expect(try f.runs().count == 1)
            let history = try await lockstep(["history", "--incident", "INC-9", "--socket", d.socket])
            #expect(history.code == 0 && history.stdout.contains("incident INC-9: every old value refused at its source"), "\(history.stdout)\(history.stderr)")
            let missing = try await lockstep(["history", "--incident", "INC-404", "--socket", d.socket])
            #expect(missing.code == 66 && missing.stderr.contains("no incident INC-404"), "\(missing.stderr)")
            for out in [all, again, history] { #expect(!(out.stdout + out.stderr).contains(DaemonFixture.oldKey)) }
        }

        @Test func aDeadSocketGetsAClearErrorAndExit69() async throws {
            let dir = try TestEnvironment.temporaryFolder("dead-socket")
            defer { try? FileManager.default.removeItem(at: dir) }
            let r = try await lockstep(["status", "--socket", dir.appendingPathComponent("none.sock").path])
            #expect(r.code == 69)
            #expect(r.stderr.contains("cannot reach the daemon"))
            #expect(r.stderr.contains("hint: is `lockstep serve` running?"))
            let both = try await lockstep(["status", "--socket", "x", "--no-daemon"])
            #expect(both.code == 64)
        }

        @Test func aManualCredentialTakesItsValueOnStdinThroughTheSocket() async throws {
            let f = try await DaemonFixture.start()
            defer { Task { await f.stop() } }
            // Make the master key manual: its new value must come from a person.
            let manual = KubeObjects.masterKeyPolicy(gatewayURL: f.gatewayURL, source: "manual: {}")
            try manual.write(toFile: f.policies + "/litellm-master-key.yaml", atomically: true, encoding: .utf8)
            let d = try await f.startDaemon(try f.config("daemon-m"))
            defer { Task { await d.process.stop() } }
            let without = try await lockstep(["rotate", "litellm-master-key", "--socket", d.socket])
            #expect(without.code == 64)
            #expect(without.stderr.contains("takes a manual value"))
            let supplied = "sk-manually-supplied-value-0002"
            let with = try await lockstep(["rotate", "litellm-master-key", "--value-from-stdin", "--socket", d.socket], stdin: supplied)
            #expect(with.code == 0, "\(with.stderr)")
            #expect(f.bothTargetsHold(supplied))
            #expect(!(with.stdout + with.stderr + d.process.stderr).contains(supplied))
        }

        @Test func serveRefusesABrokenConfigurationBrokenPoliciesAndATakenSocket() async throws {
            let f = try await DaemonFixture.start()
            defer { Task { await f.stop() } }
            let good = try f.config("daemon-k")
            let checked = try await lockstep(["serve", "--config", good, "--check"])
            #expect(checked.code == 0 && checked.stdout.contains(": ok (1 policies"), "\(checked.stderr)")

            let bad = f.dir.appendingPathComponent("bad.yaml").path
            try "vault: {path: v.db}\npolicies: p\nadmin: {mode: \"0666\"}\n".write(toFile: bad, atomically: true, encoding: .utf8)
            let refused = try await lockstep(["serve", "--config", bad])
            #expect(refused.code == 78)
            #expect(refused.stderr.contains("bad.yaml:1:") && refused.stderr.contains("missing the required field \"keyFile\""))
            #expect(refused.stderr.contains("bad.yaml:3:") && refused.stderr.contains("admin.mode must be"))

            try "apiVersion: lockstep/v1\nkind: RotationPolicy\nmetadata: {name: broken}\nspec: {}\n".write(toFile: f.policies + "/broken.yaml", atomically: true, encoding: .utf8)
            let policies = try await lockstep(["serve", "--config", good])
            #expect(policies.code == 78)
            #expect(policies.stderr.contains("broken.yaml:4:"))
            try FileManager.default.removeItem(atPath: f.policies + "/broken.yaml")

            // A second daemon on the same socket is refused; the first keeps serving.
            let d = try await f.startDaemon(good)
            defer { Task { await d.process.stop() } }
            let second = try await lockstep(["serve", "--config", good])
            #expect(second.code == 78)
            #expect(second.stderr.contains("another process is serving on \(d.socket)"))
            #expect(try await d.client.leader().isLeader)
        }
    }
}
