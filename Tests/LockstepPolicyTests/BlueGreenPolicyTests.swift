import Foundation
import LockstepCore
@testable import LockstepPolicy
import Testing

@Suite struct BlueGreenPolicyTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/examples/litellm-blue-green/litellm-master-key.yaml")

    static func text() throws -> String { try String(contentsOf: example, encoding: .utf8) }

    @Test func theShippedExampleParsesCompletely() throws {
        let parsed = PolicyLoader.parse(try Self.text(), file: "bg.yaml")
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        let p = try #require(parsed.policies.first?.0)
        #expect(p.strategy == .blueGreen && p.gateway == nil && p.keyRing == nil)
        let bg = try #require(p.blueGreen)
        #expect(bg.endpointKey == "LITELLM_BASE_URL" && bg.colours.map(\.name) == ["blue", "green"])
        #expect(bg.colours[1].secret == .init(namespace: "litellm-system", name: "litellm-green-masterkey", key: "masterkey"))
        #expect(bg.colour(servingAt: "http://litellm-green.litellm-system.svc.cluster.local:4000") == 1)
        #expect(p.gatewayAddress == bg.colours[0].url, "Service-level calls fall back to a colour's URL")
    }

    @Test func oneColourIsNotEnough() throws {
        let text = try Self.text()
        let start = try #require(text.range(of: "      - name: green"))
        let end = try #require(text.range(of: "  targets:"))
        let problems = check(text.replacingCharacters(in: start.lowerBound..<end.lowerBound, with: ""))
        #expect(problems.contains { $0.message == "the blue-green strategy needs exactly two colours" }, "\(problems)")
    }

    @Test func coloursMustDiffer() throws {
        let problems = check(try Self.text().replacingOccurrences(of: "litellm-green.litellm-system.svc", with: "litellm-blue.litellm-system.svc"))
        #expect(problems.map(\.message) == ["both colours have the same url"], "\(problems)")
    }

    @Test func theEndpointKeyIsNotTheCredentialsKey() throws {
        let problems = check(try Self.text().replacingOccurrences(of: "endpointKey: LITELLM_BASE_URL", with: "endpointKey: LITELLM_API_KEY"))
        #expect(problems.first?.message.hasPrefix("endpointKey LITELLM_API_KEY is the key the credential itself is in") == true, "\(problems)")
        #expect(problems.first?.line == 30, "\(problems)")
    }

    @Test func aColourSecretInAnotherNamespace() throws {
        let problems = check(try Self.text().replacingOccurrences(of: "secret: {namespace: litellm-system, name: litellm-green-masterkey",
                                                                  with: "secret: {namespace: unique, name: litellm-green-masterkey"))
        #expect(problems.map(\.message) == ["colour green: its Secret is in namespace unique, its Deployment in litellm-system"], "\(problems)")
    }

    @Test func blueGreenOnlyWithItsStrategy() throws {
        let problems = check(try Self.text().replacingOccurrences(of: "strategy: blue-green", with: "strategy: restart-together"))
        #expect(problems.contains { $0.message == "spec.blueGreen is only read by the blue-green strategy" }, "\(problems)")
        let missing = check(validMasterKey.replacingOccurrences(of: "strategy: restart-together", with: "strategy: blue-green"))
        #expect(missing.contains { $0.message.contains("blueGreen") }, "\(missing)")
    }
}
