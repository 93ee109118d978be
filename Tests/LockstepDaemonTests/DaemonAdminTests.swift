import Foundation
import LockstepCrypto
import LockstepDaemon
import LockstepTesting
import LockstepVault
import Testing

/// Every daemon suite is nested here so that they run one after another: each starts KubeSim
/// with gateway pods and daemon processes (2 cores).
@Suite("Daemon integration", .serialized) enum DaemonIntegrationTests {}

extension DaemonIntegrationTests {
    @Suite("lockstep serve: admin socket and metrics", .serialized)
    struct AdminTests {
        @Test func rotateThroughTheSocketRecordsThePeerAndUpdatesMetrics() async throws {
            let f = try await DaemonFixture.start()
            defer { Task { await f.stop() } }
            let d = try await f.startDaemon(try f.config("daemon-a"))
            defer { Task { await d.process.stop() } }

            let before = try await d.client.status(drift: true)
            #expect(before.leadership.isLeader)
            #expect(before.credentials.map(\.credential) == ["litellm-master-key"])
            #expect(before.credentials.first?.drift == [])

            let summary = try await d.client.rotate(.init(credential: "litellm-master-key", kind: .rotate, reason: "daemon test"))
            #expect(summary.outcome == "succeeded", "\(summary.failure ?? "")")
            #expect(summary.newVersion == 2)
            let vault = try Vault.open(at: f.vaultPath, key: .keyFile(f.keyFile))
            let current = try vault.value(of: "litellm-master-key")
            let newKey = current.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
            #expect(f.bothTargetsHold(newKey))

            // The audit records who asked, from the kernel's peer credentials, and which daemon ran it.
            let history = try await d.client.history("litellm-master-key")
            let started = history.audit.first { $0.action == "rotation.started" }
            #expect(started?.actor.hasPrefix("user:") == true)
            #expect(started?.actor.contains("uid \(getuid())") == true)
            #expect(started?.actor.contains("via \(d.identity)") == true)

            // Prometheus text that parses and carries the figures the issue names.
            let scrape = try await httpGet(d.http + "/metrics")
            #expect(scrape.status == 200)
            let metrics = try PrometheusText(scrape.body)
            let cred = ["credential": "litellm-master-key"]
            #expect(metrics.value("lockstep_rotations_total", cred.merging(["outcome": "succeeded", "kind": "rotate"]) { $1 }) == 1)
            #expect((metrics.value("lockstep_rotation_duration_seconds_count") ?? 0) >= 1)
            #expect(metrics.types["lockstep_rotation_duration_seconds"] == "histogram")
            #expect(metrics.value("lockstep_leader") == 1)
            #expect(await eventually(timeout: .seconds(10)) {
                guard let m = try? PrometheusText(try await httpGet(d.http + "/metrics").body) else { return false }
                return m.value("lockstep_credential_current_version", cred) == 2 && (m.value("lockstep_audit_entries_written_total") ?? 0) > 0
                    && m.value("lockstep_credential_age_seconds", cred) != nil && m.value("lockstep_credential_drift_targets", cred) == 0
                    && m.value("lockstep_credential_state", cred.merging(["state": "ok"]) { $1 }) == 1
            })

            let ready = try await httpGet(d.http + "/readyz")
            #expect(ready.status == 200)
            #expect(try await httpGet(d.http + "/healthz").status == 200)

            // The daemon's logs are JSON lines and never carry a key.
            await d.process.stop()
            let logs = d.process.stderr
            #expect(!logs.isEmpty)
            #expect(logs.split(separator: "\n").allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil })
            let leaked = logs.contains(DaemonFixture.oldKey) || logs.contains(newKey) || d.process.stdout.contains(newKey)
            #expect(!leaked, "a key appeared in the daemon's output")
        }

        @Test func theSocketIsCreatedPrivate() async throws {
            let f = try await DaemonFixture.start()
            defer { Task { await f.stop() } }
            let d = try await f.startDaemon(try f.config("daemon-p"))
            defer { Task { await d.process.stop() } }
            let attributes = try FileManager.default.attributesOfItem(atPath: d.socket)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
        }

        /// Another user (nobody, 65534): switching users needs root, so off root this is skipped,
        /// except in CI, where it fails instead.
        @Test(.enabled(if: getuid() == 0 || TestEnvironment.inCI, "switching users needs root; CI=true makes this a failure"))
        func strangersAreRefusedByTheKernelAndByThePeerCheck() async throws {
            try #require(getuid() == 0, "switching users needs root")
            let f = try await DaemonFixture.start()
            defer { Task { await f.stop() } }
            let d = try await f.startDaemon(try f.config("daemon-s"))
            defer { Task { await d.process.stop() } }
            let stranger = ["--reuid", "65534", "--regid", "65534", "--clear-groups", "curl", "-sS", "--unix-socket", d.socket, "http://daemon/v1/status"]
            // Mode 0600: the kernel refuses the connection.
            let refused = try await ChildProcess.run("/usr/bin/setpriv", stranger)
            #expect(refused.code == 7, "curl could not connect: \(refused.stderr)")
            // Even on a socket opened up by mistake, the peer check refuses the stranger.
            chmod(d.socket, 0o666)
            let checked = try await ChildProcess.run("/usr/bin/setpriv", stranger)
            #expect(checked.code == 0)
            #expect(checked.stdout.contains("(uid 65534) may not use this daemon's admin socket"), "\(checked.stdout)")
            #expect(!checked.stdout.contains("litellm-master-key\""))
        }
    }
}
