import Foundation
import KubeSim
import LockstepCore
import LockstepKubernetes
import LockstepTesting
import Testing
@testable import LockstepDaemon

@Suite("Rotation Events on KubeSim", .serialized)
struct RotationEventRecorderTests {
    static let value = "sk-lockstep-VALUE-never-in-events"
    static let targets = [
        RotationPolicy.SecretTarget(namespace: "gateway", name: "litellm-masterkey", key: "masterkey"),
        RotationPolicy.SecretTarget(namespace: "gateway", name: "litellm-masterkey", key: "MASTER_KEY"),
        RotationPolicy.SecretTarget(namespace: "backend", name: "chat-backend", key: "LITELLM_KEY"),
    ]
    static let rollouts = [RotationPolicy.DeploymentRef(namespace: "gateway", name: "litellm")]

    static func secret(_ namespace: String, _ name: String) -> JSONValue {
        ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(name), "namespace": .string(namespace)],
         "data": ["masterkey": .string(Data(value.utf8).base64EncodedString())]]
    }

    static func events(_ sim: RunningKubeSim) -> [JSONValue] {
        ["gateway", "backend"].flatMap { sim.store.list(.events, namespace: $0).items }
    }

    static func serialized(_ value: JSONValue) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    @Test("Rotated: one Normal Event per distinct Secret and per Deployment, on the right object, with no value")
    func rotated() async throws {
        try await withHTTPKubeSim { sim in
            _ = try sim.create(Self.secret("gateway", "litellm-masterkey"))
            let client = try makeClient(sim)
            let recorder = RotationEventRecorder(client: client, logger: quietLogger)
            let failures = await recorder.record(credential: "litellm-master-key", version: 4, outcome: .rotated,
                                                 targets: Self.targets, rollouts: Self.rollouts)
            try await client.close()
            #expect(failures == 0)
            let events = Self.events(sim)
            #expect(events.count == 3)
            let objects = Set(events.compactMap { e -> String? in
                guard let o = e["involvedObject"] else { return nil }
                return [o["apiVersion"], o["kind"], o["namespace"], o["name"]].map { $0?.stringValue ?? "-" }.joined(separator: " ")
            })
            #expect(objects == ["v1 Secret gateway litellm-masterkey", "v1 Secret backend chat-backend", "apps/v1 Deployment gateway litellm"])
            for event in events {
                #expect(event["reason"]?.stringValue == "Rotated")
                #expect(event["type"]?.stringValue == "Normal")
                #expect(event["message"]?.stringValue == "rotated by lockstep: litellm-master-key to version 4")
                #expect(event["source"]?["component"]?.stringValue == "lockstep")
                #expect(try !Self.serialized(event).contains(Self.value))
                #expect(try !Self.serialized(event).contains(Data(Self.value.utf8).base64EncodedString()))
            }
        }
    }

    @Test("RotationRolledBack and RotationFailed are Warnings quoting the failure text on one line")
    func rolledBackAndFailed() async throws {
        try await withHTTPKubeSim { sim in
            let client = try makeClient(sim)
            let recorder = RotationEventRecorder(client: client, logger: quietLogger)
            await recorder.record(credential: "openai", version: 9, outcome: .rolledBack, failure: "gateway health check failed:\nHTTP 401",
                                  targets: [Self.targets[2]], rollouts: [])
            await recorder.record(credential: "openai", version: nil, outcome: .failed, failure: "preflight: cannot patch secret backend/chat-backend",
                                  targets: [], rollouts: Self.rollouts)
            try await client.close()
            let events = Self.events(sim)
            let rolledBack = try #require(events.first { $0["reason"]?.stringValue == "RotationRolledBack" })
            #expect(rolledBack["type"]?.stringValue == "Warning")
            #expect(rolledBack["involvedObject"]?["name"]?.stringValue == "chat-backend")
            #expect(rolledBack["message"]?.stringValue == "rotation of openai to version 9 failed and was rolled back: gateway health check failed: HTTP 401")
            let failed = try #require(events.first { $0["reason"]?.stringValue == "RotationFailed" })
            #expect(failed["type"]?.stringValue == "Warning")
            #expect(failed["involvedObject"]?["kind"]?.stringValue == "Deployment")
            #expect(failed["message"]?.stringValue == "rotation of openai failed: preflight: cannot patch secret backend/chat-backend")
        }
    }

    @Test("failures to create Events are counted and logged, never thrown")
    func failuresAreSwallowed() async throws {
        try await withHTTPKubeSim { sim in
            sim.faults.injectServerErrors(.init(count: 10, code: 503, verbs: ["create"], resources: ["events"]))
            let client = try makeClient(sim)
            let logs = CapturedLogs()
            let recorder = RotationEventRecorder(client: client, logger: logs.logger)
            let failures = await recorder.record(credential: "litellm-master-key", version: 2, outcome: .rotated,
                                                 targets: Self.targets, rollouts: Self.rollouts)
            try await client.close()
            #expect(failures == 3)
            #expect(Self.events(sim).isEmpty)
            #expect(logs.all.count == 3)
            #expect(logs.joined.contains("secret gateway/litellm-masterkey"))
        }
    }

    @Test("messages are cut at 1024 characters")
    func longFailureIsCut() {
        let message = RotationEventRecorder.message(credential: "c", version: 1, outcome: .failed, failure: String(repeating: "x", count: 5000))
        #expect(message.count == 1024)
        #expect(message.hasPrefix("rotation of c to version 1 failed: xxx"))
    }
}
