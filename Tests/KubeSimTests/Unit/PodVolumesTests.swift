import Foundation
import Testing
@testable import KubeSim

@Suite("Secret and ConfigMap volumes as the kubelet lays them out")
struct PodVolumesTests {
    private func fixture(syncDelay: Duration = .seconds(30)) throws -> (ObjectStore, PodVolumes, URL) {
        let store = ObjectStore()
        let context = WriteContext(manager: "test")
        try store.create(.secrets, namespace: "gw", object: Fixtures.secret("ring", namespace: "gw", data: ["keys": "sk-first", "other": "x"]), context: context)
        try store.create(.configMaps, namespace: "gw", object: ["metadata": ["name": "module"], "data": ["auth.py": "print(1)"]], context: context)
        let template: JSONValue = ["spec": ["volumes": [
            ["name": "ring", "secret": ["secretName": "ring", "defaultMode": 0o400]],
            ["name": "module", "configMap": ["name": "module"]],
            ["name": "pinned", "secret": ["secretName": "ring"]],
            ["name": "picked", "secret": ["secretName": "ring", "items": [["key": "keys", "path": "sub/ring.txt"]]]],
        ]]]
        let container: JSONValue = ["volumeMounts": [
            ["name": "ring", "mountPath": "/var/run/ring", "readOnly": true],
            ["name": "module", "mountPath": "/opt/module"],
            ["name": "pinned", "mountPath": "/etc/pinned-keys", "subPath": "keys"],
            ["name": "picked", "mountPath": "/etc/picked"],
        ]]
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("podvolumes-\(UUID().uuidString)")
        let volumes = try PodVolumes(template: template, container: container, namespace: "gw", root: root, store: store, syncDelay: syncDelay)
        return (store, volumes, root)
    }

    private func setRing(_ store: ObjectStore, _ value: String) throws {
        try store.modify(ObjectKey(type: .secrets, namespace: "gw", name: "ring"), context: WriteContext(manager: "test")) { current in
            var next = current ?? [:]
            next.setValue(.string(Data(value.utf8).base64EncodedString()), at: ["data", "keys"])
            return next
        }
    }

    private func read(_ url: URL) -> String? { (try? String(contentsOf: url, encoding: .utf8)) }

    private func inode(_ url: URL) -> UInt64? {
        var st = stat()
        return stat(url.path, &st) == 0 ? UInt64(st.st_ino) : nil
    }

    @Test("AtomicWriter layout: a timestamped folder, ..data, one symlink per key, mode and items")
    func layout() throws {
        let (_, volumes, root) = try fixture()
        defer { volumes.remove() }
        try volumes.mountAll()
        let ring = root.appendingPathComponent("var/run/ring")
        let fm = FileManager.default
        #expect(try fm.destinationOfSymbolicLink(atPath: ring.appendingPathComponent("keys").path) == "..data/keys")
        let data = try fm.destinationOfSymbolicLink(atPath: ring.appendingPathComponent("..data").path)
        #expect(data.hasPrefix("..20"))
        #expect(read(ring.appendingPathComponent("keys")) == "sk-first")
        #expect(read(ring.appendingPathComponent("other")) == "x")
        let attributes = try fm.attributesOfItem(atPath: ring.appendingPathComponent(data).appendingPathComponent("keys").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o400)
        #expect(read(root.appendingPathComponent("opt/module/auth.py")) == "print(1)")
        #expect(read(root.appendingPathComponent("etc/picked/sub/ring.txt")) == "sk-first")
        #expect(!fm.fileExists(atPath: root.appendingPathComponent("etc/picked/keys").path))
        // subPath: a plain file, not a symlink into ..data.
        #expect((try? fm.destinationOfSymbolicLink(atPath: root.appendingPathComponent("etc/pinned-keys").path)) == nil)
        #expect(read(root.appendingPathComponent("etc/pinned-keys")) == "sk-first")
    }

    @Test("an update reaches the files only after the sync delay, with a new inode; subPath never")
    func propagation() throws {
        let (store, volumes, root) = try fixture(syncDelay: .seconds(30))
        defer { volumes.remove() }
        try volumes.mountAll()
        let keys = root.appendingPathComponent("var/run/ring/keys")
        let before = inode(keys)
        try setRing(store, "sk-second")
        let t0 = ContinuousClock.now
        volumes.sync(now: t0)
        volumes.sync(now: t0 + .seconds(29))
        #expect(read(keys) == "sk-first")
        volumes.sync(now: t0 + .seconds(30))
        #expect(read(keys) == "sk-second")
        #expect(inode(keys) != before)
        #expect(read(root.appendingPathComponent("etc/picked/sub/ring.txt")) == "sk-second")
        #expect(read(root.appendingPathComponent("etc/pinned-keys")) == "sk-first")
        // Only one timestamped folder is left.
        let folders = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("var/run/ring").path).filter { $0.hasPrefix("..20") }
        #expect(folders.count == 1)
    }

    /// What the key-ring module compares is the last stat() it saw: each swap must change the
    /// inode from the one before. (Not from every earlier one: the file system may give a freed
    /// inode number to a later file, which made a stricter version of this test flaky.)
    @Test("two updates within one second are both seen by stat(): a new inode each time")
    func quickSwaps() throws {
        let (store, volumes, root) = try fixture(syncDelay: .zero)
        defer { volumes.remove() }
        try volumes.mountAll()
        let keys = root.appendingPathComponent("var/run/ring/keys")
        var last = inode(keys)
        for value in ["sk-a", "sk-b", "sk-c"] {
            try setRing(store, value)
            volumes.sync()
            #expect(read(keys) == value)
            let now = inode(keys)
            #expect(now != nil && now != last, "the swap to \(value) kept the inode")
            last = now
        }
    }

    @Test("a missing Secret fails the mount unless optional; a bad mountPath is refused")
    func failures() throws {
        let store = ObjectStore()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("podvolumes-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let mount: JSONValue = ["volumeMounts": [["name": "v", "mountPath": "/v"]]]
        let missing = try PodVolumes(template: ["spec": ["volumes": [["name": "v", "secret": ["secretName": "nope"]]]]], container: mount,
                                     namespace: "gw", root: root, store: store, syncDelay: .zero)
        #expect(throws: PodVolumes.Failure.self) { try missing.mountAll() }
        let optional = try PodVolumes(template: ["spec": ["volumes": [["name": "v", "secret": ["secretName": "nope", "optional": true]]]]], container: mount,
                                      namespace: "gw", root: root, store: store, syncDelay: .zero)
        try optional.mountAll()
        #expect(throws: PodVolumes.Failure.self) {
            try PodVolumes(template: ["spec": ["volumes": [["name": "v", "secret": ["secretName": "nope"]]]]],
                           container: ["volumeMounts": [["name": "v", "mountPath": "/a/../../b"]]], namespace: "gw", root: root, store: store, syncDelay: .zero)
        }
    }
}
