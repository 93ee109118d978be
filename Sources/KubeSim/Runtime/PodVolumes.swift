import Foundation

/// Secret and ConfigMap volumes of a process pod, laid out as the kubelet does.
///
/// A process pod has no mount namespace, so every `volumeMounts[].mountPath` is mapped under the
/// pod's own root folder (`KUBESIM_POD_ROOT`, also in the container's environment): `/etc/x`
/// becomes `$(KUBESIM_POD_ROOT)/etc/x`. Inside that folder the files are written as the kubelet's
/// AtomicWriter writes them (pkg/volume/util/atomic_writer.go): the payload goes into a new
/// `..<timestamp>` folder, a `..data_tmp` symlink to it is renamed over `..data`, and every key is
/// a symlink `key -> ..data/key`. So `stat()` of a key path sees a new inode after every update,
/// and a reader never sees half a payload.
///
/// Updates reach a running pod `syncDelay` after the object changed (the kubelet's sync period
/// plus its cache; 60–90 s in a real cluster, `--volume-sync-ms` here). `subPath` mounts are a
/// copy made at container start and never updated, as with a real bind mount of one file.
/// Environment variables never change either (``PodEnvironment``).
final class PodVolumes: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// One volume mount of the container.
    struct Mount: Sendable {
        let volume: String
        /// Where the files go on this machine: under the pod root.
        let path: URL
        let subPath: String?
    }

    /// The source of one volume: a Secret or a ConfigMap, with `items` and `optional`.
    struct Source: Sendable {
        let type: ResourceType
        let name: String
        let items: [(key: String, path: String)]?
        let optional: Bool
        let mode: Int
    }

    let root: URL
    private let namespace: String
    private let store: ObjectStore
    private let mounts: [Mount]
    private let sources: [String: Source]
    private let syncDelay: Duration
    /// Per mount: the payload on disk and, when the object changed, since when it differs.
    private let state: Locked<[String: (written: [String: Data], differsSince: ContinuousClock.Instant?)]>

    init(template: JSONValue, container: JSONValue, namespace: String, root: URL, store: ObjectStore, syncDelay: Duration) throws {
        self.root = root
        self.namespace = namespace
        self.store = store
        self.syncDelay = syncDelay
        var sources: [String: Source] = [:]
        for volume in template.value(at: ["spec", "volumes"])?.arrayValue ?? [] {
            guard let name = volume["name"]?.stringValue else { continue }
            if let s = volume["secret"], let secretName = s["secretName"]?.stringValue {
                sources[name] = Self.source(.secrets, secretName, s, defaultMode: 0o644)
            } else if let c = volume["configMap"], let mapName = c["name"]?.stringValue {
                sources[name] = Self.source(.configMaps, mapName, c, defaultMode: 0o644)
            }
        }
        self.sources = sources
        var mounts: [Mount] = []
        for m in container["volumeMounts"]?.arrayValue ?? [] {
            guard let volume = m["name"]?.stringValue, let mountPath = m["mountPath"]?.stringValue, sources[volume] != nil else { continue }
            guard mountPath.hasPrefix("/"), !mountPath.split(separator: "/").contains("..") else {
                throw Failure(description: "volumeMount \(volume): mountPath \"\(mountPath)\" must be absolute and must not contain \"..\"")
            }
            mounts.append(Mount(volume: volume, path: root.appendingPathComponent(String(mountPath.dropFirst())), subPath: m["subPath"]?.stringValue))
        }
        self.mounts = mounts
        state = Locked([:])
    }

    private static func source(_ type: ResourceType, _ name: String, _ spec: JSONValue, defaultMode: Int) -> Source {
        let items = spec["items"]?.arrayValue?.compactMap { item -> (key: String, path: String)? in
            guard let key = item["key"]?.stringValue, let path = item["path"]?.stringValue else { return nil }
            return (key, path)
        }
        return Source(type: type, name: name, items: items, optional: spec["optional"]?.boolValue == true,
                      mode: spec["defaultMode"]?.intValue.map { Int($0) } ?? defaultMode)
    }

    var isEmpty: Bool { mounts.isEmpty }

    /// Writes every mount as it is now (at container start: a missing object fails the start,
    /// as the kubelet's "secret not found" does, unless the volume is optional).
    func mountAll() throws {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for mount in mounts {
            let payload = try self.payload(for: mount)
            if let subPath = mount.subPath {
                try writeSubPath(mount, subPath, payload)
            } else {
                try AtomicWriter.write(payload, to: mount.path, mode: sources[mount.volume]?.mode ?? 0o644)
            }
            state.withLock { $0[mount.path.path] = (payload, nil) }
        }
    }

    /// Called periodically: applies object changes that are at least `syncDelay` old.
    func sync(now: ContinuousClock.Instant = .now) {
        for mount in mounts where mount.subPath == nil {
            guard let payload = try? self.payload(for: mount) else { continue }
            let due = state.withLock { s -> Bool in
                var entry = s[mount.path.path] ?? ([:], nil)
                defer { s[mount.path.path] = entry }
                if entry.written == payload {
                    entry.differsSince = nil
                    return false
                }
                let since = entry.differsSince ?? now
                entry.differsSince = since
                return now - since >= syncDelay
            }
            guard due else { continue }
            do {
                try AtomicWriter.write(payload, to: mount.path, mode: sources[mount.volume]?.mode ?? 0o644)
                state.withLock { $0[mount.path.path] = (payload, nil) }
            } catch {
                // Retried at the next sync, as the kubelet does.
            }
        }
    }

    /// The files the object gives this mount now (keys, or `items` paths).
    private func payload(for mount: Mount) throws -> [String: Data] {
        guard let source = sources[mount.volume] else { return [:] }
        guard let object = store.get(ObjectKey(type: source.type, namespace: namespace, name: source.name)) else {
            if source.optional { return [:] }
            throw Failure(description: "\(source.type.kind.lowercased()) \"\(source.name)\" not found")
        }
        var all: [String: Data] = [:]
        for (key, value) in object["data"]?.objectValue ?? [:] {
            guard let text = value.stringValue else { continue }
            all[key] = source.type == .secrets ? (Data(base64Encoded: text) ?? Data()) : Data(text.utf8)
        }
        for (key, value) in object["binaryData"]?.objectValue ?? [:] {
            if let text = value.stringValue, let data = Data(base64Encoded: text) { all[key] = data }
        }
        guard let items = source.items else { return all }
        var out: [String: Data] = [:]
        for item in items {
            guard let data = all[item.key] else {
                if source.optional { continue }
                throw Failure(description: "couldn't find key \(item.key) in \(source.type.kind) \(namespace)/\(source.name)")
            }
            out[item.path] = data
        }
        return out
    }

    private func writeSubPath(_ mount: Mount, _ subPath: String, _ payload: [String: Data]) throws {
        guard let data = payload[subPath] else { throw Failure(description: "subPath \(subPath) is not in volume \(mount.volume)") }
        try FileManager.default.createDirectory(at: mount.path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: mount.path)
    }

    /// Removes the pod's files (the pod is gone).
    func remove() {
        try? FileManager.default.removeItem(at: root)
    }
}

