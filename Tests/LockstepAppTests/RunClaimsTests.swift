import LockstepApp
import LockstepTesting
import Testing

/// What a daemon's shutdown waits on: the claim's release itself, bounded on a clock.
@Suite("Run claims: one run at a time, and a bounded wait for the one in progress")
struct RunClaimsTests {
    @Test("a second claim is refused (75) while the first is held; a wait returns once it is released, also when released first")
    func waitEndsAtRelease() async throws {
        let claims = RunClaims()
        #expect(await claims.released(within: .seconds(1), clock: VirtualClock()), "nothing held: free at once")
        let claim = try claims.claim("litellm-master-key")
        #expect(throws: ServiceProblem.self) { try claims.claim("azure-api-key") }
        // The waiter starts before the release or after it; either way it sees the release (and
        // not the end of its bound: that would answer false, after a minute).
        async let waited = claims.released(within: .seconds(60))
        claim.release()
        #expect(await waited)
        #expect(claims.current == nil)
        claim.release() // a second release does nothing
        _ = try claims.claim("azure-api-key")
    }

    @Test("a claim never released: the wait gives up at its bound on the clock, the claim still held")
    func waitIsBounded() async throws {
        let claims = RunClaims()
        let claim = try claims.claim("litellm-master-key")
        let clock = VirtualClock()
        #expect(await claims.released(within: .seconds(60), clock: clock) == false)
        #expect(clock.elapsed == .seconds(60))
        #expect(claims.current == "litellm-master-key")
        claim.release()
    }

    @Test("an incident's hold: its lanes claim credentials side by side, nothing else starts while it is held (75), and a wait ends when the hold goes, not when one lane's claim does")
    func incidentHold() async throws {
        let claims = RunClaims()
        let single = try claims.claim("litellm-master-key")
        #expect(throws: ServiceProblem.self, "no incident while a run holds the process") { try claims.hold() }
        single.release()

        let hold = try claims.hold()
        let azure = try hold.claim("azure-api-key")
        let gemini = try hold.claim("gemini-api-key")
        #expect(claims.holds("azure-api-key") && claims.holds("gemini-api-key"))
        #expect(throws: ServiceProblem.self, "the same credential twice") { try hold.claim("azure-api-key") }
        let refused = #expect(throws: ServiceProblem.self) { try claims.claim("openai-api-key") }
        #expect(refused?.code == .busy)
        #expect(throws: ServiceProblem.self, "one incident at a time") { try claims.hold() }

        azure.release()
        gemini.release()
        #expect(claims.current == nil && !claims.holds("azure-api-key"))
        #expect(throws: ServiceProblem.self, "between two of the incident's runs, still held") { try claims.claim("openai-api-key") }
        let clock = VirtualClock()
        #expect(await claims.released(within: .seconds(5), clock: clock) == false, "held without a run in progress is still held")
        async let waited = claims.released(within: .seconds(60))
        hold.release()
        #expect(await waited)
        #expect(throws: ServiceProblem.self, "a released hold claims nothing") { try hold.claim("azure-api-key") }
        _ = try claims.claim("openai-api-key")
    }
}
