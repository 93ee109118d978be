import Foundation
import KubeSim
import LockstepAudit
import LockstepCore
import LockstepCrypto
import LockstepEngine
import LockstepKubernetes
import LockstepLiteLLM
import LockstepTesting
import LockstepVault
import Testing

/// The engine end to end: KubeSim with real LiteLLM gateway pods, the Kubernetes client over
/// HTTP, the LiteLLM client through the gateway's Service, and the vault with its audit log.
extension EngineIntegrationTests {
    @Suite("Rotation engine on KubeSim with real LiteLLM", .serialized,
           .enabled(if: LiteLLMBinary.path != nil || LiteLLMBinary.inCI, "LiteLLM not installed (scripts/setup); CI=true makes this a failure"))
    struct MasterKeyRotationTests {
        @Test("restart-together: a 409 during delivery is re-read and decided, both sides end on the new key, verified and audited; then revoke")
        func rotateThenRevoke() async throws {
            let litellm = try #require(LiteLLMBinary.path, "LiteLLM not found (scripts/setup or LITELLM_BIN)")
            let f = try await EngineFixture.start(litellm: litellm)
            do {
                // Someone touches the gateway Secret while Lockstep delivers: one injected 409.
                f.sim.faults.injectConflicts(ObjectKey(type: .secrets, namespace: "litellm-system", name: "litellm-masterkey"), count: 1)
                let started = ContinuousClock.now
                let report = try await f.run { try await $0.start(policy: f.policy, kind: .rotate, actor: AuditActor(kind: .schedule, id: "litellm-master-key"), reason: "scheduled", manualValue: nil) }
                print("rotation took \(ContinuousClock.now - started)")
                #expect(report.run.phase == .succeeded, "\(report.steps.map { "\($0.action): \($0.outcome)" })")
                #expect(report.steps.contains { $0.outcome.contains("conflict") }, "the 409 was seen and handled")

                let current = try f.vault.value(of: "litellm-master-key")
                let newKey = current.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
                #expect(newKey.hasPrefix("sk-") && newKey != EngineFixture.oldKey)
                #expect(concealed { f.holds("unique", "chat-backend-litellm", "LITELLM_API_KEY", newKey) })
                #expect(concealed { f.holds("litellm-system", "litellm-masterkey", "masterkey", newKey) })
                #expect(f.liveValue("unique", "chat-backend-litellm", "OTHER") == "unrelated", "other keys of the Secret are left alone")
                let gateway = LiteLLMGateway(client: LiteLLMClient(baseURL: f.gatewayURL))
                #expect(try await concealed { try await gateway.accepts(current) })
                #expect(try await concealed { try await !gateway.accepts(secret(EngineFixture.oldKey)) })
                #expect(try f.vault.credential("litellm-master-key").versions.map(\.state) == [.current, .previous])

                let entries = try f.vault.auditLog.entries()
                let actions = entries.map(\.action.rawValue)
                #expect(actions.contains("rotation.started") && actions.contains("version.created") && actions.contains("rotation.finished"))
                #expect(entries.filter { $0.action.rawValue == "secret.patched" && $0.outcome == .success }.count == 2)
                #expect(entries.contains { $0.action.rawValue == "secret.patched" && $0.targets.first?.resourceVersionAfter != nil })
                #expect(entries.filter { $0.action.rawValue == "workload.rolled-out" }.count == 2)
                #expect(try f.vault.auditLog.verify().ok)
                let exported = String(decoding: try f.vault.auditLog.lines().flatMap { $0 }, as: UTF8.self)
                #expect(!exported.contains(newKey) && !exported.contains(EngineFixture.oldKey), "no key in the audit log")

                // Incident: revoke the key just rotated in. It must end refused, and the run says how long that took.
                let revoke = try await f.run { try await $0.start(policy: f.policy, kind: .revoke, actor: AuditActor(kind: .incident, id: "INC-42"), reason: "leaked in a log", manualValue: nil) }
                #expect(revoke.run.phase == .succeeded)
                #expect(revoke.oldKeyRefusedAfterMillis != nil)
                print("revoke: old key refused after \(revoke.oldKeyRefusedAfterMillis ?? -1) ms")
                #expect(try await concealed { try await !gateway.accepts(current) })
                #expect(try f.vault.credential("litellm-master-key").versions.map(\.state) == [.current, .revoked, .retired])
                #expect(try f.vault.auditLog.entries().last?.action.rawValue == "credential.revoked")
            } catch {
                await f.stop()
                throw error
            }
            await f.stop()
        }

