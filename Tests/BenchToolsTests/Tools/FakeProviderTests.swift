import Foundation
import Testing

@Suite("fake-provider (the built binary)", .serialized)
struct FakeProviderTests {
    static let key = "sk-fake-provider-key-1"
    static let next = "sk-fake-provider-key-2"
    static let invalidKey = #"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#

    @Test("OpenAI shapes, 401 for a wrong or missing key, stats by outcome, key rotation through the keys file, SIGTERM exits 0")
    func servesChecksCountsAndRotates() async throws {
        let provider = try await RunningFakeProvider(keys: [Self.key], envKeys: ["sk-from-env-0001"])
        #expect(provider.url.hasPrefix("http://127.0.0.1:"))
        #expect(provider.process.stdout == "fake-provider ready \(provider.url)\n", "exactly one line on stdout")
        let v1 = provider.url + "/v1"

        let models = try await HTTP.request(.GET, v1 + "/models", bearer: Self.key)
        #expect(models.status == 200)
        #expect(models.json?["object"] as? String == "list")
        #expect(((models.json?["data"] as? [[String: Any]])?.first?["id"] as? String) == "gpt-4o-mini")
        #expect(try await HTTP.request(.GET, provider.url + "/models", bearer: Self.key).status == 200, "also without /v1")

        let chat = try await HTTP.chat(v1, key: Self.key)
        #expect(chat.status == 200)
        let choice = (chat.json?["choices"] as? [[String: Any]])?.first
        #expect((choice?["message"] as? [String: Any])?["content"] as? String == "Hello from fake-provider.")
        #expect(choice?["finish_reason"] as? String == "stop")
        #expect((chat.json?["usage"] as? [String: Any])?["total_tokens"] as? Int == 14)
        #expect(chat.json?["object"] as? String == "chat.completion")
        #expect(try await HTTP.chat(provider.url, key: "sk-from-env-0001").status == 200, "keys from FAKE_PROVIDER_KEYS, and the route without /v1")

        let wrong = try await HTTP.chat(v1, key: "sk-wrong")
        #expect(wrong.status == 401)
        #expect(wrong.body == Self.invalidKey)
        let missing = try await HTTP.chat(v1, key: nil)
        #expect(missing.status == 401)
        #expect(missing.body == Self.invalidKey)
        #expect(try await HTTP.chat(v1, key: Self.key, stream: true).status == 400, "stream: true is refused")
        #expect(try await HTTP.request(.POST, v1 + "/chat/completions", bearer: Self.key, body: "{not json").status == 400)

        #expect(try await provider.stats() == [
            "total": 8, "ok": 4, "unauthorized": 1, "missingKey": 1, "badRequest": 2,
            "chatCompletions": 6, "models": 2, "acceptedKeys": 2,
        ])

        // Rotation: add the new key, then remove the old one.
        try provider.setKeys([Self.key, Self.next])
        #expect(try await HTTP.chat(v1, key: Self.next).status == 200)
        #expect(try await HTTP.chat(v1, key: Self.key).status == 200)
        try provider.setKeys([Self.next])
        #expect(try await HTTP.chat(v1, key: Self.key).status == 401, "the removed key is refused at once")
        #expect(try await HTTP.chat(v1, key: Self.next).status == 200)
        #expect(try await provider.stats()["acceptedKeys"] == 2, "one from the file, one from the environment")

        let status = await provider.process.stop()
        #expect(status == 0, "SIGTERM stops it cleanly")
        #expect(provider.process.process.terminationReason == .exit)
        let output = provider.process.stdout + provider.process.stderr
        for secret in [Self.key, Self.next, "sk-from-env-0001", "sk-wrong"] { #expect(!output.contains(secret), "no key in its output") }
    }

    @Test("without any key source it refuses to start, with a hint")
    func refusesWithoutKeys() async throws {
        let process = try BenchProcess(Binaries.fakeProvider, ["--port", "0"])
        let status = await process.waitForExit(timeout: .seconds(20))
        #expect(status != 0)
        #expect(process.stderr.contains("hint: pass --keys-file"))
        #expect(process.stdout.isEmpty)
    }
}
