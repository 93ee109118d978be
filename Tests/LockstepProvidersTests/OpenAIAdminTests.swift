import AsyncHTTPClient
import Foundation
import Hummingbird
import LockstepBench
import LockstepCore
import LockstepCrypto
import LockstepProviders
import LockstepTesting
import Logging
import Testing

/// The OpenAI adapter against the fake's documented shapes (docs/providers.md): a service account
/// minted with its key, the old key's service account deleted and the old key refused by the data
/// plane; keys found by their redacted form; refusals explained; 429 and 5xx retried within bounds.
@Suite("OpenAI key source against the fake Admin API")
struct OpenAIAdminTests {
    static let project = "proj_gateway"
    static let oldKey = "sk-svcacct-gatewayoldAAAAAAAAAAAAAAAAAAAAold1"
    static let personKey = "sk-proj-personalCCCCCCCCCCCCCCCCCCCCCCCCCCper3"
    static let admin = "sk-admin-fakeadminkey00000000000000000000001"

    /// Runs `body` with a fake project holding `lines` (`KEY_ID OWNER VALUE NAME`).
    func withProject(_ lines: [String], _ body: (_ url: String, _ state: String, _ clock: VirtualClock) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("openai-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("keys").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: state, atomically: true, encoding: .utf8)
        let fake = FakeOpenAI(project: Self.project, stateFile: state, adminKeys: [Self.admin])
        let router = FakeProvider(keys: KeyRing(), openai: fake).router()
        fake.register(on: router)
        var logger = Logger(label: "fake-openai")
        logger.logLevel = .error
        let server = try await BenchServer.start(router, port: 0, name: "fake-openai", logger: logger)
        do { try await body("http://127.0.0.1:\(server.port)", state, VirtualClock()) } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    func source(_ url: String, admin: String = OpenAIAdminTests.admin, project: String = OpenAIAdminTests.project, clock: VirtualClock) throws -> OpenAIKeySource {
        let p = OpenAIProject(project: project, adminKey: try CredentialName("openai-admin"), serviceAccountPrefix: "lockstep-gw", baseURL: url)
        let client = OpenAIAdminClient(project: p, adminKey: try SecretBytes(utf8: admin),
                                       retry: RetryPolicy(attempts: 5, initialDelay: .seconds(1), maxDelay: .seconds(30), clock: clock), timeout: .seconds(5))
        return OpenAIKeySource(project: p, client: client, refusal: RefusalChecks(count: 3, pause: .seconds(1), clock: clock),
                               now: { Date(timeIntervalSince1970: 1_767_603_600) })
    }

    /// What the fake's data plane answers `key` on `GET /v1/models`.
    func dataPlane(_ url: String, _ key: String) async throws -> Int {
        var request = HTTPClientRequest(url: url + "/v1/models")
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        return Int(try await HTTPClient.shared.execute(request, timeout: .seconds(5)).status.code)
    }

    func values(_ state: String) throws -> [String] {
        try KeyRing.parseFile(String(contentsOfFile: state, encoding: .utf8)).map { String($0.split(separator: " ")[2]) }
    }

    @Test("the redacted form fits a value by its head and tail, and nothing shorter")
    func redacted() throws {
        let key = OpenAIAdminClient.Key(id: "key_1", name: "Secret Key", redactedValue: "sk-svc...old1", serviceAccount: "svc_acct_1")
        #expect(try concealed { key.fits(try SecretBytes(utf8: Self.oldKey)) })
        #expect(try concealed { !key.fits(try SecretBytes(utf8: Self.personKey)) })
        #expect(try concealed { !key.fits(try SecretBytes(utf8: "sk-svold1")) }, "too short to hold both ends")
    }

    @Test("mint: a service account named after the prefix and the time, its key accepted by the data plane while the old one still is; retire: the old service account deleted and its key refused (401); again: nothing more to do")
    func mintsAndRetires() async throws {
        try await withProject(["key_old svc_acct_old \(Self.oldKey) lockstep-gw-20251001-090000", "key_person user_ana \(Self.personKey) Ana's laptop"]) { url, state, clock in
            let source = try source(url, clock: clock)
            let old = try SecretBytes(utf8: Self.oldKey)
            #expect(try await source.preflight(current: old) == "OpenAI key key_old (Secret Key), service account svc_acct_old of project proj_gateway is the current value")
            let new = try await source.mint(replacing: old)
            let newText = new.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
            let lines = try String(contentsOfFile: state, encoding: .utf8)
            #expect(lines.contains(" lockstep-gw-20260105-090000\n"), "named PREFIX-yyyyMMdd-HHmmss (UTC)")
            let (newBefore, oldBefore) = (try await dataPlane(url, newText), try await dataPlane(url, Self.oldKey))
            #expect(newBefore == 200 && oldBefore == 200, "both work while the gateway rolls")

            let done = try await source.retire(old, keeping: new)
            #expect(done == "service account svc_acct_old (owner of key key_old) deleted; OpenAI refuses it")
            let (oldAfter, newAfter, person) = (try await dataPlane(url, Self.oldKey), try await dataPlane(url, newText), try await dataPlane(url, Self.personKey))
            #expect(oldAfter == 401 && newAfter == 200 && person == 200)
            #expect(try concealed { try values(state) == [Self.personKey, newText] }, "the person's key is untouched")
            #expect(try await source.retire(old, keeping: new) == "the old key was no longer a key of proj_gateway; OpenAI refuses it")
            #expect(clock.elapsed == .zero, "refused at the first check")
        }
    }

    @Test("a key a person owns is deleted by itself (DELETE …/api_keys/{id}); a second key of the current service account too, without deleting the account")
    func deletesKeysAlone() async throws {
        let second = "sk-svcacct-secondkeyDDDDDDDDDDDDDDDDDDDDsec4"
        try await withProject(["key_person user_ana \(Self.personKey) Ana's laptop", "key_cur svc_acct_cur \(Self.oldKey) gateway", "key_two svc_acct_cur \(second) gateway"]) { url, state, clock in
            let source = try source(url, clock: clock)
            let current = try SecretBytes(utf8: Self.oldKey)
            #expect(try await source.retire(try SecretBytes(utf8: Self.personKey), keeping: current) == "key key_person deleted; OpenAI refuses it")
            #expect(try await source.retire(try SecretBytes(utf8: second), keeping: current) == "key key_two deleted; OpenAI refuses it")
            #expect(try concealed { try values(state) == [Self.oldKey] })
        }
    }

    @Test("refused before anything changes: a project key as the admin key (403), a wrong admin key (401), another project (404), no key fitting the current value, two keys fitting it")
    func refusals() async throws {
        try await withProject(["key_old svc_acct_old \(Self.oldKey) gw", "key_twin svc_acct_twin sk-svcacct-twinZZZZZZZZZZZZZZZZZZZZZZZZZZold1 gw2"]) { url, state, clock in
            let old = try SecretBytes(utf8: Self.oldKey)
            let before = try String(contentsOfFile: state, encoding: .utf8)
            let project = await #expect(throws: ProviderError.self) { _ = try await source(url, admin: Self.oldKey, clock: clock).preflight(current: old) }
            #expect(project?.code == .forbidden && project?.description.contains("Admin API key (sk-admin-") == true && project?.description.contains("openai-admin") == true)
            #expect(concealed { project?.description.contains(Self.oldKey) == false })
            let wrong = await #expect(throws: ProviderError.self) { _ = try await source(url, admin: "sk-admin-wrong", clock: clock).preflight(current: old) }
            #expect(wrong?.code == .unauthorized && wrong?.description.contains("invalid_api_key") == true && wrong?.description.contains("openai-admin") == true)
            let elsewhere = await #expect(throws: ProviderError.self) { _ = try await source(url, project: "proj_other", clock: clock).preflight(current: old) }
            #expect(elsewhere?.code == .notFound && elsewhere?.description.contains("proj_other") == true)
            let stranger = await #expect(throws: ProviderError.self) { _ = try await source(url, clock: clock).preflight(current: try SecretBytes(utf8: Self.personKey)) }
            #expect(stranger?.code == .mismatch && stranger?.description.contains("no API key of project proj_gateway fits") == true)
            let twins = await #expect(throws: ProviderError.self) { _ = try await source(url, clock: clock).preflight(current: old) }
            #expect(twins?.code == .mismatch && twins?.description.contains("2 API keys of project proj_gateway fit") == true)
            #expect(try String(contentsOfFile: state, encoding: .utf8) == before, "nothing created or deleted")
            #expect(clock.elapsed == .zero, "refusals are final: not retried")
        }
    }

    @Test("more keys than one page: the list follows has_more and last_id")
    func pages() async throws {
        let others = (1...150).map { String(format: "key_%03d svc_acct_%03d sk-svcacct-filler%024dx%03d filler", $0, $0, $0, $0) }
        try await withProject(others + ["key_old svc_acct_old \(Self.oldKey) gw"]) { url, _, clock in
            let found = try await source(url, clock: clock).preflight(current: try SecretBytes(utf8: Self.oldKey))
            #expect(found.contains("key_old"), "found on the second page")
        }
    }

    @Test("429 with Retry-After three times: waited 3 × 2 s as told, then created; a 5xx storm gives up after 5 attempts with backoff 1+2+4+8 s, nothing created")
    func throttlingAndStorms() async throws {
        try await withProject(["key_old svc_acct_old \(Self.oldKey) gw"]) { url, state, clock in
            let old = try SecretBytes(utf8: Self.oldKey)
            try await injectFault(url + "/fake/openai/faults", status: 429, count: 3, retryAfter: 2)
            _ = try await source(url, clock: clock).mint(replacing: old)
            #expect(clock.elapsed == .seconds(6), "Retry-After honoured: \(clock.elapsed)")
            #expect(try values(state).count == 2)

            let storm = VirtualClock()
            try await injectFault(url + "/fake/openai/faults", status: 503, count: 50, retryAfter: nil)
            let error = await #expect(throws: ProviderError.self) { _ = try await source(url, clock: storm).mint(replacing: old) }
            #expect(error?.code == .unavailable && error?.status == 503)
            #expect(storm.elapsed == .seconds(15), "exponential backoff within the bound: \(storm.elapsed)")
            #expect(try values(state).count == 2, "nothing more created")
        }
    }
}
