import Foundation
import LockstepDaemon
import LockstepTesting
import LockstepVault
import Testing

extension DaemonIntegrationTests {
    @Suite("lockstep serve: two daemons, one lease", .serialized)
    struct LeadershipTests {
        /// Which of two daemons leads, as they report it; nil until exactly one says so.
        static func leader(_ daemons: [RunningDaemon]) async -> RunningDaemon? {
            var leading: [RunningDaemon] = []
            for d in daemons where (try? await d.client.leader().isLeader) == true { leading.append(d) }
            return leading.count == 1 ? leading[0] : nil
        }

        @Test func twoDaemonsOneKubeSimExactlyOneRotates() async throws {
            // Due every 4 s: the scheduler keeps rotating for the whole test.
            let f = try await DaemonFixture.start(schedule: "4s")
            defer { Task { await f.stop() } }
            let a = try await f.startDaemon(try f.config("daemon-a", lease: true))
            defer { Task { await a.process.stop() } }
            let b = try await f.startDaemon(try f.config("daemon-b", lease: true))
            defer { Task { await b.process.stop() } }

            let rotated = await eventually(timeout: .seconds(60)) { ((try? f.runs().filter { $0.outcome == "succeeded" }.count) ?? 0) >= 2 }
            #expect(rotated, "no scheduled rotations: \(a.process.stderr.suffix(1500))")
            let leader = try #require(await Self.leader([a, b]), "exactly one daemon must lead")
            let standby = leader.identity == a.identity ? b : a

            // The standby refuses a requested rotation and names the leader.
            do {
                _ = try await standby.client.rotate(.init(credential: "litellm-master-key", kind: .rotate, reason: "to the standby"))
                Issue.record("the standby rotated")
            } catch let p as AdminWire.Problem {
                #expect(p.exitCode == 75)
                #expect(p.error.contains("not the leader") && p.error.contains("\(leader.identity) leads"))
            }
            let status = try await standby.client.status(drift: false)
            #expect(status.leadership.holder == leader.identity && !status.leadership.isLeader)

            await a.process.stop()
            await b.process.stop()
            // Every scheduled run came from the leader, none from the standby.
            #expect(leader.process.stderr.contains("starting scheduled rotation"))
            #expect(!standby.process.stderr.contains("starting scheduled rotation"))
            let runs = try f.runs()
            #expect(runs.allSatisfy { $0.finishedAt != nil }, "a run was left unfinished")
            let vault = try Vault.open(at: f.vaultPath, key: .keyFile(f.keyFile))
            let started = try vault.auditLog.entries().filter { $0.action.rawValue == "rotation.started" }
            #expect(!started.isEmpty && started.allSatisfy { ($0.detail ?? "").contains("(daemon \(leader.identity))") })
            #expect(try vault.auditLog.verify().ok)
        }

        @Test func afterKillMinus9OfTheLeaderTheStandbyFinishesItsRun() async throws {
            let f = try await DaemonFixture.start(podReadyDelay: .seconds(2))
            defer { Task { await f.stop() } }
            let a = try await f.startDaemon(try f.config("daemon-a", lease: true))
            defer { Task { await a.process.stop() } }
            let b = try await f.startDaemon(try f.config("daemon-b", lease: true))
            defer { Task { await b.process.stop() } }
            var found: RunningDaemon?
            _ = await eventually(timeout: .seconds(15)) { found = await Self.leader([a, b]); return found != nil }
            let leader = try #require(found)
            let standby = leader.identity == a.identity ? b : a

            let request = Task { try? await leader.client.rotate(.init(credential: "litellm-master-key", kind: .rotate, reason: "kill test")) }
            #expect(await eventually(timeout: .seconds(30)) { (try? f.runs().first?.phase) == "roll" })
            leader.process.signal(SIGKILL)
            _ = await leader.process.waitForExit(timeout: .seconds(10))
            _ = await request.value
            #expect(try f.runs().first?.finishedAt == nil, "the run is interrupted, journaled")

            // The lease expires (3 s after the standby last saw it change), the standby takes it and resumes.
            let finished = await eventually(timeout: .seconds(90)) { (try? f.runs().first?.outcome) == "succeeded" }
            #expect(finished, "the standby did not finish the run: \(standby.process.stderr.suffix(2000))")
            #expect(try await standby.client.leader().isLeader)
            #expect(standby.process.stderr.contains("resuming interrupted run"))
            #expect(try f.runs().count == 1)
            let vault = try Vault.open(at: f.vaultPath, key: .keyFile(f.keyFile))
            let newKey = try vault.value(of: "litellm-master-key").withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
            #expect(f.bothTargetsHold(newKey) && newKey != DaemonFixture.oldKey)
            #expect(try vault.auditLog.verify().ok)
        }
    }

