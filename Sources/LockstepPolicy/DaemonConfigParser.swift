import Foundation
import LockstepCore
import Yams

/// Turns the daemon's YAML document into a `DaemonConfiguration`, collecting every problem.
struct DaemonConfigParser {
    let r: YAMLReader
    let file: String
    let base: String

    func parse(_ root: Node) -> DaemonConfiguration? {
        guard let doc = r.object(root, path: "the configuration",
                                 known: ["vault", "policies", "kubernetes", "admin", "http", "lease", "scheduler", "notifications", "logging"]) else { return nil }
        let vault = r.object(doc.required("vault", hint: "vault: {path: /var/lib/lockstep/vault.db, keyFile: /etc/lockstep/key/vault.key}"),
                             path: "vault", known: ["path", "keyFile"])
        let vaultPath = vault?.string("path", required: true).map(absolute)
        let keyFile = vault?.string("keyFile", required: true, hint: "the daemon reads its vault key from a file (`lockstep vault keygen --out FILE`)").map(absolute)
        let policies = doc.string("policies", required: true, hint: "the folder of policy files, e.g. policies: /etc/lockstep/policies").map(absolute)
        let kubernetes = parseKubernetes(doc.node("kubernetes"))
        let admin = parseAdmin(doc.node("admin"))
        let http = parseHTTP(doc.node("http"))
        let lease = doc.node("lease").flatMap(parseLease)
        let scheduler = parseScheduler(doc.node("scheduler"))
        let notifications = parseNotifications(doc.sequence("notifications") ?? [])
        let logging = parseLogging(doc.node("logging"))
        guard let vaultPath, let keyFile, let policies, let kubernetes, let admin, let http, let scheduler, let logging else { return nil }
        return DaemonConfiguration(file: file, vaultPath: vaultPath, vaultKeyFile: keyFile, policies: policies, kubernetes: kubernetes,
                                   admin: admin, http: http, lease: lease, scheduler: scheduler, notifications: notifications, logging: logging)
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : (base as NSString).appendingPathComponent(path)
    }

    private func parseKubernetes(_ node: Node?) -> DaemonConfiguration.Kubernetes? {
        guard let node else { return .init(inCluster: false, kubeconfig: nil, context: nil) }
        guard let k = r.object(node, path: "kubernetes", known: ["inCluster", "kubeconfig", "context"]) else { return nil }
        let inCluster = k.bool("inCluster", default: false)
        let kubeconfig = k.string("kubeconfig").map(absolute)
        if inCluster, kubeconfig != nil || k.node("context") != nil {
            r.problem(node, "kubernetes.inCluster cannot be combined with kubeconfig or context", hint: "inside a pod use inCluster: true; elsewhere name a kubeconfig")
        }
        return .init(inCluster: inCluster, kubeconfig: kubeconfig, context: k.string("context"))
    }

    private func parseAdmin(_ node: Node?) -> DaemonConfiguration.Admin? {
        let defaults = DaemonConfiguration.Admin(socket: "/run/lockstep/admin.sock", mode: 0o600, group: nil)
        guard let node else { return defaults }
        guard let a = r.object(node, path: "admin", known: ["socket", "mode", "group", "idleTimeout"]) else { return nil }
        var admin = defaults
        if let t = idleTimeout(a, path: "admin") { admin.idleTimeout = t }
        if let s = a.string("socket") { admin.socket = absolute(s) }
        if admin.socket.utf8.count > 107 { r.problem(a.node("socket"), "admin.socket is longer than a Unix socket path may be (107 bytes)", hint: "choose a shorter path, e.g. /run/lockstep/admin.sock") }
        admin.group = a.string("group")
        if let m = a.node("mode") {
            switch m.scalar?.string {
            case "0600", "600": admin.mode = 0o600
            case "0660", "660": admin.mode = 0o660
            default: r.problem(m, "admin.mode must be \"0600\" or \"0660\"", hint: "the socket grants rotate and revoke: only the daemon's user (0600) or also one group (0660 with group:)")
            }
        }
        if admin.mode == 0o660, admin.group == nil { r.problem(a.node("mode"), "admin.mode \"0660\" needs admin.group", hint: "name the group whose members may use the socket, or keep mode \"0600\"") }
        if admin.mode == 0o600, admin.group != nil { r.problem(a.node("group"), "admin.group has no effect with mode \"0600\"", hint: "write mode: \"0660\" to let the group in") }
        return admin
    }

