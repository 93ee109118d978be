import Foundation
import Testing
@testable import KubeSim

@Suite("Object store: resourceVersion, conflicts, generation, immutability")
struct ObjectStoreTests {
    let context = WriteContext(manager: "test")

    @Test("a stale resourceVersion answers 409 with the apiserver's exact Status body")
    func staleResourceVersionConflicts() throws {
        let store = ObjectStore()
        let created = try store.create(.secrets, namespace: "ns", object: Fixtures.secret("s1", data: ["k": "v1"]), context: context)
        let stale = created.value(at: ["metadata", "resourceVersion"])!
        let key = ObjectKey(type: .secrets, namespace: "ns", name: "s1")
        try store.modify(key, context: context) { old in MergePatch.apply(["data": ["k": "djI="]], to: old) }
        let error = #expect(throws: APIError.self) {
            try store.modify(key, context: context) { old in
                MergePatch.apply(["metadata": ["resourceVersion": stale], "data": ["k": "djM="]], to: old)
            }
        }
        #expect(error?.code == 409)
        // Byte for byte the body in DESIGN.md §8 (read from the real apiserver).
        #expect(error?.status.jsonString == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Operation cannot be fulfilled on secrets \"s1\": the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict","details":{"name":"s1","kind":"secrets"},"code":409}"#)
    }

    @Test("a write that changes nothing keeps the resourceVersion")
    func noOpWriteDoesNotBump() throws {
        let store = ObjectStore()
        try store.create(.secrets, namespace: "ns", object: Fixtures.secret("s1", data: ["k": "v"]), context: context)
        let before = store.resourceVersion
        let key = ObjectKey(type: .secrets, namespace: "ns", name: "s1")
        let after = try store.modify(key, context: context) { old in MergePatch.apply(["data": ["k": "dg=="]], to: old) }
        #expect(store.resourceVersion == before)
        #expect(after.value(at: ["metadata", "resourceVersion"])?.stringValue == String(before))
        try store.modify(key, context: context) { old in MergePatch.apply(["data": ["k": "dzI="]], to: old) }
        #expect(store.resourceVersion == before + 1)
    }

    @Test("spec changes bump metadata.generation, metadata-only changes do not")
    func generationFollowsSpec() throws {
        let store = ObjectStore()
        try store.create(.deployments, namespace: "ns", object: Fixtures.deployment("d"), context: context)
        let key = ObjectKey(type: .deployments, namespace: "ns", name: "d")
        #expect(store.get(key)?.value(at: ["metadata", "generation"])?.intValue == 1)
        try store.modify(key, context: context) { old in MergePatch.apply(["metadata": ["labels": ["x": "y"]]], to: old) }
        #expect(store.get(key)?.value(at: ["metadata", "generation"])?.intValue == 1)
        try store.modify(key, context: context) { old in
            StrategicMergePatch.apply(["spec": ["template": ["metadata": ["annotations": ["kubectl.kubernetes.io/restartedAt": "now"]]]]], to: old)
        }
        #expect(store.get(key)?.value(at: ["metadata", "generation"])?.intValue == 2)
    }

    @Test("an immutable Secret refuses data changes with 422")
    func immutableSecret() throws {
        let store = ObjectStore()
        try store.create(.secrets, namespace: "ns", object: Fixtures.secret("s1", data: ["k": "v"], immutable: true), context: context)
        let key = ObjectKey(type: .secrets, namespace: "ns", name: "s1")
        let error = #expect(throws: APIError.self) {
            try store.modify(key, context: context) { old in MergePatch.apply(["data": ["k": "dzI="]], to: old) }
        }
        #expect(error?.code == 422)
        #expect(error?.message == "Secret \"s1\" is invalid: data: Forbidden: field is immutable when `immutable` is set")
    }

    @Test("stringData is folded into base64 data and never stored")
    func stringDataIsWriteOnly() throws {
        let store = ObjectStore()
        let object: JSONValue = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s"], "stringData": ["k": "hello"]]
        let created = try store.create(.secrets, namespace: "ns", object: object, context: context)
        #expect(created.value(at: ["data", "k"])?.stringValue == "aGVsbG8=")
        #expect(created["stringData"] == nil)
        #expect(created["type"]?.stringValue == "Opaque")
        #expect(created.value(at: ["metadata", "namespace"])?.stringValue == "ns")
        #expect(created.value(at: ["metadata", "uid"])?.stringValue?.count == 36)
    }

    @Test("404 and AlreadyExists use the apiserver's messages")
    func notFoundAndAlreadyExists() throws {
        let store = ObjectStore()
        let missing = #expect(throws: APIError.self) {
            try store.modify(ObjectKey(type: .secrets, namespace: "ns", name: "x"), context: context) { $0! }
        }
        #expect(missing?.code == 404)
        #expect(missing?.message == "secrets \"x\" not found")
        try store.create(.deployments, namespace: "ns", object: Fixtures.deployment("d"), context: context)
        let exists = #expect(throws: APIError.self) {
            try store.create(.deployments, namespace: "ns", object: Fixtures.deployment("d"), context: context)
        }
        #expect(exists?.message == "deployments.apps \"d\" already exists")
    }

    @Test("managedFields record each field manager")
    func managedFieldsPerManager() throws {
        let store = ObjectStore()
        try store.create(.secrets, namespace: "ns", object: Fixtures.secret("s1", data: ["a": "1"]), context: WriteContext(manager: "seed", fieldsSet: ManagedFields.fieldSet(of: Fixtures.secret("s1", data: ["a": "1"]))))
        let key = ObjectKey(type: .secrets, namespace: "ns", name: "s1")
        let patch: JSONValue = ["data": ["b": "Mg=="]]
        let updated = try store.modify(key, context: WriteContext(manager: "kubectl-patch", fieldsSet: ManagedFields.fieldSet(of: patch))) { MergePatch.apply(patch, to: $0) }
        let entries = updated.value(at: ["metadata", "managedFields"])?.arrayValue ?? []
        #expect(entries.compactMap { $0["manager"]?.stringValue }.sorted() == ["kubectl-patch", "seed"])
        let patchEntry = entries.first { $0["manager"]?.stringValue == "kubectl-patch" }
        #expect(patchEntry?.value(at: ["fieldsV1", "f:data", "f:b"]) == [:])
        #expect(patchEntry?["operation"]?.stringValue == "Update")
    }
}
