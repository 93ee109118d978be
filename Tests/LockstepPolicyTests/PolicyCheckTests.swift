import Foundation
import LockstepCore
@testable import LockstepPolicy
import Testing

let validMasterKey = """
apiVersion: lockstep/v1
kind: RotationPolicy
metadata: {name: litellm-master-key}
spec:
  credential: {kind: litellm-master-key, generate: {prefix: "sk-", randomBytes: 32}}
  schedule:
    every: 30d
    window: {days: [Tue, Wed, Thu], from: "02:00", to: "05:00", timeZone: Europe/Zurich}
    jitter: 30m
  maxAge: 35d
  strategy: restart-together
  gateway: {url: "http://litellm.litellm-system.svc.cluster.local:4000"}
  targets:
    - secret: {namespace: unique, name: chat-backend-litellm, key: LITELLM_API_KEY}
    - secret: {namespace: litellm-system, name: litellm-masterkey, key: masterkey}
  rollouts:
    - deployment: {namespace: unique, name: backend-service-chat}
    - deployment: {namespace: litellm-system, name: litellm}
  checks: {newKeyAccepted: true, oldKeyRefused: true}
"""

func check(_ text: String) -> [PolicyProblem] { PolicyLoader.parse(text, file: "p.yaml").problems }

/// The one problem a broken policy should produce, at its line and column.
func single(_ text: String) -> PolicyProblem? {
    let problems = check(text)
    #expect(problems.count == 1, "\(problems)")
    return problems.first
}

@Suite struct PolicyCheckTests {
    @Test func validPolicyParsesCompletely() throws {
        let parsed = PolicyLoader.parse(validMasterKey, file: "p.yaml")
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        let p = try #require(parsed.policies.first?.0)
        #expect(p.credential.rawValue == "litellm-master-key" && p.kind == .litellmMasterKey)
        #expect(p.source == .generate(prefix: "sk-", randomBytes: 32))
        #expect(p.strategy == .restartTogether)
        #expect(p.targets.count == 2 && p.rollouts.count == 2)
        #expect(p.schedule?.window?.weekdays == [3, 4, 5])
        #expect(p.schedule?.jitter == PolicyDuration("30m"))
        #expect(p.maxAge == PolicyDuration("35d"))
        #expect(p.checks == RotationPolicy.Checks(newKeyAccepted: true, oldKeyRefused: true))
    }

    @Test func unknownFieldWithPositionAndSuggestion() {
        let p = single(validMasterKey.replacingOccurrences(of: "    every: 30d", with: "    evrey: 30d\n    every: 30d"))
        #expect(p?.line == 7 && p?.column == 5)
        #expect(p?.message == "unknown field \"evrey\" in spec.schedule")
        #expect(p?.hint == "did you mean \"every\"?")
    }

    @Test func badDuration() {
        let p = single(validMasterKey.replacingOccurrences(of: "every: 30d", with: "every: 30 days"))
        #expect(p?.line == 7 && p?.column == 12)
        #expect(p?.message.contains("is not a duration") == true)
    }

    @Test func badCron() {
        let p = single(validMasterKey.replacingOccurrences(of: "every: 30d", with: "cron: \"0 25 * * *\""))
        #expect(p?.message.contains("bad cron expression") == true && p?.message.contains("hour") == true)
    }

    @Test func windowThatEndsBeforeItStarts() {
        let p = single(validMasterKey.replacingOccurrences(of: "to: \"05:00\"", with: "to: \"01:00\""))
        #expect(p?.message.contains("ends (01:00) before it starts (02:00)") == true)
        #expect(p?.hint == "to end on the next day, write to: \"01:00+1d\"")
        #expect(check(validMasterKey.replacingOccurrences(of: "to: \"05:00\"", with: "to: \"01:00+1d\"")).isEmpty)
    }

