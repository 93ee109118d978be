import Foundation
import Hummingbird
import LockstepBench
import LockstepCore
import LockstepCrypto
import LockstepProviders
import LockstepTesting
import Logging
import Testing

/// The Anthropic adapter against the fake's documented shapes (docs/providers.md): keys found by
/// their hint, the old one set inactive and seen refused at the data plane; refusals explained.
@Suite("Anthropic key source against the fake Admin API")
struct AnthropicAdminTests {
    static let oldKey = "sk-ant-api03-oldkeyAAAAAAAAAAAAAAAAAAAAAAAAold1"
    static let newKey = "sk-ant-api03-newkeyBBBBBBBBBBBBBBBBBBBBBBBBnew2"
    static let admin = "sk-ant-admin01-fakeadminkey0000000000000001"

    /// Runs `body` with a fake organization holding `lines` (`ID STATUS VALUE`).
    func withOrganization(_ lines: [String], _ body: (_ url: String, _ state: String, _ clock: VirtualClock) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("anthropic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("keys").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: state, atomically: true, encoding: .utf8)
        let fake = FakeAnthropic(stateFile: state, adminKeys: [Self.admin])
        let router = FakeProvider(keys: KeyRing(), anthropic: fake).router()
        fake.register(on: router)
        var logger = Logger(label: "fake-anthropic")
        logger.logLevel = .error
        let server = try await BenchServer.start(router, port: 0, name: "fake-anthropic", logger: logger)
        do { try await body("http://127.0.0.1:\(server.port)", state, VirtualClock()) } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    func source(_ url: String, admin: String = AnthropicAdminTests.admin, clock: VirtualClock) throws -> AnthropicKeySource {
        let organization = AnthropicOrganization(adminKey: try CredentialName("anthropic-admin"), baseURL: url)
        let client = AnthropicAdminClient(organization: organization, adminKey: try SecretBytes(utf8: admin),
                                          retry: RetryPolicy(attempts: 3, initialDelay: .seconds(1), maxDelay: .seconds(30), clock: clock), timeout: .seconds(5))
        return AnthropicKeySource(client: client, refusalChecks: 3, refusalPause: .seconds(1), clock: clock)
    }

    @Test("the hint fits a value by its first 15 and last 4 characters, and nothing shorter")
    func hints() throws {
        let key = AnthropicAdminClient.Key(id: "apikey_1", name: "gateway", status: "active", partialKeyHint: "sk-ant-api03-ol...old1")
        #expect(try concealed { key.fits(try SecretBytes(utf8: Self.oldKey)) })
        #expect(try concealed { !key.fits(try SecretBytes(utf8: Self.newKey)) })
        #expect(try concealed { !key.fits(try SecretBytes(utf8: "sk-ant-api03-olold")) }, "too short to hold both ends")
        #expect(try concealed { !AnthropicAdminClient.Key(id: "x", name: "x", status: "active", partialKeyHint: "no-dots").fits(try SecretBytes(utf8: Self.oldKey)) })
    }

    @Test("retire: the old key set inactive and refused by Anthropic, the new one kept; again: nothing more to do")
    func retires() async throws {
        try await withOrganization(["apikey_old active \(Self.oldKey)", "apikey_new active \(Self.newKey)", "apikey_other active sk-ant-api03-otherCCCCCCCCCCCCCCCCCCCCCCCoth3"]) { url, state, clock in
            let source = try source(url, clock: clock)
            let (old, new) = (try SecretBytes(utf8: Self.oldKey), try SecretBytes(utf8: Self.newKey))
            #expect(try await source.preflight(current: old).contains("apikey_old"))
            let done = try await source.retire(old, keeping: new)
            #expect(done == "key apikey_old (apikey_old) set inactive; Anthropic refuses it")
            let text = try String(contentsOfFile: state, encoding: .utf8)
            #expect(concealed { text.contains("apikey_old inactive") && text.contains("apikey_new active") && text.contains("apikey_other active") })
            #expect(try await source.retire(old, keeping: new) == "the old key was no longer active; Anthropic refuses it")
            await #expect(throws: ProviderError.self) { _ = try await source.mint(replacing: new) }
        }
    }

    @Test("refused before anything changes: a regular key as the admin key (403), a wrong admin key (401), no key fitting the current value, two keys fitting it")
    func refusals() async throws {
        try await withOrganization(["apikey_old active \(Self.oldKey)", "apikey_twin active sk-ant-api03-oldkeyZZZZZZZZZZZZZZZZZZZZZZZZold1"]) { url, state, clock in
            let old = try SecretBytes(utf8: Self.oldKey)
            let regular = await #expect(throws: ProviderError.self) { _ = try await source(url, admin: Self.oldKey, clock: clock).preflight(current: old) }
            #expect(regular?.code == .forbidden && regular?.description.contains("Admin API key (sk-ant-admin") == true)
            #expect(concealed { regular?.description.contains(Self.oldKey) == false })
            let wrong = await #expect(throws: ProviderError.self) { _ = try await source(url, admin: "sk-ant-admin01-wrong", clock: clock).preflight(current: old) }
            #expect(wrong?.code == .unauthorized && wrong?.description.contains("anthropic-admin") == true)
            let stranger = await #expect(throws: ProviderError.self) { _ = try await source(url, clock: clock).preflight(current: try SecretBytes(utf8: Self.newKey)) }
            #expect(stranger?.code == .mismatch && stranger?.description.contains("no active key") == true)
            let twins = await #expect(throws: ProviderError.self) { _ = try await source(url, clock: clock).preflight(current: old) }
            #expect(twins?.code == .mismatch && twins?.description.contains("2 active keys fit") == true)
            #expect(try String(contentsOfFile: state, encoding: .utf8).components(separatedBy: " active ").count == 3, "nothing was set inactive")
        }
    }

    @Test("more keys than one page: the list follows has_more and last_id")
    func pages() async throws {
        let others = (1...150).map { String(format: "apikey_%03d active sk-ant-api03-filler%026dx%03d", $0, $0, $0) }
        try await withOrganization(others + ["apikey_old active \(Self.oldKey)", "apikey_new active \(Self.newKey)"]) { url, state, clock in
            let done = try await source(url, clock: clock).retire(try SecretBytes(utf8: Self.oldKey), keeping: try SecretBytes(utf8: Self.newKey))
            #expect(done.contains("apikey_old"), "found on the second page")
        }
    }
}