    @Suite("lockstep serve: notifications, drift and Events", .serialized)
    struct NotificationTests {
        @Test func aWebhookReceiverGetsTheRotationAndTheDriftAndEventsAreRecorded() async throws {
            let (receiver, _) = try await WebhookReceiver.start()
            defer { Task { await receiver.stop() } }
            let f = try await DaemonFixture.start()
            defer { Task { await f.stop() } }
            let d = try await f.startDaemon(try f.config("daemon-n", webhook: receiver.url()))
            defer { Task { await d.process.stop() } }

            let summary = try await d.client.rotate(.init(credential: "litellm-master-key", kind: .rotate, reason: "notify test"))
            #expect(summary.outcome == "succeeded")
            #expect(await eventually(timeout: .seconds(10)) { receiver.received.contains { $0.json?["kind"] as? String == "rotation-finished" } })
            let finished = try #require(receiver.received.first { $0.json?["kind"] as? String == "rotation-finished" }?.json)
            #expect(finished["credential"] as? String == "litellm-master-key")
            #expect(finished["version"] as? Int == 2)
            #expect(finished["source"] as? String == "lockstep")

            // Events on the touched Secrets and Deployments, without values.
            let events = ["unique", "litellm-system"].flatMap { f.sim.store.list(.events, namespace: $0).items }
            #expect(events.filter { $0["reason"]?.stringValue == "Rotated" }.count == 4)
            let messages = events.compactMap { $0["message"]?.stringValue }
            #expect(messages.count == events.count && messages.allSatisfy { $0.hasPrefix("rotated by lockstep: litellm-master-key to version 2") }, "\(messages)")

            // Someone edits a Secret by hand: the drift check (every 2 s) notices, audits, notifies, counts.
            try await KubeEdit.setSecret(kubeconfig: f.kubeconfig, namespace: "unique", name: "chat-backend-litellm", key: "LITELLM_API_KEY", value: "sk-edited-by-hand-0003")
            #expect(await eventually(timeout: .seconds(20)) { receiver.received.contains { $0.json?["kind"] as? String == "drift" } })
            let drift = receiver.received.first { $0.json?["kind"] as? String == "drift" }?.json
            #expect((drift?["message"] as? String)?.contains("unique/chat-backend-litellm#LITELLM_API_KEY") == true)
            #expect(await eventually(timeout: .seconds(10)) {
                (try? PrometheusText(try await httpGet(d.http + "/metrics").body).value("lockstep_credential_drift_targets", ["credential": "litellm-master-key"])) == 1
            })
            let audit = try await d.client.auditTail(50)
            #expect(audit.contains { $0.action == "drift.detected" && $0.outcome == "failure" })
            let everything = receiver.received.map { String(decoding: $0.body, as: UTF8.self) }.joined() + d.process.stderr
            #expect(!everything.contains("sk-edited-by-hand-0003") && !everything.contains(DaemonFixture.oldKey))
        }

        @Test func aDeadWebhookNeverBlocksARotationAndIsAudited() async throws {
            let f = try await DaemonFixture.start()
            defer { Task { await f.stop() } }
            // Port 9 on 127.0.0.1: nothing listens (discard service is not run here).
            let d = try await f.startDaemon(try f.config("daemon-x", webhook: "http://127.0.0.1:9/hook/dead"))
            defer { Task { await d.process.stop() } }
            let summary = try await d.client.rotate(.init(credential: "litellm-master-key", kind: .rotate, reason: "dead hook"))
            #expect(summary.outcome == "succeeded")
            #expect(await eventually(timeout: .seconds(40)) {
                ((try? await d.client.auditTail(50)) ?? []).contains { $0.action == "notification.failed" && ($0.detail ?? "").contains("sink test-hook") }
            })
            let failed = try #require(try await d.client.auditTail(50).first { $0.action == "notification.failed" })
            let detail = failed.detail ?? ""
            #expect(detail.contains("after 4 attempts"))
            #expect(!detail.contains("127.0.0.1:9/hook"), "the URL is a secret: never in the audit log")
            #expect(await eventually(timeout: .seconds(30)) {
                (try? PrometheusText(try await httpGet(d.http + "/metrics").body).value("lockstep_notifications_total", ["result": "failed"])) == 1
            })
        }
    }
}
