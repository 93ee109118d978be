import Foundation
import LockstepPolicy
import Testing

@Suite struct DaemonConfigTests {
    let full = """
    vault:
      path: /var/lib/lockstep/vault.db
      keyFile: key/vault.key
    policies: /etc/lockstep/policies
    kubernetes:
      inCluster: true
    admin:
      socket: /run/lockstep/admin.sock
      mode: "0660"
      group: lockstep
    http:
      address: 0.0.0.0:9464
    lease:
      namespace: lockstep
      name: lockstep-leader
      durationSeconds: 15
      renewDeadlineSeconds: 10
      retryPeriodSeconds: 2
    scheduler:
      checkEvery: 30s
      rolloutTimeout: 600s
      driftCheckEvery: 5m
    notifications:
      - name: security-slack
        format: slack
        urlFromSecret: {namespace: lockstep, name: lockstep-webhooks, key: slack-url}
        events: [rotation-finished, revoke]
      - name: siem
        urlFile: hook.url
    logging:
      format: json
      level: info
    """

    @Test func readsEveryFieldAndResolvesRelativePaths() throws {
        let (config, problems) = DaemonConfigLoader.parse(full, file: "/etc/lockstep/config/lockstep.yaml", relativeTo: "/etc/lockstep/config")
        #expect(problems.isEmpty, "\(problems)")
        let c = try #require(config)
        #expect(c.vaultKeyFile == "/etc/lockstep/config/key/vault.key")
        #expect(c.kubernetes.inCluster)
        #expect(c.admin.mode == 0o660 && c.admin.group == "lockstep")
        #expect(c.http.host == "0.0.0.0" && c.http.port == 9464)
        #expect(c.lease?.renewDeadlineSeconds == 10)
        #expect(c.scheduler.driftCheckEvery.seconds == 300)
        #expect(c.notifications.count == 2)
        #expect(c.notifications[0].url == .secret(namespace: "lockstep", name: "lockstep-webhooks", key: "slack-url"))
        #expect(c.notifications[0].events == ["rotation-finished", "revoke"])
        #expect(c.notifications[1].url == .file("/etc/lockstep/config/hook.url"))
        #expect(c.notifications[1].events.count == DaemonConfiguration.eventKinds.count)
    }

    @Test func defaultsForTheOptionalSections() throws {
        let (config, problems) = DaemonConfigLoader.parse("vault: {path: v.db, keyFile: k}\npolicies: p\n", file: "c.yaml", relativeTo: "/srv")
        #expect(problems.isEmpty)
        let c = try #require(config)
        #expect(c.admin.socket == "/run/lockstep/admin.sock" && c.admin.mode == 0o600)
        #expect(c.http.host == "127.0.0.1" && c.http.port == 9464)
        #expect(c.lease == nil)
        #expect(c.scheduler.checkEvery.seconds == 30)
        #expect(c.logging.format == .json)
        #expect(c.vaultPath == "/srv/v.db")
    }

    @Test func reportsEveryProblemWithItsPlaceAndAHint() {
        let bad = """
        vault: {path: v.db}
        policies: p
        kubernetes: {inCluster: true, kubeconfig: k}
        admin: {mode: "0666"}
        http: {address: "nowhere"}
        lease: {namespace: lockstep, name: x, durationSeconds: 10, renewDeadlineSeconds: 10}
        scheduler: {checkEvery: soon}
        notifications:
          - {name: a, url: "ftp://x", events: [rotation-finish]}
          - {name: a, url: "https://x", urlFile: f}
        logging: {level: loud}
        tracing: on
        """
        let (config, problems) = DaemonConfigLoader.parse(bad, file: "bad.yaml", relativeTo: "/")
        #expect(config == nil)
        let text = problems.map(\.description).joined(separator: "\n")
        for expected in ["missing the required field \"keyFile\"", "inCluster cannot be combined", "admin.mode must be", "is not HOST:PORT",
                         "renewDeadlineSeconds (10) must be less than durationSeconds", "scheduler.checkEvery \"soon\" is not a duration",
                         "not an http(s) URL", "unknown event \"rotation-finish\"", "did you mean \"rotation-finished\"?", "is used twice",
                         "needs exactly one of url, urlFile, urlFromSecret", "logging.level \"loud\"", "unknown field \"tracing\""] {
            #expect(text.contains(expected), "missing: \(expected)\n\(text)")
        }
        // Located to the line: the tracing field is on line 12.
        #expect(problems.contains { $0.message.contains("tracing") && $0.line == 12 })
    }

    @Test func aYAMLSyntaxErrorIsLocated() {
        let (config, problems) = DaemonConfigLoader.parse("vault: {path: v.db\npolicies: p\n", file: "broken.yaml", relativeTo: "/")
        #expect(config == nil)
        #expect(problems.count == 1)
        #expect(problems.first?.message.hasPrefix("YAML syntax") == true)
    }

    @Test func aMissingFileSaysWhatToPass() {
        let (config, problems) = DaemonConfigLoader.load(file: "/nonexistent/lockstep.yaml")
        #expect(config == nil)
        #expect(problems.first?.hint?.contains("--config") == true)
    }
}

@Suite struct ShippedDaemonConfigTests {
    /// The example configuration in deploy/ is what `lockstep serve` reads in the cluster: it must parse cleanly.
    @Test func theOverlaysConfigurationIsValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = root.appendingPathComponent("deploy/overlays/litellm-unique/lockstep.yaml").path
        let (config, problems) = DaemonConfigLoader.load(file: file)
        #expect(problems.isEmpty, "\(problems)")
        let c = try #require(config)
        #expect(c.kubernetes.inCluster)
        #expect(c.lease?.name == "lockstep-leader")
        #expect(c.admin.mode == 0o600)
        #expect(c.http.host == "0.0.0.0" && c.http.port == 9464)
        #expect(c.notifications.first?.url == .secret(namespace: "lockstep", name: "lockstep-webhooks", key: "slack-url"))
    }
}