/// The kubelet's AtomicWriter, for one volume folder.
enum AtomicWriter {
    static let dataDirName = "..data"
    static let newDataDirName = "..data_tmp"

    /// Makes `directory` hold exactly `payload` (relative paths → contents), atomically for readers.
    static func write(_ payload: [String: Data], to directory: URL, mode: Int) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let dataLink = directory.appendingPathComponent(dataDirName)
        let oldTarget = try? fm.destinationOfSymbolicLink(atPath: dataLink.path)
        // A new timestamped folder with the whole payload.
        let stamp = timestamp()
        let tsDir = directory.appendingPathComponent("..\(stamp)")
        try fm.createDirectory(at: tsDir, withIntermediateDirectories: false)
        for (path, data) in payload {
            let file = tsDir.appendingPathComponent(path)
            try fm.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard fm.createFile(atPath: file.path, contents: data, attributes: [.posixPermissions: mode]) else {
                throw PodVolumes.Failure(description: "cannot write volume file \(path)")
            }
        }
        // Swap: a symlink ..data_tmp -> ..<stamp>, renamed over ..data (rename is atomic).
        let tmpLink = directory.appendingPathComponent(newDataDirName)
        try? fm.removeItem(at: tmpLink)
        try fm.createSymbolicLink(atPath: tmpLink.path, withDestinationPath: tsDir.lastPathComponent)
        guard rename(tmpLink.path, dataLink.path) == 0 else {
            throw PodVolumes.Failure(description: "cannot rename \(newDataDirName) over \(dataDirName): \(String(cString: strerror(errno)))")
        }
        // Top-level user-visible symlinks: one per first path component; stale ones go.
        let wanted = Set(payload.keys.compactMap { $0.split(separator: "/").first.map(String.init) })
        for name in wanted {
            let link = directory.appendingPathComponent(name)
            if (try? fm.destinationOfSymbolicLink(atPath: link.path)) == nil {
                try fm.createSymbolicLink(atPath: link.path, withDestinationPath: "\(dataDirName)/\(name)")
            }
        }
        for name in (try? fm.contentsOfDirectory(atPath: directory.path)) ?? [] where !name.hasPrefix("..") && !wanted.contains(name) {
            try? fm.removeItem(at: directory.appendingPathComponent(name))
        }
        if let oldTarget, oldTarget != tsDir.lastPathComponent {
            try? fm.removeItem(at: directory.appendingPathComponent(oldTarget))
        }
    }

    /// `..2026_12_02_01_23_45.123456789`-style names, unique per write.
    private static func timestamp() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = time_t(ts.tv_sec)
        var parts = tm()
        gmtime_r(&t, &parts)
        let base = String(format: "%04d_%02d_%02d_%02d_%02d_%02d.%09ld", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                          parts.tm_hour, parts.tm_min, parts.tm_sec, ts.tv_nsec)
        return base + "." + String(UInt32.random(in: 0...UInt32.max), radix: 36)
    }
}
