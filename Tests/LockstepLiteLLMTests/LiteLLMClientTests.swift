import Foundation
import LockstepCrypto
import LockstepLiteLLM
import LockstepTesting
import Testing

func secret(_ s: String) throws -> SecretBytes { try Array(s.utf8).withUnsafeBytes { try SecretBytes(copying: $0) } }

/// Against a real LiteLLM 1.108.7 proxy without a database (the mode that runs here).
@Suite("LiteLLM client against a real proxy", .serialized, .enabled(if: LiteLLMProcess.binary != nil || LiteLLMProcess.inCI, "LiteLLM not installed (scripts/setup); CI=true makes this a failure"))
struct LiteLLMClientTests {
    @Test func verdictsHealthAndKeyEndpoints() async throws {
        let master = "sk-master-\(UUID().uuidString.prefix(12))"
        let proxy = try LiteLLMProcess(masterKey: master)
        defer { proxy.stop() }
        try await proxy.waitReady()
        let client = LiteLLMClient(baseURL: proxy.baseURL)
        #expect(await client.isReady())

        // The master key is accepted; any other key is refused by the gateway's auth.
        #expect(try await client.verdict(for: secret(master)) == .accepted)
        let wrong = try await client.verdict(for: secret("sk-not-the-master-key-000"))
        #expect(wrong == .refused(status: 400, errorType: "no_db_connection"), "without a database a wrong key answers 400 no_db_connection")

        // Health: status 200 always; the counts tell.
        let health = try await client.health(model: "mock-gpt", masterKey: secret(master))
        #expect(health.isHealthy && health.healthyCount == 1)
        // An upstream that does not answer: LiteLLM says 503 with the counts, which the client reads.
        let dead = try await client.health(model: "dead-gpt", masterKey: secret(master))
        #expect(!dead.isHealthy && dead.unhealthyCount == 1)

        // Virtual keys need the database: a clear, typed error (the bridge strategy's preflight uses it).
        do {
            try await client.generateKey(secret("sk-bridge-key-0123456789"), alias: "lockstep-run-1", masterKey: secret(master))
            Issue.record("generateKey succeeded without a database")
        } catch let e as GatewayError {
            #expect(e.code == .databaseRequired)
            #expect(!e.description.contains("sk-bridge-key-0123456789") && !e.description.contains(master))
        }
        await #expect(throws: GatewayError.self) { try await client.generateKey(secret("sk-bridge-key-0123456789"), alias: "x", masterKey: secret("sk-wrong-master-00000")) }
    }

    @Test func anUnreachableGatewayIsATypedError() async throws {
        let port = try freePort() // nothing listens there
        let client = LiteLLMClient(baseURL: "http://127.0.0.1:\(port)", timeout: .seconds(2))
        #expect(await !client.isReady())
        do {
            _ = try await client.verdict(for: secret("sk-some-key-value-12345"))
            Issue.record("expected unreachable")
        } catch let e as GatewayError {
            #expect(e.code == .unreachable)
            #expect(!e.description.contains("sk-some-key-value-12345"))
        }
    }
}
