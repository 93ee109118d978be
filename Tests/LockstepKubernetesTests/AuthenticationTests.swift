import Foundation
import KubeSim
import LockstepTesting
import Testing
@testable import LockstepKubernetes

@Suite("Authentication against KubeSim over HTTPS")
struct AuthenticationTests {
    static let seed = [K8sFixtures.secret("litellm-masterkey", data: ["masterkey": "sk-live-1"])]

    @Test("bearer token from a kubeconfig")
    func tokenFromKubeconfig() async throws {
        let dir = try makeTempDirectory()
        defer { removeDirectory(dir) }
        try await withKubeSim(seed: Self.seed, configure: {
            $0.tokens = TokenFile(entries: [("tok-kubeconfig-7f3a", UserInfo(name: "lockstep"))])
        }) { sim in
            let configuration = try K8sFixtures.configuration(for: sim, in: dir)
            guard case .token? = configuration.authentication.bearer else { Issue.record("expected a token"); return }
            let secret = try await KubernetesClient.withClient(configuration) { try await $0.getSecret(namespace: "gateway", name: "litellm-masterkey") }
            #expect(secret.keys == ["masterkey"])
            #expect(!"\(configuration)".contains("tok-kubeconfig-7f3a"))
            #expect(!String(reflecting: configuration.authentication).contains("tok-kubeconfig-7f3a"))
        }
    }

    @Test("client certificate from a kubeconfig (certificate and key data)")
    func clientCertificateFromKubeconfig() async throws {
        let dir = try makeTempDirectory()
        defer { removeDirectory(dir) }
        try await withKubeSim(seed: Self.seed) { sim in
            let configuration = try K8sFixtures.configuration(for: sim, in: dir)
            #expect(configuration.authentication.clientCertificate != nil)
            #expect(configuration.authentication.bearer == nil)
            let value = try await KubernetesClient.withClient(configuration) {
                try await $0.readSecretValue(namespace: "gateway", name: "litellm-masterkey", key: "masterkey")
            }
            #expect(value.constantTimeEquals(Array("sk-live-1".utf8)))
            guard case .clientCertificate(_, let keyPEM) = sim.kubeconfig.credential else { Issue.record("no admin key"); return }
            let keyLine = keyPEM.split(separator: "\n")[1]
            #expect(!"\(configuration)".contains(keyLine))
            var dumped = ""
            dump(configuration.authentication, to: &dumped)
            #expect(!dumped.contains(keyLine))
        }
    }