        @Test("drift: a Secret changed behind Lockstep's back (kubectl patch) stops the rotation before anything changes")
        func driftStopsTheRotation() async throws {
            let litellm = try #require(LiteLLMBinary.path, "LiteLLM not found (scripts/setup or LITELLM_BIN)")
            let f = try await EngineFixture.start(litellm: litellm)
            do {
                // What `kubectl patch secret` behind Lockstep's back does.
                let kubectl = Process()
                kubectl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                let cache = f.dir.appendingPathComponent("kubectl-cache").path
                let value = Data("sk-set-by-hand-000001".utf8).base64EncodedString()
                kubectl.arguments = ["kubectl", "--kubeconfig", f.kubeconfig, "--cache-dir", cache, "-n", "unique", "patch", "secret", "chat-backend-litellm",
                                     "--type", "merge", "-p", #"{"data":{"LITELLM_API_KEY":"\#(value)"}}"#]
                let kubectlLog = f.dir.appendingPathComponent("kubectl.log").path
                #expect(FileManager.default.createFile(atPath: kubectlLog, contents: nil))
                kubectl.standardOutput = FileHandle.nullDevice
                kubectl.standardError = FileHandle(forWritingAtPath: kubectlLog)
                try kubectl.run()
                kubectl.waitUntilExit()
                let kubectlMessage = (try? String(contentsOfFile: kubectlLog, encoding: .utf8)) ?? ""
                #expect(kubectl.terminationStatus == 0, "kubectl patch failed: \(kubectlMessage)")
                // status --drift names the target that differs.
                let policies = try f.writePolicy(into: "drift-policies")
                let st = try await runLockstep(["status", "--drift", "--kubeconfig", f.kubeconfig, "--policies", policies.path, "--json"],
                                         env: f.cliEnvironment)
                #expect(st.code == 0, "\(st.err)")
                #expect(st.out.contains("\"unique/chat-backend-litellm#LITELLM_API_KEY\""), "\(st.out)")
                #expect(!st.out.contains("litellm-system/litellm-masterkey#masterkey"))

                let report = try await f.run { try await $0.start(policy: f.policy, kind: .rotate, actor: AuditActor(kind: .user, id: "tester"), reason: nil, manualValue: nil) }
                #expect(report.run.phase == .abandoned)
                #expect(report.run.failure?.contains("drift: unique/chat-backend-litellm#LITELLM_API_KEY") == true)
                #expect(concealed { f.holds("litellm-system", "litellm-masterkey", "masterkey", EngineFixture.oldKey) }, "nothing was changed")
                let drift = try f.vault.auditLog.entries().first { $0.action.rawValue == "drift.detected" }
                #expect(drift?.targets.first?.name == "chat-backend-litellm")
                #expect(drift?.fingerprints["live"] != drift?.fingerprints["vault"])
                #expect(try f.vault.credential("litellm-master-key").versions.count == 1)
            } catch {
                await f.stop()
                throw error
            }
            await f.stop()
        }
    }
}

extension EngineIntegrationTests {
    @Suite("Rotation engine: rollback and the CLI", .serialized,
           .enabled(if: LiteLLMBinary.path != nil || LiteLLMBinary.inCI, "LiteLLM not installed (scripts/setup); CI=true makes this a failure"))
    struct RollbackAndCLITests {
        @Test("a failing check rolls back: the old value everywhere, verified, the attempt marked failed")
        func failedCheckRollsBack() async throws {
            let litellm = try #require(LiteLLMBinary.path, "LiteLLM not found (scripts/setup or LITELLM_BIN)")
            let f = try await EngineFixture.start(litellm: litellm)
            do {
                // A policy that names the wrong gateway Secret: the gateway never sees the new key, so
                // "new key accepted" fails after the rollout, exactly like a misconfigured target.
                _ = try f.sim.create(KubeObjects.secret("litellm-masterkey-unused", "litellm-system", ["masterkey": EngineFixture.oldKey]))
                let p = f.policy
                let wrong = RotationPolicy(name: p.name, credential: p.credential, kind: p.kind, source: p.source, schedule: nil, maxAge: nil, strategy: p.strategy, gateway: p.gateway,
                                           targets: [p.targets[0], .init(namespace: "litellm-system", name: "litellm-masterkey-unused", key: "masterkey")],
                                           rollouts: p.rollouts, checks: p.checks)
                var settings = EngineFixture.fastSettings
                settings.verifyAttempts = 12
                let report = try await f.run(settings: settings) { try await $0.start(policy: wrong, kind: .rotate, actor: AuditActor(kind: .user, id: "tester"), reason: nil, manualValue: nil) }
                #expect(report.run.phase == .rolledBack, "\(report.steps.map { "\($0.action): \($0.outcome)" })")
                // Gateway first: the wrong target shows before the backend moves.
                #expect(report.run.failure?.contains("rolled out, but only 0 of 1 pod(s) accept the new key") == true, "\(report.run.failure ?? "")")
                #expect(concealed { f.holds("unique", "chat-backend-litellm", "LITELLM_API_KEY", EngineFixture.oldKey) })
                #expect(concealed { f.holds("litellm-system", "litellm-masterkey-unused", "masterkey", EngineFixture.oldKey) })
                #expect(try await concealed { try await LiteLLMGateway(client: LiteLLMClient(baseURL: f.gatewayURL)).accepts(secret(EngineFixture.oldKey)) })
                #expect(try f.vault.credential("litellm-master-key").versions.map(\.state) == [.failed, .current])
                let actions = try f.vault.auditLog.entries().map(\.action.rawValue)
                #expect(actions.last == "rotation.rolled-back")
                #expect(actions.contains("check.failed"))
                #expect(try f.vault.auditLog.verify().ok)
            } catch {
                await f.stop()
                throw error
            }
            await f.stop()
        }

