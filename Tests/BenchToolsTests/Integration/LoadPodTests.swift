import Foundation
import Testing

/// lockstep-load as a KubeSim pod sending to the fake provider (it serves the same route and
/// checks the key), so this runs without LiteLLM; `LiteLLMBenchTests` runs the same scenario
/// against a real LiteLLM.
@Suite("lockstep-load as a KubeSim pod", .serialized)
struct LoadPodTests {
    static let oldKey = "sk-backend-old-0001"
    static let newKey = "sk-backend-new-0002"

    @Test("after the Secret changes and a rollout restart, the new pod uses the new key; each pod reports at SIGTERM")
    func rolloutPicksUpTheNewKey() async throws {
        try await RunningFakeProvider.with(keys: [Self.newKey]) { provider in
            try await LoadPodScenario(target: provider.url, model: "gpt-4o-mini", oldKey: Self.oldKey, newKey: Self.newKey,
                                      refusedStatus: "401", refusedType: "invalid_request_error").run()
            let stats = try await provider.stats()
            #expect((stats["unauthorized"] ?? 0) >= 3 && (stats["ok"] ?? 0) >= 5, "the provider saw both keys: \(stats)")
        }
    }
}
