import Foundation
import LockstepCore
import Testing

@Suite struct CredentialStatusTests {
    func policy(source: RotationPolicy.Source, every: String = "30d", maxAge: String? = "35d") -> RotationPolicy {
        RotationPolicy(name: "k", credential: try! CredentialName("k"), kind: source == .manual ? .providerKey : .litellmMasterKey, source: source,
                       schedule: RotationSchedule(trigger: .every(PolicyDuration(every)!)), maxAge: maxAge.flatMap(PolicyDuration.init),
                       strategy: source == .manual ? .rolling : .restartTogether, gateway: nil, targets: [], rollouts: [], checks: .init(newKeyAccepted: true, oldKeyRefused: false))
    }

    let now = Timestamp(rfc3339: "2026-11-29T10:00:00Z")!
    func daysAgo(_ d: Int64) -> Timestamp { Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch - d * 86_400_000) }

    @Test func statesFollowAgeScheduleAndSource() {
        let gen = policy(source: .generate(prefix: "sk-", randomBytes: 32))
        #expect(CredentialStatus.evaluate(credential: "k", policy: gen, currentVersion: 3, currentSince: daysAgo(10), lastOutcome: "succeeded", runInProgress: false, now: now).state == .ok)
        let due = CredentialStatus.evaluate(credential: "k", policy: gen, currentVersion: 3, currentSince: daysAgo(31), lastOutcome: nil, runInProgress: false, now: now)
        #expect(due.state == .due && due.ageSeconds == 31 * 86_400 && due.nextDue == daysAgo(1))
        #expect(CredentialStatus.evaluate(credential: "k", policy: gen, currentVersion: 3, currentSince: daysAgo(40), lastOutcome: nil, runInProgress: false, now: now).state == .overdue)
        #expect(CredentialStatus.evaluate(credential: "k", policy: policy(source: .manual), currentVersion: 1, currentSince: daysAgo(31), lastOutcome: nil, runInProgress: false, now: now).state == .waitingForValue)
        #expect(CredentialStatus.evaluate(credential: "k", policy: gen, currentVersion: 3, currentSince: daysAgo(31), lastOutcome: nil, runInProgress: true, now: now).state == .rotating)
        #expect(CredentialStatus.evaluate(credential: "k", policy: nil, currentVersion: 1, currentSince: daysAgo(1), lastOutcome: nil, runInProgress: false, now: now).state == .noPolicy)
        #expect(CredentialStatus.evaluate(credential: "k", policy: gen, currentVersion: nil, currentSince: nil, lastOutcome: nil, runInProgress: false, now: now).state == .notAdopted)
    }
}