    @Test func unknownTimeZone() {
        let p = single(validMasterKey.replacingOccurrences(of: "Europe/Zurich", with: "Europe/Zurch"))
        #expect(p?.message == "unknown time zone \"Europe/Zurch\"")
    }

    @Test func targetListedTwice() {
        let text = validMasterKey.replacingOccurrences(of: "    - secret: {namespace: litellm-system, name: litellm-masterkey, key: masterkey}",
                                                       with: "    - secret: {namespace: litellm-system, name: litellm-masterkey, key: masterkey}\n    - secret: {namespace: litellm-system, name: litellm-masterkey, key: masterkey}")
        let p = single(text)
        #expect(p?.message.contains("listed twice (first at line 15)") == true)
        #expect(p?.line == 16)
    }

    @Test func rolloutThatReadsNoneOfTheTargets() {
        let p = single(validMasterKey.replacingOccurrences(of: "{namespace: unique, name: backend-service-chat}", with: "{namespace: other, name: backend-service-chat}"))
        #expect(p?.message == "rollout other/backend-service-chat reads none of the targets: no target Secret is in namespace other")
    }

    @Test func credentialDefinedTwiceAcrossFiles() throws {
        let dir = NSTemporaryDirectory() + "policies-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try validMasterKey.write(toFile: dir + "/a.yaml", atomically: true, encoding: .utf8)
        try validMasterKey.write(toFile: dir + "/b.yaml", atomically: true, encoding: .utf8)
        let result = PolicyLoader.load(directory: dir)
        #expect(result.policies.count == 1)
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.message == "credential litellm-master-key is defined twice (first in \(dir)/a.yaml:1)")
    }

    @Test func everyProblemIsReportedNotJustTheFirst() {
        let text = validMasterKey
            .replacingOccurrences(of: "every: 30d", with: "every: soon")
            .replacingOccurrences(of: "Europe/Zurich", with: "Mars/Olympus")
            .replacingOccurrences(of: "strategy: restart-together", with: "strategy: restart-togther")
        let problems = check(text)
        #expect(problems.count == 3)
        #expect(problems.contains { $0.hint == "did you mean \"restart-together\"?" })
    }

    @Test func yamlSyntaxErrorIsLocated() {
        let p = single("apiVersion: lockstep/v1\nkind: [unclosed\n")
        #expect(p?.message.hasPrefix("YAML syntax:") == true)
        #expect((p?.line ?? 0) >= 2)
    }

    @Test func sourceAndStrategyRules() {
        #expect(single(validMasterKey.replacingOccurrences(of: ", generate: {prefix: \"sk-\", randomBytes: 32}}", with: "}"))?.message.contains("needs a source") == true)
        #expect(single(validMasterKey.replacingOccurrences(of: "strategy: restart-together", with: "strategy: rolling"))?.message.contains("exactly one master key") == true)
        #expect(single(validMasterKey.replacingOccurrences(of: "strategy: restart-together", with: "strategy: bridge").replacingOccurrences(of: "prefix: \"sk-\"", with: "prefix: \"mk-\""))?.message.contains("must start with \"sk-\"") == true)
        let provider = validMasterKey
            .replacingOccurrences(of: "litellm-master-key, generate: {prefix: \"sk-\", randomBytes: 32}}", with: "provider-key, manual: {}}")
            .replacingOccurrences(of: "strategy: restart-together", with: "strategy: rolling")
        #expect(single(provider)?.message.contains("needs spec.gateway.models") == true)
        #expect(check(provider.replacingOccurrences(of: "cluster.local:4000\"}", with: "cluster.local:4000\", models: [gpt-4o]}")).isEmpty)
    }

    @Test func shippedExamplePoliciesAreValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let result = PolicyLoader.load(directory: root + "/policies")
        #expect(result.problems.isEmpty, "\(result.problems)")
        #expect(Set(result.policies.map(\.credential.rawValue)) == ["litellm-master-key", "azure-api-key", "anthropic-api-key", "gemini-api-key", "openai-api-key"])
    }
}