        @Test("lockstep rotate and history through the CLI, against KubeSim through a kubeconfig")
        func cliRotate() async throws {
            let litellm = try #require(LiteLLMBinary.path, "LiteLLM not found (scripts/setup or LITELLM_BIN)")
            let f = try await EngineFixture.start(litellm: litellm)
            do {
                let policies = try f.writePolicy()
                let env = f.cliEnvironment
                let r = try await runLockstep(["rotate", "litellm-master-key", "--kubeconfig", f.kubeconfig, "--policies", policies.path,
                                         "--gateway-url", f.gatewayURL, "--reason", "test", "--rollout-timeout", "150"], env: env)
                #expect(r.code == 0, "\(r.out)\(r.err)")
                #expect(r.out.contains(": succeeded"))
                #expect(r.err.contains("wait for rollout of litellm-system/litellm"), "progress is shown")
                let current = try f.vault.value(of: "litellm-master-key").withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
                #expect(!(r.out + r.err).contains(current) && !(r.out + r.err).contains(EngineFixture.oldKey), "no key on the screen")
                let h = try await runLockstep(["history", "litellm-master-key"], env: env)
                #expect(h.out.contains("succeeded") && h.out.contains("rotation.finished"))
                let st = try await runLockstep(["status", "--policies", policies.path, "--json"], env: env)
                #expect(st.out.contains("\"lastOutcome\" : \"succeeded\""))
            } catch {
                await f.stop()
                throw error
            }
            await f.stop()
        }
    }
}

/// Runs the built `lockstep` binary (next to the test bundle), bounded.
func runLockstep(_ args: [String], env: [String: String]) async throws -> (code: Int32, out: String, err: String) {
    let r = try await ChildProcess.run(builtBinary("lockstep"), args, environment: env, timeout: .seconds(300))
    return (r.code, r.stdout, r.stderr)
}

extension EngineIntegrationTests {
    @Suite("Rotation engine: crash and resume", .serialized,
           .enabled(if: LiteLLMBinary.path != nil || LiteLLMBinary.inCI, "LiteLLM not installed (scripts/setup); CI=true makes this a failure"))
    struct CrashResumeTests {
        @Test("kill -9 of lockstep rotate during the gateway rollout; the next rotate resumes the journaled run and finishes it")
        func killAndResume() async throws {
            let litellm = try #require(LiteLLMBinary.path, "LiteLLM not found (scripts/setup or LITELLM_BIN)")
            let f = try await EngineFixture.start(litellm: litellm)
            do {
                let policies = try f.writePolicy()
                let args = ["rotate", "litellm-master-key", "--kubeconfig", f.kubeconfig, "--policies", policies.path, "--gateway-url", f.gatewayURL]
                let env = f.cliEnvironment
                let p = try ChildProcess(builtBinary("lockstep"), args, environment: env, directory: f.dir)
                // Wait (bounded, polling) until it is waiting for the gateway's rollout, then kill it hard.
                let waiting = await eventually(timeout: .seconds(90), every: .milliseconds(50)) {
                    p.stderr.contains("wait for rollout of litellm-system/litellm") || !p.isRunning
                }
                let seen = p.stderr
                #expect(waiting && seen.contains("wait for rollout of litellm-system/litellm"), "\(seen)")
                p.signal(SIGKILL)
                _ = await p.waitForExit(timeout: .seconds(10))
                #expect(try f.vault.unfinishedRuns().count == 1, "the run is journaled")

                let resumed = try await runLockstep(args, env: env)
                #expect(resumed.code == 0, "\(resumed.out)\(resumed.err)")
                #expect(resumed.err.contains("resuming interrupted run"))
                #expect(try f.vault.unfinishedRuns().isEmpty)
                let newKey = try f.vault.value(of: "litellm-master-key").withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
                #expect(newKey != EngineFixture.oldKey)
                #expect(concealed { f.holds("unique", "chat-backend-litellm", "LITELLM_API_KEY", newKey) })
                #expect(concealed { f.holds("litellm-system", "litellm-masterkey", "masterkey", newKey) })
                #expect(try await concealed { try await LiteLLMGateway(client: LiteLLMClient(baseURL: f.gatewayURL)).accepts(secret(newKey)) })
                #expect(try f.vault.credential("litellm-master-key").versions.count == 2, "one new version, not two")
                #expect(try f.vault.auditLog.verify().ok)
            } catch {
                await f.stop()
                throw error
            }
            await f.stop()
        }
    }
}