    @Test("a refused token is .unauthorized and the error does not quote it")
    func unknownToken() async throws {
        try await withKubeSim(seed: Self.seed, configure: { $0.tokens = TokenFile(entries: [("tok-good", UserInfo(name: "lockstep"))]) }) { sim in
            var configuration = KubernetesConfiguration(server: sim.url, certificateAuthorityPEM: Array(sim.caPEM!.utf8),
                                                        authentication: Authentication(bearer: .token(Credential("tok-wrong-9c1e"))))
            configuration.retry = .none
            let logs = CapturedLogs()
            let error = await #expect(throws: KubernetesError.self) {
                try await KubernetesClient.withClient(configuration, logger: logs.logger) { try await $0.getSecret(namespace: "gateway", name: "litellm-masterkey") }
            }
            #expect(error?.code == .unauthorized)
            #expect(error?.object == "secret gateway/litellm-masterkey")
            #expect(!"\(String(describing: error))".contains("tok-wrong-9c1e"))
            #expect(logs.all.allSatisfy { !$0.contains("tok-wrong-9c1e") })
        }
    }

    @Test("in cluster: KUBERNETES_SERVICE_HOST/PORT, token, CA and namespace files")
    func inCluster() async throws {
        let dir = try makeTempDirectory()
        defer { removeDirectory(dir) }
        try await withKubeSim(seed: Self.seed, configure: { $0.tokens = TokenFile(entries: [("tok-sa-1", UserInfo(name: "system:serviceaccount:gateway:lockstep"))]) }) { sim in
            _ = try K8sFixtures.writeFile("tok-sa-1\n", named: "token", in: dir)
            _ = try K8sFixtures.writeFile(sim.caPEM!, named: "ca.crt", in: dir)
            _ = try K8sFixtures.writeFile("gateway", named: "namespace", in: dir)
            let env = ["KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": String(sim.port)]
            let configuration = try KubernetesConfiguration.inCluster(environment: env, paths: InClusterPaths(directory: dir.path))
            #expect(configuration.namespace == "gateway")
            #expect(configuration.source == "in-cluster")
            let secret = try await KubernetesClient.withClient(configuration) { try await $0.getSecret(namespace: configuration.namespace, name: "litellm-masterkey") }
            #expect(secret.metadata.name == "litellm-masterkey")
            // load() picks in-cluster when the service host is set (here the default paths do not exist).
            let picked = #expect(throws: KubernetesError.self) { try KubernetesConfiguration.load(environment: env) }
            #expect(picked?.message.contains("ServiceAccount token") == true)
        }
    }

    @Test("the token file is re-read after the refresh interval and after a 401")
    func tokenFileReplaced() async throws {
        let dir = try makeTempDirectory()
        defer { removeDirectory(dir) }
        // old-sa may read only litellm-masterkey; new-sa may also read other; "tok-revoked" is unknown (401).
        let rules = """
            users:
              old-sa:
                - verbs: [get]
                  resources: [secrets]
                  resourceNames: [litellm-masterkey]
              new-sa:
                - verbs: [get]
                  resources: [secrets]
            """
        let seed = Self.seed + [K8sFixtures.secret("other", data: ["k": "v"])]
        try await withKubeSim(seed: seed, configure: {
            $0.tokens = TokenFile(entries: [("tok-old", UserInfo(name: "old-sa")), ("tok-new", UserInfo(name: "new-sa"))])
            $0.rbac = try RBACRules(yaml: rules)
        }) { sim in
            let tokenPath = try K8sFixtures.writeFile("tok-old", named: "token", in: dir)
            let clock = TestClock()
            var configuration = KubernetesConfiguration(server: sim.url, certificateAuthorityPEM: Array(sim.caPEM!.utf8),
                                                        authentication: Authentication(bearer: .tokenFile(tokenPath)))
            configuration.now = clock.closure
            configuration.retry = .none
            let logs = CapturedLogs()
            try await KubernetesClient.withClient(configuration, logger: logs.logger) { client in
                _ = try await client.getSecret(namespace: "gateway", name: "litellm-masterkey")
                await #expect(throws: KubernetesError.self) { try await client.getSecret(namespace: "gateway", name: "other") }

                // Replaced on disk (as the kubelet does): still the cached token until the interval passes.
                _ = try K8sFixtures.writeFile("tok-new", named: "token", in: dir)
                let early = await #expect(throws: KubernetesError.self) { try await client.getSecret(namespace: "gateway", name: "other") }
                #expect(early?.code == .forbidden)
                clock.advance(61)
                _ = try await client.getSecret(namespace: "gateway", name: "other")

                // Now the cached token is revoked-like (unknown to the server) while the file holds a good one:
                // the 401 makes the client read the file again and the request succeeds without waiting.
                _ = try K8sFixtures.writeFile("tok-revoked", named: "token", in: dir)
                clock.advance(61)
                await #expect(throws: KubernetesError.self) { try await client.getSecret(namespace: "gateway", name: "other") }
                _ = try K8sFixtures.writeFile("tok-new", named: "token", in: dir)
                _ = try await client.getSecret(namespace: "gateway", name: "other")
            }
            #expect(logs.all.contains { $0.contains("401") })
            #expect(logs.all.allSatisfy { !$0.contains("tok-old") && !$0.contains("tok-new") && !$0.contains("tok-revoked") })
        }
    }

    @Test("exec plugin: token cached until expirationTimestamp, run again after expiry and after a 401")
    func execPluginToken() async throws {
        let dir = try makeTempDirectory()
        defer { removeDirectory(dir) }
        let clock = TestClock()
        let expiry = MicroTime.formatSeconds(clock.now.addingTimeInterval(300))
        // The first run hands out a token the server refuses, later runs a good one.
        let script = """
            #!/bin/sh
            n=$(cat "$COUNTER" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$COUNTER"
            if [ "$n" = 1 ]; then tok=tok-exec-stale; else tok=tok-exec-good; fi
            printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}' "$tok" "\(expiry)"
            """
        _ = try K8sFixtures.writeFile(script, named: "plugin.sh", in: dir, mode: 0o700)
        let counter = dir.appendingPathComponent("count").path
        try await withKubeSim(seed: Self.seed, configure: { $0.tokens = TokenFile(entries: [("tok-exec-good", UserInfo(name: "lockstep"))]) }) { sim in
            let kubeconfig = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: sim
                  cluster:
                    server: \(sim.url.absoluteString)
                    certificate-authority: ca.pem
                users:
                - name: exec-user
                  user:
                    exec:
                      apiVersion: client.authentication.k8s.io/v1
                      command: ./plugin.sh
                      env:
                      - name: COUNTER
                        value: \(counter)
                contexts:
                - name: sim
                  context: {cluster: sim, user: exec-user, namespace: gateway}
                current-context: sim
                """
            _ = try K8sFixtures.writeFile(sim.caPEM!, named: "ca.pem", in: dir)
            let path = try K8sFixtures.writeFile(kubeconfig, named: "config", in: dir)
            var configuration = try KubernetesConfiguration.kubeconfig(environment: ["KUBECONFIG": path])
            configuration.now = clock.closure
            func runs() -> String { (try? String(contentsOfFile: counter, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "0" }
            let logs = CapturedLogs()
            try await KubernetesClient.withClient(configuration, logger: logs.logger) { client in
                _ = try await client.getSecret(namespace: "gateway", name: "litellm-masterkey")
                #expect(runs() == "2", "stale token refused, plugin run again")
                _ = try await client.getSecret(namespace: "gateway", name: "litellm-masterkey")
                #expect(runs() == "2", "cached until expiry")
                clock.advance(301)
                _ = try await client.getSecret(namespace: "gateway", name: "litellm-masterkey")
                #expect(runs() == "3", "expired credential: plugin run again")
            }
            #expect(logs.all.allSatisfy { !$0.contains("tok-exec") })
        }
    }

    @Test("exec plugin returning a client certificate; a plugin that hangs is killed at its timeout")
    func execPluginCertificateAndTimeout() async throws {
        let dir = try makeTempDirectory()
        defer { removeDirectory(dir) }
        try await withKubeSim(seed: Self.seed) { sim in
            guard case .clientCertificate(let cert, let key) = sim.kubeconfig.credential else { Issue.record("no admin certificate"); return }
            struct Status: Encodable { var clientCertificateData: String; var clientKeyData: String }
            struct Output: Encodable { var apiVersion = "client.authentication.k8s.io/v1beta1"; var kind = "ExecCredential"; var status: Status }
            let json = String(decoding: try JSONEncoder().encode(Output(status: Status(clientCertificateData: cert, clientKeyData: key))), as: UTF8.self)
            _ = try K8sFixtures.writeFile(json, named: "credential.json", in: dir)
            let plugin = try K8sFixtures.writeFile("#!/bin/sh\ncat \"$(dirname \"$0\")/credential.json\"\n", named: "cert-plugin.sh", in: dir, mode: 0o700)
            var configuration = KubernetesConfiguration(server: sim.url, certificateAuthorityPEM: Array(sim.caPEM!.utf8), authentication: Authentication(
                bearer: .exec(ExecPluginConfiguration(apiVersion: "client.authentication.k8s.io/v1beta1", command: plugin))))
            configuration.retry = .none
            let secret = try await KubernetesClient.withClient(configuration) { try await $0.getSecret(namespace: "gateway", name: "litellm-masterkey") }
            #expect(secret.keys == ["masterkey"])

            let hanging = try K8sFixtures.writeFile("#!/bin/sh\nsleep 30\n", named: "hang.sh", in: dir, mode: 0o700)
            configuration.authentication = Authentication(bearer: .exec(ExecPluginConfiguration(command: hanging, timeout: .milliseconds(300))))
            let started = ContinuousClock.now
            let error = await #expect(throws: KubernetesError.self) {
                try await KubernetesClient.withClient(configuration) { try await $0.getSecret(namespace: "gateway", name: "litellm-masterkey") }
            }
            #expect(error?.code == .configuration)
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    @Test("tls-server-name is sent as the request host; insecure-skip-tls-verify trusts any CA; no CA means system roots (refused)")
    func serverNameAndInsecure() async throws {
        try await withKubeSim(seed: Self.seed) { sim in
            guard case .clientCertificate(let cert, let key) = sim.kubeconfig.credential else { Issue.record("no admin certificate"); return }
            let identity = Authentication(clientCertificate: .init(certificatePEM: Credential(cert), keyPEM: Credential(key)))
            var configuration = KubernetesConfiguration(server: sim.url, certificateAuthorityPEM: Array(sim.caPEM!.utf8), authentication: identity)
            configuration.retry = .none
            configuration.requestTimeout = .seconds(2)
            configuration.tlsServerName = "localhost"  // in the serving certificate's SANs
            _ = try await KubernetesClient.withClient(configuration) { try await $0.getSecret(namespace: "gateway", name: "litellm-masterkey") }

            let client = try KubernetesClient(configuration: configuration)
            #expect(client.baseURL == "https://localhost:\(sim.port)", "requests name the tls-server-name; dnsOverride connects to 127.0.0.1")
            try await client.close()
            // NIOSSL also accepts a certificate whose IP SAN matches the connected address whatever the
            // server name, so a wrong tls-server-name cannot be shown to fail against KubeSim's 127.0.0.1 certificate.

            var insecure = KubernetesConfiguration(server: sim.url, authentication: identity)
            insecure.insecureSkipTLSVerify = true
            _ = try await KubernetesClient.withClient(insecure) { try await $0.getSecret(namespace: "gateway", name: "litellm-masterkey") }

            var untrusted = KubernetesConfiguration(server: sim.url, authentication: identity)  // system roots only
            let sleeps = SleepRecorder()
            untrusted.retry = sleeps.policy
            untrusted.requestTimeout = .seconds(2)
            let refused = await #expect(throws: KubernetesError.self) {
                try await KubernetesClient.withClient(untrusted) { try await $0.getSecret(namespace: "gateway", name: "litellm-masterkey") }
            }
            #expect(refused?.code == .transport)
            #expect(refused?.reason == RetryPolicy.tlsFailureReason, "\(String(describing: refused))")
            #expect(sleeps.recorded.isEmpty, "a refused certificate is not retried")
        }
    }
}
