import Foundation
import Testing
@testable import KubeSim

@Suite("Pod environment as the kubelet builds it")
struct PodEnvironmentTests {
    @Test("envFrom, then env with secretKeyRef, configMapKeyRef, fieldRef and $(VAR) expansion")
    func resolve() throws {
        let store = ObjectStore()
        let context = WriteContext(manager: "test")
        try store.create(.secrets, namespace: "ns", object: Fixtures.secret("keys", data: ["masterkey": "sk-1", "OTHER": "o"]), context: context)
        try store.create(.configMaps, namespace: "ns", object: ["metadata": ["name": "cfg"], "data": ["mode": "fast"]], context: context)
        let container: JSONValue = [
            "envFrom": [["secretRef": ["name": "keys"], "prefix": "K_"], ["secretRef": ["name": "absent", "optional": true]]],
            "env": [
                ["name": "MASTER", "valueFrom": ["secretKeyRef": ["name": "keys", "key": "masterkey"]]],
                ["name": "MODE", "valueFrom": ["configMapKeyRef": ["name": "cfg", "key": "mode"]]],
                ["name": "POD", "valueFrom": ["fieldRef": ["fieldPath": "metadata.name"]]],
                ["name": "URL", "value": "http://127.0.0.1:$(PORT)/$(MODE)/$(UNKNOWN)/$$(PORT)"],
            ],
        ]
        let env = try PodEnvironment.resolve(container: container, namespace: "ns", podName: "web-abc-12345", port: 4321, store: store)
        #expect(env["K_masterkey"] == "sk-1")
        #expect(env["K_OTHER"] == "o")
        #expect(env["MASTER"] == "sk-1")
        #expect(env["MODE"] == "fast")
        #expect(env["POD"] == "web-abc-12345")
        #expect(env["PORT"] == "4321")
        #expect(env["URL"] == "http://127.0.0.1:4321/fast/$(UNKNOWN)/$(PORT)")
    }

    @Test("a missing Secret or key fails the pod start; optional references do not")
    func missing() throws {
        let store = ObjectStore()
        try store.create(.secrets, namespace: "ns", object: Fixtures.secret("keys", data: ["a": "1"]), context: WriteContext(manager: "t"))
        let missingKey: JSONValue = ["env": [["name": "X", "valueFrom": ["secretKeyRef": ["name": "keys", "key": "b"]]]]]
        #expect(throws: PodEnvironment.Failure.self) {
            try PodEnvironment.resolve(container: missingKey, namespace: "ns", podName: "p", port: 1, store: store)
        }
        let missingSecret: JSONValue = ["envFrom": [["secretRef": ["name": "nope"]]]]
        #expect(throws: PodEnvironment.Failure.self) {
            try PodEnvironment.resolve(container: missingSecret, namespace: "ns", podName: "p", port: 1, store: store)
        }
        let optional: JSONValue = ["env": [["name": "X", "valueFrom": ["secretKeyRef": ["name": "keys", "key": "b", "optional": true]]]]]
        #expect(try PodEnvironment.resolve(container: optional, namespace: "ns", podName: "p", port: 1, store: store)["X"] == nil)
    }
}

@Suite("Small pieces: ages, template hashes")
struct SmallPiecesTests {
    @Test("ages print as kubectl's HumanDuration", arguments: [
        (5.0, "5s"), (119, "119s"), (120, "2m"), (125, "2m5s"), (900, "15m"), (3 * 3600 + 60, "3h1m"),
        (10 * 3600, "10h"), (3 * 86400 + 3600, "3d1h"), (30 * 86400, "30d"),
    ] as [(TimeInterval, String)])
    func ages(seconds: TimeInterval, expected: String) {
        #expect(TableView.humanDuration(seconds) == expected)
    }

    @Test("the pod-template-hash is stable and changes with the template")
    func templateHash() {
        let a: JSONValue = ["spec": ["containers": [["name": "c", "image": "x:1"]]]]
        let b: JSONValue = ["spec": ["containers": [["name": "c", "image": "x:2"]]]]
        #expect(TemplateHash.of(a) == TemplateHash.of(a))
        #expect(TemplateHash.of(a) != TemplateHash.of(b))
        #expect(TemplateHash.of(a).allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
    }
}
