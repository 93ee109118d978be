import Foundation
import KubeSim
import Testing
@testable import LockstepKubernetes
import LockstepCrypto
import NIOPosix

@Suite("Typed errors and retries against KubeSim")
struct ErrorAndRetryTests {
    static let seed = [K8sFixtures.secret("litellm-masterkey", data: ["masterkey": "sk-live-1", "other": "x"])]
    static let key = ObjectKey(type: .secrets, namespace: "gateway", name: "litellm-masterkey")

    func value(_ text: String) throws -> SecretBytes {
        var bytes = Array(text.utf8)
        return try SecretBytes.take(&bytes)
    }

    @Test("an injected 409 surfaces as .conflict at once, is not retried, and names the object")
    func injectedConflict() async throws {
        let dir = try makeTempDirectory()
        defer { removeDirectory(dir) }
        try await withKubeSim(seed: Self.seed) { sim in
            let sleeps = SleepRecorder()
            let configuration = try K8sFixtures.configuration(for: sim, in: dir, retry: sleeps.policy)
            try await KubernetesClient.withClient(configuration) { client in
                let read = try await client.getSecret(namespace: "gateway", name: "litellm-masterkey")
                sim.faults.injectConflicts(Self.key, count: 1)
                let error = await #expect(throws: KubernetesError.self) {
                    try await client.patchSecretKey(namespace: "gateway", name: "litellm-masterkey", key: "masterkey",
                                                    value: try value("sk-live-2"), resourceVersion: read.resourceVersion)
                }
                #expect(error?.code == .conflict)
                #expect(error?.status == 409)
                #expect(error?.description.contains("secret gateway/litellm-masterkey") == true)
                #expect(sleeps.recorded.isEmpty, "a 409 must not be retried")
                let unchanged = try await client.readSecretValue(namespace: "gateway", name: "litellm-masterkey", key: "masterkey")
                #expect(unchanged.constantTimeEquals(Array("sk-live-1".utf8)))
            }
        }
    }

    @Test("a real concurrent write between read and patch gives .conflict; re-reading and patching works")
    func concurrentWrite() async throws {
        let dir = try makeTempDirectory()
        defer { removeDirectory(dir) }
        try await withKubeSim(seed: Self.seed) { sim in
            let sleeps = SleepRecorder()
            let configuration = try K8sFixtures.configuration(for: sim, in: dir, retry: sleeps.policy)
            try await KubernetesClient.withClient(configuration) { client in
                let read = try await client.getSecret(namespace: "gateway", name: "litellm-masterkey")
                // Someone else (another operator, a controller) writes in between.
                try await client.patchSecretKey(namespace: "gateway", name: "litellm-masterkey", key: "other", value: try value("y"),
                                                resourceVersion: read.resourceVersion, fieldManager: "someone-else")
                let error = await #expect(throws: KubernetesError.self) {
                    try await client.patchSecretKey(namespace: "gateway", name: "litellm-masterkey", key: "masterkey",
                                                    value: try value("sk-live-2"), resourceVersion: read.resourceVersion)
                }
                #expect(error?.code == .conflict)
                #expect(error?.message.contains("the object has been modified") == true)
                #expect(sleeps.recorded.isEmpty)
                let fresh = try await client.getSecret(namespace: "gateway", name: "litellm-masterkey")
                let newVersion = try await client.patchSecretKey(namespace: "gateway", name: "litellm-masterkey", key: "masterkey",
                                                                 value: try value("sk-live-2"), resourceVersion: fresh.resourceVersion)
                #expect(newVersion != fresh.resourceVersion)
            }
        }
    }

    @Test("5xx on a guarded patch is retried with backoff and succeeds")
    func serverErrorRetried() async throws {
        let dir = try makeTempDirectory()
        defer { removeDirectory(dir) }
        try await withKubeSim(seed: Self.seed) { sim in
            let sleeps = SleepRecorder()
            let configuration = try K8sFixtures.configuration(for: sim, in: dir, retry: sleeps.policy)
            try await KubernetesClient.withClient(configuration) { client in
                let read = try await client.getSecret(namespace: "gateway", name: "litellm-masterkey")
                sim.faults.injectServerErrors(.init(count: 2, code: 503, verbs: ["patch"], resources: ["secrets"]))
                try await client.patchSecretKey(namespace: "gateway", name: "litellm-masterkey", key: "masterkey",
                                                value: try value("sk-live-2"), resourceVersion: read.resourceVersion)
                #expect(sleeps.recorded == [.milliseconds(75), .milliseconds(150)], "two retries, exponential with jitter 0.5")
                let now = try await client.readSecretValue(namespace: "gateway", name: "litellm-masterkey", key: "masterkey")
                #expect(now.constantTimeEquals(Array("sk-live-2".utf8)))
            }
        }
    }

    @Test("429 on a read is retried; concurrent reads share one client")
    func tooManyRequests() async throws {
        let dir = try makeTempDirectory()
        defer { removeDirectory(dir) }
        try await withKubeSim(seed: Self.seed) { sim in
            let sleeps = SleepRecorder()
            let configuration = try K8sFixtures.configuration(for: sim, in: dir, retry: sleeps.policy)
            try await KubernetesClient.withClient(configuration) { client in
                sim.faults.injectServerErrors(.init(count: 1, code: 429, verbs: ["get"], resources: ["secrets"]))
                _ = try await client.getSecret(namespace: "gateway", name: "litellm-masterkey")
                #expect(sleeps.recorded.count == 1)
                let names = try await withThrowingTaskGroup(of: String.self) { group in
                    for _ in 0..<8 { group.addTask { try await client.getSecret(namespace: "gateway", name: "litellm-masterkey").metadata.name ?? "" } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(names == Array(repeating: "litellm-masterkey", count: 8))
            }
        }
    }

    @Test("retries are bounded; a non-idempotent create is not retried")
    func boundedAndNonIdempotent() async throws {
        let dir = try makeTempDirectory()
        defer { removeDirectory(dir) }
        try await withKubeSim(seed: Self.seed) { sim in
            let sleeps = SleepRecorder()
            let configuration = try K8sFixtures.configuration(for: sim, in: dir, retry: sleeps.policy)
            try await KubernetesClient.withClient(configuration) { client in
                sim.faults.injectServerErrors(.init(count: 10, code: 500, verbs: ["get"], resources: ["secrets"]))
                let error = await #expect(throws: KubernetesError.self) { try await client.getSecret(namespace: "gateway", name: "litellm-masterkey") }
                #expect(error?.code == .serverError)
                #expect(sleeps.recorded.count == 3, "4 attempts in all")

                sim.faults.clear()
                sim.faults.injectServerErrors(.init(count: 1, code: 503, verbs: ["create"], resources: ["events"]))
                let before = sleeps.recorded.count
                let event = EventRecord(reason: "Test", message: "m", involvedObject: InvolvedObject(apiVersion: "v1", kind: "Secret", namespace: "gateway", name: "litellm-masterkey"))
                let createError = await #expect(throws: KubernetesError.self) { try await client.createEvent(event) }
                #expect(createError?.code == .serverError)
                #expect(sleeps.recorded.count == before)
            }
        }
    }

    @Test("403 from RBAC keeps verb, resource, namespace and the server's message; 404 names the object")
    func forbiddenAndNotFound() async throws {
        let rules = """
            users:
              lockstep:
                - verbs: [get]
                  resources: [secrets]
                  namespaces: [gateway]
            """
        try await withKubeSim(seed: Self.seed, configure: {
            $0.tokens = TokenFile(entries: [("tok-rbac", UserInfo(name: "lockstep"))])
            $0.rbac = try RBACRules(yaml: rules)
        }) { sim in
            let dir = try makeTempDirectory()
            defer { removeDirectory(dir) }
            let configuration = try K8sFixtures.configuration(for: sim, in: dir, retry: SleepRecorder().policy)
            try await KubernetesClient.withClient(configuration) { client in
                let read = try await client.getSecret(namespace: "gateway", name: "litellm-masterkey")
                let error = await #expect(throws: KubernetesError.self) {
                    try await client.patchSecretKey(namespace: "gateway", name: "litellm-masterkey", key: "masterkey",
                                                    value: try value("sk-live-2"), resourceVersion: read.resourceVersion)
                }
                #expect(error?.code == .forbidden)
                #expect(error?.verb == "patch")
                #expect(error?.resource == "secrets")
                #expect(error?.namespace == "gateway")
                #expect(error?.message == #"secrets "litellm-masterkey" is forbidden: User "lockstep" cannot patch resource "secrets" in API group "" in the namespace "gateway""#)
                #expect(error?.description.contains("grant patch on secrets in namespace gateway") == true)

                let missing = await #expect(throws: KubernetesError.self) { try await client.getSecret(namespace: "gateway", name: "nope") }
                #expect(missing?.code == .notFound)
                #expect(missing?.description.hasPrefix("secret gateway/nope: notFound") == true)
                let noKey = await #expect(throws: KubernetesError.self) {
                    try await client.readSecretValue(namespace: "gateway", name: "litellm-masterkey", key: "absent")
                }
                #expect(noKey?.code == .notFound)
            }
        }
    }

    @Test("connection refused is a transport error, retried for reads, and close() shuts the client down")
    func transportErrors() async throws {
        let sleeps = SleepRecorder()
        var configuration = KubernetesConfiguration(server: URL(string: "https://127.0.0.1:1")!)
        configuration.retry = sleeps.policy
        // Long deadlines, so that "refused at once" (well under 15 s even on a starved machine: 18 s
        // was seen with 5 s deadlines while other suites ran) cannot be confused with four deadlines.
        configuration.requestTimeout = .seconds(30)
        // Its own event loop, so that busy servers of other suites in this process cannot delay the refusal.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { group.shutdownGracefully { _ in } }
        let client = try KubernetesClient(configuration: configuration, eventLoopGroup: group)
        let started = ContinuousClock.now
        let error = await #expect(throws: KubernetesError.self) { try await client.getSecret(namespace: "gateway", name: "s") }
        #expect(error?.code == .transport, "refused or no connection in time: \(String(describing: error))")
        #expect(sleeps.recorded.count == 3)
        #expect(ContinuousClock.now - started < .seconds(60), "refused at once, not after four 30 s deadlines")
        #expect(!client.isClosed)
        try await client.close()
        #expect(client.isClosed)
        try await client.close()  // a second close is harmless
    }
}
