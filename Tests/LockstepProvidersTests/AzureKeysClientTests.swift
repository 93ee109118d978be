import Foundation
import LockstepBench
import LockstepCore
import LockstepCrypto
import LockstepProviders
import LockstepTesting
import Testing

/// The Azure adapter against the fake's documented shapes (docs/providers.md): the alternating
/// protocol on the account's two keys, refusals classified before anything changes, and
/// throttling and 5xx storms retried within bounds.
@Suite("Azure key source against the fake Entra ID and Resource Manager")
struct AzureKeysClientTests {
    @Test("listKeys and regenerateKey: the regenerated key is new, the other unchanged, and the data plane refuses the old value at once")
    func listAndRegenerate() async throws {
        try await AzureBench.with { bench in
            let client = try bench.client()
            let (one, two) = (try bytes(AzureBench.keyOne), try bytes(AzureBench.keyTwo))
            let keys = try await client.listKeys()
            #expect(keys.slot(of: one) == .key1 && keys.slot(of: two) == .key2)
            let after = try await client.regenerate(.key2)
            #expect(after.slot(of: one) == .key1)
            #expect(after.slot(of: two) == nil, "Key2 has a new value")
            let stored = try bench.storedKeys()
            #expect(concealed { stored.count == 2 && stored[0] == AzureBench.keyOne && stored[1] != AzureBench.keyTwo && stored[1].count == 32 })
            #expect(concealed { bench.keys.accepts(AzureBench.keyOne) && !bench.keys.accepts(AzureBench.keyTwo) && bench.keys.accepts(stored[1]) })
            #expect(bench.fake.snapshot.tokens == 1, "the token is cached across calls")
        }
    }

    @Test("the alternating protocol: mint regenerates the key not in use, retire the one that held the old value; both idempotent")
    func alternating() async throws {
        try await AzureBench.with { bench in
            let source = AzureKeySource(account: try bench.account(), client: try bench.client())
            let current = try bytes(AzureBench.keyOne)
            #expect(try await source.preflight(current: current).contains("the current value is Key1"))
            let new = try await source.mint(replacing: current)
            #expect(concealed { bench.keys.accepts(AzureBench.keyOne) }, "the key in use still works while the new one rolls out")
            #expect(try concealed { try bench.storedKeys()[1] == new.withUnsafeBytes { String(decoding: $0, as: UTF8.self) } })
            let retired = try await source.retire(current, keeping: new)
            #expect(retired == "Key1 of oai-prod regenerated, Key2 (current) kept")
            #expect(concealed { !bench.keys.accepts(AzureBench.keyOne) }, "the old value is refused at the provider")
            #expect(concealed { bench.keys.accepts(new.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }) })
            // A resumed run repeats the step: nothing more is regenerated.
            let again = try await source.retire(current, keeping: new)
            #expect(again.contains("retired before"))
            #expect(bench.fake.snapshot.regenerateKey == 2)
            // The next rotation alternates back to Key1.
            let third = try await source.mint(replacing: new)
            #expect(try concealed { try bench.storedKeys()[0] == third.withUnsafeBytes { String(decoding: $0, as: UTF8.self) } })
        }
    }

    @Test("the vault's current value is neither key: mismatch before anything is regenerated")
    func mismatch() async throws {
        try await AzureBench.with { bench in
            let source = AzureKeySource(account: try bench.account(), client: try bench.client())
            let stranger = try bytes("0000000000000000000000000000dead")
            for attempt in [{ try await source.preflight(current: stranger) }, { _ = try await source.mint(replacing: stranger); return "" }] {
                let error = await #expect(throws: ProviderError.self) { _ = try await attempt() }
                #expect(error?.code == .mismatch)
                #expect(error?.description.contains("outside Lockstep") == true)
            }
            #expect(bench.fake.snapshot.regenerateKey == 0)
            #expect(try concealed { try bench.storedKeys() == [AzureBench.keyOne, AzureBench.keyTwo] })
        }
    }

