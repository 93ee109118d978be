import Testing
@testable import KubeSim

@Suite("Patch types")
struct PatchTests {
    let deployment = Fixtures.deployment("d", container: [
        "name": "app", "image": "app:1",
        "env": [["name": "A", "value": "1"], ["name": "B", "value": "2"]],
    ])

    @Test("strategic merge merges containers and env by name")
    func strategicMergesByName() {
        let patch: JSONValue = ["spec": ["template": ["spec": ["containers": [
            ["name": "app", "env": [["name": "B", "value": "changed"], ["name": "C", "value": "3"]]],
        ]]]]]
        let result = StrategicMergePatch.apply(patch, to: deployment)
        let containers = result.value(at: ["spec", "template", "spec", "containers"])?.arrayValue ?? []
        #expect(containers.count == 1)
        #expect(containers.first?["image"]?.stringValue == "app:1")
        #expect(containers.first?["env"] == [["name": "A", "value": "1"], ["name": "B", "value": "changed"], ["name": "C", "value": "3"]])
    }

    @Test("a merge patch replaces lists instead")
    func mergePatchReplacesLists() {
        let patch: JSONValue = ["spec": ["template": ["spec": ["containers": [["name": "app", "env": [["name": "C", "value": "3"]]]]]]]]
        let result = MergePatch.apply(patch, to: deployment)
        #expect(result.value(at: ["spec", "template", "spec", "containers"]) == [["name": "app", "env": [["name": "C", "value": "3"]]]])
    }

    @Test("strategic \\$patch: delete removes a keyed list element, null removes a field")
    func strategicDirectives() {
        let patch: JSONValue = ["spec": ["replicas": nil, "template": ["spec": ["containers": [
            ["name": "app", "env": [["name": "A", "$patch": "delete"]]],
        ]]]]]
        let result = StrategicMergePatch.apply(patch, to: deployment)
        #expect(result.value(at: ["spec", "replicas"]) == nil)
        #expect(result.value(at: ["spec", "template", "spec", "containers"])?.arrayValue?.first?["env"] == [["name": "B", "value": "2"]])
    }

    @Test("JSON patch add, replace, remove and test")
    func jsonPatch() throws {
        let doc: JSONValue = ["a": ["b": 1], "list": [1, 2]]
        let patch: JSONValue = [
            ["op": "test", "path": "/a/b", "value": 1],
            ["op": "replace", "path": "/a/b", "value": 2],
            ["op": "add", "path": "/list/-", "value": 3],
            ["op": "remove", "path": "/list/0"],
            ["op": "add", "path": "/a~1c", "value": "slash"],
        ]
        let result = try JSONPatch.apply(patch, to: doc)
        #expect(result == ["a": ["b": 2], "list": [2, 3], "a/c": "slash"])
        #expect(throws: APIError.self) { try JSONPatch.apply([["op": "test", "path": "/a/b", "value": 9]], to: doc) }
        #expect(throws: APIError.self) { try JSONPatch.apply([["op": "replace", "path": "/missing", "value": 9]], to: doc) }
    }

    @Test("JSON and YAML parse to the same value; quoted YAML scalars stay strings")
    func parsing() throws {
        let json = try JSONValue.parse(#"{"a":1,"b":"1","c":true,"d":null,"e":[1.5]}"#)
        let yaml = try JSONValue.parseYAML("a: 1\nb: \"1\"\nc: true\nd: null\ne: [1.5]\n")
        #expect(json == yaml)
        #expect(try JSONValue.parse(json.jsonString) == json)
        #expect(try JSONValue.parseYAMLDocuments("a: 1\n---\nb: 2\n---\n").count == 2)
    }
}