    private func parseHTTP(_ node: Node?) -> DaemonConfiguration.HTTP? {
        guard let node else { return .init(host: "127.0.0.1", port: 9464) }
        guard let h = r.object(node, path: "http", known: ["address", "maxConnections", "idleTimeout"]) else { return nil }
        var http = DaemonConfiguration.HTTP(host: "127.0.0.1", port: 9464)
        if let n = h.int("maxConnections", in: 1...10_000) { http.maxConnections = n }
        if let t = idleTimeout(h, path: "http") { http.idleTimeout = t }
        guard let text = h.string("address") else { return http }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port), colon != text.startIndex else {
            r.problem(h.node("address"), "http.address \"\(text)\" is not HOST:PORT", hint: "e.g. 127.0.0.1:9464, or 0.0.0.0:9464 inside a pod so that Prometheus can scrape it")
            return nil
        }
        http.host = String(text[..<colon])
        http.port = port
        return http
    }

    /// `idleTimeout` of a listener: from 1 s to 1 h.
    private func idleTimeout(_ o: YAMLReader.Object, path: String) -> PolicyDuration? {
        guard let n = o.node("idleTimeout"), let d = PolicyParser(r: r).duration(n, path: "\(path).idleTimeout") else { return nil }
        guard (1...3600).contains(d.seconds) else {
            r.problem(n, "\(path).idleTimeout must be from 1s to 1h", hint: "an idle connection holds a descriptor until then")
            return nil
        }
        return d
    }

    private func parseLease(_ node: Node) -> DaemonConfiguration.Lease? {
        guard let l = r.object(node, path: "lease", known: ["namespace", "name", "identity", "durationSeconds", "renewDeadlineSeconds", "retryPeriodSeconds"]) else { return nil }
        let namespace = l.string("namespace", required: true)
        let name = l.string("name", required: true)
        let duration = l.int("durationSeconds", in: 1...3600) ?? 15
        let renew = l.int("renewDeadlineSeconds", in: 1...3600) ?? 10
        let retry = l.int("retryPeriodSeconds", in: 1...3600) ?? 2
        if renew >= duration { r.problem(l.node("renewDeadlineSeconds") ?? node, "lease.renewDeadlineSeconds (\(renew)) must be less than durationSeconds (\(duration))", hint: "a leader must give up before its lease can expire for others; defaults are 15/10/2") }
        if retry >= renew { r.problem(l.node("retryPeriodSeconds") ?? node, "lease.retryPeriodSeconds (\(retry)) must be less than renewDeadlineSeconds (\(renew))", hint: "defaults are 15/10/2") }
        for (field, value) in [("namespace", namespace), ("name", name)] {
            if let value, !PolicyParser.isDNSSubdomain(value) { r.problem(l.node(field), "lease.\(field) \"\(value)\" is not a valid Kubernetes name", hint: "lowercase letters, digits and '-'") }
        }
        guard let namespace, let name else { return nil }
        return .init(namespace: namespace, name: name, identity: l.string("identity"), durationSeconds: duration, renewDeadlineSeconds: renew, retryPeriodSeconds: retry)
    }

    private func parseScheduler(_ node: Node?) -> DaemonConfiguration.Scheduler? {
        var s = DaemonConfiguration.Scheduler(checkEvery: PolicyDuration(seconds: 30), rolloutTimeout: PolicyDuration(seconds: 600), driftCheckEvery: PolicyDuration(seconds: 300))
        guard let node else { return s }
        guard let o = r.object(node, path: "scheduler", known: ["checkEvery", "rolloutTimeout", "driftCheckEvery"]) else { return nil }
        let parser = PolicyParser(r: r)
        if let n = o.node("checkEvery"), let d = parser.duration(n, path: "scheduler.checkEvery") { s.checkEvery = d }
        if let n = o.node("rolloutTimeout"), let d = parser.duration(n, path: "scheduler.rolloutTimeout") { s.rolloutTimeout = d }
        if let n = o.node("driftCheckEvery"), let d = parser.duration(n, path: "scheduler.driftCheckEvery") { s.driftCheckEvery = d }
        if s.checkEvery.seconds > 3600 { r.problem(o.node("checkEvery"), "scheduler.checkEvery must be at most 1h", hint: "a due credential waits up to this long; 30s is the default") }
        return s
    }

    private func parseNotifications(_ nodes: [Node]) -> [DaemonConfiguration.Notification] {
        var seen: Set<String> = []
        return nodes.enumerated().compactMap { i, node in
            let path = "notifications[\(i)]"
            guard let n = r.object(node, path: path, known: ["name", "format", "url", "urlFile", "urlFromSecret", "events"]) else { return nil }
            let name = n.string("name", required: true)
            if let name, !seen.insert(name).inserted { r.problem(n.node("name"), "\(path).name \"\(name)\" is used twice", hint: "sink names appear in logs and audit entries: make them unique") }
            var format = DaemonConfiguration.Notification.Format.json
            if let f = n.string("format") {
                if let parsed = DaemonConfiguration.Notification.Format(rawValue: f) { format = parsed } else {
                    r.problem(n.node("format"), "\(path).format \"\(f)\" is not json or slack", hint: "json posts the event as JSON; slack posts an incoming-webhook message")
                }
            }
            let sources = ["url", "urlFile", "urlFromSecret"].filter { n.node($0) != nil }
            var source: DaemonConfiguration.Notification.URLSource?
            if sources.count != 1 {
                r.problem(node, "\(path) needs exactly one of url, urlFile, urlFromSecret", hint: "the URL grants posting to the channel: prefer urlFromSecret or urlFile over url")
            } else if let url = n.string("url") {
                if URL(string: url)?.scheme.map({ ["http", "https"].contains($0) }) == true { source = .url(url) } else {
                    r.problem(n.node("url"), "\(path).url is not an http(s) URL")
                }
            } else if let f = n.string("urlFile") {
                source = .file(absolute(f))
            } else if let s = r.object(n.node("urlFromSecret"), path: "\(path).urlFromSecret", known: ["namespace", "name", "key"]),
                      let ns = s.string("namespace", required: true), let nm = s.string("name", required: true), let key = s.string("key", required: true) {
                source = .secret(namespace: ns, name: nm, key: key)
            }
            var events = DaemonConfiguration.eventKinds
            if let list = n.sequence("events") {
                events = []
                for e in list {
                    guard let k = e.scalar?.string, DaemonConfiguration.eventKinds.contains(k) else {
                        let got = e.scalar?.string ?? ""
                        r.problem(e, "\(path).events: unknown event \"\(got)\"", hint: suggestion(for: got, among: DaemonConfiguration.eventKinds).map { "did you mean \"\($0)\"?" } ?? "known: \(DaemonConfiguration.eventKinds.joined(separator: ", "))")
                        continue
                    }
                    events.append(k)
                }
            }
            guard let name, let source else { return nil }
            return .init(name: name, format: format, url: source, events: events)
        }
    }

    private func parseLogging(_ node: Node?) -> DaemonConfiguration.Logging? {
        var l = DaemonConfiguration.Logging(format: .json, level: "info")
        guard let node else { return l }
        guard let o = r.object(node, path: "logging", known: ["format", "level"]) else { return nil }
        if let f = o.string("format") {
            if let parsed = DaemonConfiguration.Logging.Format(rawValue: f) { l.format = parsed } else { r.problem(o.node("format"), "logging.format \"\(f)\" is not json or text") }
        }
        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        if let v = o.string("level") {
            if levels.contains(v) { l.level = v } else { r.problem(o.node("level"), "logging.level \"\(v)\" is unknown", hint: "one of \(levels.joined(separator: ", "))") }
        }
        return l
    }
}