    @Test("a wrong client secret is .unauthorized from Entra ID; the error names the client, never the secret; nothing changed")
    func wrongSecret() async throws {
        try await AzureBench.with { bench in
            let wrong = "wrong-client-secret-0000000042"
            let client = try bench.client(secret: wrong)
            let error = await #expect(throws: ProviderError.self) { _ = try await client.regenerate(.key1) }
            #expect(error?.code == .unauthorized && error?.status == 401)
            #expect(error?.description.contains("app-admin") == true && error?.description.contains("azure-admin") == true)
            #expect(error?.description.contains(wrong) == false)
            #expect(bench.fake.snapshot.tokensRefused == 1 && bench.fake.snapshot.regenerateKey == 0, "a refusal is final: not retried")
        }
    }

    @Test("a service principal without the key actions is .forbidden (403 AuthorizationFailed) with the role it needs; no account is .notFound")
    func forbiddenAndNotFound() async throws {
        try await AzureBench.with { bench in
            let reader = try bench.client(secret: AzureBench.readerSecret, client: "app-reader")
            let denied = await #expect(throws: ProviderError.self) { _ = try await reader.listKeys() }
            #expect(denied?.code == .forbidden && denied?.status == 403)
            #expect(denied?.description.contains("AuthorizationFailed") == true && denied?.description.contains("Cognitive Services Contributor") == true)
            let missing = try bench.client(path: AzureBench.resourcePath.replacingOccurrences(of: "oai-prod", with: "oai-gone"))
            let gone = await #expect(throws: ProviderError.self) { _ = try await missing.listKeys() }
            #expect(gone?.code == .notFound && gone?.description.contains("oai-gone") == true)
            #expect(bench.fake.snapshot.regenerateKey == 0)
        }
    }

    @Test("429 with Retry-After three times: waited 3 × 2 s as told, then answered; a 5xx storm gives up after 5 attempts, with backoff 1+2+4+8 s")
    func throttlingAndStorms() async throws {
        try await AzureBench.with { bench in
            let clock = VirtualClock()
            try await bench.inject(status: 429, count: 3, retryAfter: 2)
            let keys = try await bench.client(clock: clock).listKeys()
            let one = try bytes(AzureBench.keyOne)
            #expect(keys.slot(of: one) == .key1)
            #expect(clock.elapsed == .seconds(6), "Retry-After honoured: \(clock.elapsed)")
            #expect(bench.fake.snapshot.faulted == 3)

            let storm = VirtualClock()
            try await bench.inject(status: 503, count: 50, retryAfter: nil)
            let error = await #expect(throws: ProviderError.self) { _ = try await bench.client(clock: storm).regenerate(.key2) }
            #expect(error?.code == .unavailable && error?.status == 503)
            #expect(storm.elapsed == .seconds(15), "exponential backoff within the bound: \(storm.elapsed)")
            #expect(bench.fake.snapshot.faulted == 8 && bench.fake.snapshot.regenerateKey == 0)
            #expect(try concealed { try bench.storedKeys() == [AzureBench.keyOne, AzureBench.keyTwo] })
        }
    }

    @Test("a throttling storm past the retries is .throttled, and Retry-After is capped at the policy's 30 s")
    func throttledPastRetries() async throws {
        try await AzureBench.with { bench in
            let clock = VirtualClock()
            try await bench.inject(status: 429, count: 10, retryAfter: 120)
            let error = await #expect(throws: ProviderError.self) { _ = try await bench.client(clock: clock).listKeys() }
            #expect(error?.code == .throttled)
            #expect(clock.elapsed == .seconds(120), "4 pauses of at most 30 s: \(clock.elapsed)")
        }
    }

    @Test("nothing listens: .unavailable after the retries, naming the host")
    func unreachable() async throws {
        let bench = try await AzureBench.start()
        let url = bench.url
        await bench.stop()
        let account = AzureAccount(subscription: "s", resourceGroup: "g", account: "a", tenant: "t", clientID: "c", clientSecret: try CredentialName("azure-admin"),
                                   managementURL: url, loginURL: url)
        let clock = VirtualClock()
        let client = AzureKeysClient(account: account, clientSecret: try bytes("secret-never-shown-000001"),
                                     retry: RetryPolicy(attempts: 3, initialDelay: .seconds(1), maxDelay: .seconds(30), clock: clock), timeout: .milliseconds(500))
        let error = await #expect(throws: ProviderError.self) { _ = try await client.listKeys() }
        #expect(error?.code == .unavailable && error?.description.contains(url) == true && error?.description.contains("3 attempts") == true)
        #expect(error?.description.contains("secret-never-shown") == false)
    }
}
