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

/// The Google adapter against the fake's documented shapes (docs/providers.md): a service
/// account's JSON key exchanged for a token (RS256 JWT bearer grant), a key minted with the
/// restrictions of the key in use (a long-running operation, polled), the old key deleted and
/// refused by the Gemini data plane (400 API_KEY_INVALID); refusals explained before anything
/// changes; 429 and 5xx retried within bounds.
@Suite("Google key source against the fake API Keys API")
struct GoogleKeysTests {
    static let project = "gw-project"
    static let oldKey = "AIzaSyOLDgatewayKEY000000000000000000old"
    static let otherKey = "AIzaSyMAPSfrontendKEY0000000000000000map"
    static let gemini = "generativelanguage.googleapis.com"

    struct Fake {
        let url: String
        let state: String
        let admin: String
        let viewer: String
        let stranger: String
    }

    /// Runs `body` with a fake project holding `lines` (`KEY_ID STATE VALUE SERVICE NAME`), an
    /// admin and a viewer service account, and the JSON key of one the fake does not know.
    func withProject(_ lines: [String], _ body: (Fake, VirtualClock) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("google-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("keys").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: state, atomically: true, encoding: .utf8)
        let admin = try FakeGoogle.ServiceAccount(email: "lockstep@gw-project.iam.gserviceaccount.com", role: "admin")
        let viewer = try FakeGoogle.ServiceAccount(email: "auditor@gw-project.iam.gserviceaccount.com", role: "viewer")
        let stranger = try FakeGoogle.ServiceAccount(email: "gone@gw-project.iam.gserviceaccount.com", role: "admin")
        let fake = FakeGoogle(project: Self.project, projectNumber: "123456789012", stateFile: state,
                              accounts: try FakeGoogle.parseAccounts(admin.line + "\n" + viewer.line + "\n"))
        let router = FakeProvider(keys: KeyRing()).router()
        fake.register(on: router)
        var logger = Logger(label: "fake-google")
        logger.logLevel = .error
        let server = try await BenchServer.start(router, port: 0, name: "fake-google", logger: logger)
        let url = "http://127.0.0.1:\(server.port)"
        do {
            try await body(Fake(url: url, state: state, admin: try admin.json(baseURL: url), viewer: try viewer.json(baseURL: url), stranger: try stranger.json(baseURL: url)), VirtualClock())
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    func source(_ fake: Fake, json: String? = nil, project: String = GoogleKeysTests.project, clock: VirtualClock) throws -> GoogleKeySource {
        let p = GoogleProject(project: project, serviceAccountKey: try CredentialName("google-admin"), keyPrefix: "lockstep-gw", baseURL: fake.url)
        let client = try GoogleKeysClient(project: p, serviceAccountKey: try SecretBytes(utf8: json ?? fake.admin),
                                          retry: RetryPolicy(attempts: 5, initialDelay: .seconds(1), maxDelay: .seconds(30), clock: clock), timeout: .seconds(5))
        return GoogleKeySource(project: p, client: client, refusal: RefusalChecks(count: 3, pause: .seconds(1), clock: clock),
                               now: { Date(timeIntervalSince1970: 1_767_603_600) })
    }

    /// What the fake's Gemini data plane answers `key` on `POST …:generateContent`.
    func dataPlane(_ url: String, _ key: String) async throws -> Int {
        var request = HTTPClientRequest(url: url + "/v1beta/models/gemini-2.0-flash:generateContent")
        request.method = .POST
        request.headers.add(name: "x-goog-api-key", value: key)
        request.body = .bytes(ByteBuffer(string: #"{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}"#))
        return Int(try await HTTPClient.shared.execute(request, timeout: .seconds(5)).status.code)
    }

    /// The state file's lines as fields.
    func keys(_ state: String) throws -> [[String]] {
        try KeyRing.parseFile(String(contentsOfFile: state, encoding: .utf8)).map { $0.split(separator: " ", maxSplits: 4).map(String.init) }
    }

    @Test("mint: a key named after the prefix and the time, with the old key's API restriction, accepted while the old one still is (its operation polled once); retire: the old key deleted and refused (400 API_KEY_INVALID); again: nothing more to do")
    func mintsAndRetires() async throws {
        try await withProject(["gw-old active \(Self.oldKey) \(Self.gemini) Gateway 2025", "maps active \(Self.otherKey) - Maps frontend"]) { fake, clock in
            let source = try source(fake, clock: clock)
            let old = try SecretBytes(utf8: Self.oldKey)
            #expect(try await source.preflight(current: old) == "Google key gw-old (Gateway 2025) of project gw-project is the current value")
            let new = try await source.mint(replacing: old)
            #expect(clock.elapsed == .seconds(1), "the create operation was polled once, a pause apart: \(clock.elapsed)")
            let newText = new.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
            let minted = try #require(try keys(fake.state).last)
            #expect(minted[0].hasPrefix("lockstep-gw-20260105-090000-") && minted[0].count == "lockstep-gw-20260105-090000-abcd".count, "PREFIX-yyyyMMdd-HHmmss-hex (UTC): \(minted[0])")
            #expect(minted[1] == "active" && minted[3] == Self.gemini, "the restriction of the key in use is copied")
            #expect(concealed { minted[2] == newText })
            let (newBefore, oldBefore) = (try await dataPlane(fake.url, newText), try await dataPlane(fake.url, Self.oldKey))
            #expect(newBefore == 200 && oldBefore == 200, "both work while the gateway rolls")

            let done = try await source.retire(old, keeping: new)
            #expect(done == "key gw-old (Gateway 2025) deleted (it can be undeleted for 30 days); the Gemini API refuses it")
            let (oldAfter, newAfter, maps) = (try await dataPlane(fake.url, Self.oldKey), try await dataPlane(fake.url, newText), try await dataPlane(fake.url, Self.otherKey))
            #expect(oldAfter == 400 && newAfter == 200 && maps == 200)
            #expect(try keys(fake.state).map { $0[1] } == ["deleted", "active", "active"], "the other key is untouched; the deleted one is kept (undeletable)")
            #expect(try await source.retire(old, keeping: new) == "the old key was no longer a key of gw-project; the Gemini API refuses it")
            #expect(clock.elapsed == .seconds(1), "refused at the first check")
        }
    }

    @Test("refused before anything changes: a viewer (403, the missing permissions named), an account Google does not know or a forged signature (invalid_grant), not a JSON key, another project (404), no key holding the current value, two keys holding it; no value in any error")
    func refusals() async throws {
        try await withProject(["gw-old active \(Self.oldKey) \(Self.gemini) Gateway", "twin active AIzaSyTWIN0000000000000000000000000000000 - Twin"]) { fake, clock in
            let old = try SecretBytes(utf8: Self.oldKey)
            let before = try String(contentsOfFile: fake.state, encoding: .utf8)
            var errors: [ProviderError] = []
            let viewer = await #expect(throws: ProviderError.self) { _ = try await source(fake, json: fake.viewer, clock: clock).preflight(current: old) }
            #expect(viewer?.code == .forbidden && viewer?.description.contains("lacks apikeys.keys.getKeyString, apikeys.keys.create, apikeys.keys.delete on project gw-project") == true)
            #expect(viewer?.description.contains("roles/serviceusage.apiKeysAdmin") == true)
            let stranger = await #expect(throws: ProviderError.self) { _ = try await source(fake, json: fake.stranger, clock: clock).preflight(current: old) }
            #expect(stranger?.code == .unauthorized && stranger?.description.contains("invalid_grant") == true && stranger?.description.contains("google-admin") == true)
            let forged = try FakeGoogle.ServiceAccount(email: "lockstep@gw-project.iam.gserviceaccount.com", role: "admin").json(baseURL: fake.url)
            let signature = await #expect(throws: ProviderError.self) { _ = try await source(fake, json: forged, clock: clock).preflight(current: old) }
            #expect(signature?.code == .unauthorized && signature?.description.contains("invalid_grant") == true, "the admin's email with another private key")
            let notJSON = #expect(throws: ProviderError.self) { _ = try source(fake, json: "AIzaSy-an-api-key-not-a-json-key", clock: clock) }
            #expect(notJSON?.code == .unauthorized && notJSON?.description.contains("not a Google service account's JSON key") == true)
            let elsewhere = await #expect(throws: ProviderError.self) { _ = try await source(fake, project: "other-project", clock: clock).preflight(current: old) }
            #expect(elsewhere?.code == .notFound && elsewhere?.description.contains("other-project") == true)
            let unknown = await #expect(throws: ProviderError.self) { _ = try await source(fake, clock: clock).preflight(current: try SecretBytes(utf8: Self.otherKey)) }
            #expect(unknown?.code == .mismatch && unknown?.description.contains("no API key of project gw-project holds the current value") == true)
            try String(before.replacingOccurrences(of: "AIzaSyTWIN0000000000000000000000000000000", with: Self.oldKey)).write(toFile: fake.state, atomically: true, encoding: .utf8)
            let twins = await #expect(throws: ProviderError.self) { _ = try await source(fake, clock: clock).preflight(current: old) }
            #expect(twins?.code == .mismatch && twins?.description.contains("2 API keys of project gw-project hold the current value") == true)
            errors = [viewer, stranger, signature, notJSON, elsewhere, unknown, twins].compactMap { $0 }
            #expect(errors.count == 7)
            for error in errors {
                #expect(concealed { !error.description.contains(Self.oldKey) && !error.description.contains(Self.otherKey) && !error.description.contains("PRIVATE KEY") })
            }
            #expect(try keys(fake.state).count == 2 && keys(fake.state).allSatisfy { $0[1] == "active" }, "nothing created or deleted")
            #expect(clock.elapsed == .zero, "refusals are final: not retried")
        }
    }

    @Test("a JSON key a person got wrong is refused before any call, naming the vault credential and the field, never a value: an http token_uri off this machine, a private key that is not RSA PEM, no client_email, not a service account's key")
    func malformedJSONKeys() throws {
        let good = try FakeGoogle.ServiceAccount(email: "lockstep@gw-project.iam.gserviceaccount.com", role: "admin").json(baseURL: "http://127.0.0.1:9")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(good.utf8)) as? [String: Any])
        let pem = try #require(object["private_key"] as? String)
        func refusal(_ change: ([String: Any]) -> [String: Any]) throws -> ProviderError? {
            let text = String(decoding: try JSONSerialization.data(withJSONObject: change(object)), as: UTF8.self)
            let p = GoogleProject(project: Self.project, serviceAccountKey: try CredentialName("google-admin"))
            return #expect(throws: ProviderError.self) { _ = try GoogleKeysClient(project: p, serviceAccountKey: try SecretBytes(utf8: text)) }
        }
        let cases: [(String, ([String: Any]) -> [String: Any])] = [
            ("token_uri of the vault credential google-admin must be an https URL", { var o = $0; o["token_uri"] = "http://oauth2.example.com/token"; return o }),
            ("private_key of the vault credential google-admin is not an RSA private key in PEM", { var o = $0; o["private_key"] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"; return o }),
            ("(no client_email)", { var o = $0; o["client_email"] = nil; return o }),
            ("not a Google service account's JSON key (no \"type\": \"service_account\")", { var o = $0; o["type"] = "authorized_user"; return o }),
        ]
        for (said, change) in cases {
            let error = try refusal(change)
            #expect(error?.code == .unauthorized && error?.description.contains(said) == true, "\(error?.description ?? "no error")")
            #expect(concealed { error?.description.contains(pem.dropFirst(40).prefix(40)) == false })
        }
        object["token_uri"] = "https://oauth2.googleapis.com/token"
        let https = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        #expect(throws: Never.self, "Google's own https token_uri is accepted") {
            _ = try GoogleKeysClient(project: GoogleProject(project: Self.project, serviceAccountKey: try CredentialName("google-admin")), serviceAccountKey: try SecretBytes(utf8: https))
        }
    }

    @Test("more keys than one page (300): the list follows nextPageToken")
    func pages() async throws {
        let others = (1...310).map { String(format: "filler-%03d active AIzaSyFILLER%026d%03d - Filler", $0, $0, $0) }
        try await withProject(others + ["gw-old active \(Self.oldKey) - Gateway"]) { fake, clock in
            let found = try await source(fake, clock: clock).preflight(current: try SecretBytes(utf8: Self.oldKey))
            #expect(found.contains("gw-old"), "found on the second page")
        }
    }

    @Test("429 with Retry-After three times: waited 3 × 2 s as told (and 1 s for the operation), then created; a 5xx storm gives up after 5 attempts with backoff 1+2+4+8 s, nothing created")
    func throttlingAndStorms() async throws {
        try await withProject(["gw-old active \(Self.oldKey) - Gateway"]) { fake, clock in
            let old = try SecretBytes(utf8: Self.oldKey)
            try await injectFault(fake.url + "/fake/google/faults", status: 429, count: 3, retryAfter: 2)
            _ = try await source(fake, clock: clock).mint(replacing: old)
            #expect(clock.elapsed == .seconds(7), "Retry-After honoured: \(clock.elapsed)")
            #expect(try keys(fake.state).count == 2)

            let storm = VirtualClock()
            try await injectFault(fake.url + "/fake/google/faults", status: 503, count: 50, retryAfter: nil)
            let error = await #expect(throws: ProviderError.self) { _ = try await source(fake, clock: storm).mint(replacing: old) }
            #expect(error?.code == .unavailable && error?.status == 503)
            #expect(storm.elapsed == .seconds(15), "exponential backoff within the bound: \(storm.elapsed)")
            #expect(try keys(fake.state).count == 2, "nothing more created")
        }
    }
}
