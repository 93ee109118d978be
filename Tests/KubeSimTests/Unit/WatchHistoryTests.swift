import Foundation
import Testing
@testable import KubeSim

@Suite("Watch: resume from a resourceVersion, 410 when too old")
struct WatchHistoryTests {
    let context = WriteContext(manager: "test")

    func patch(_ store: ObjectStore, _ value: String) throws {
        try store.modify(ObjectKey(type: .secrets, namespace: "ns", name: "s1"), context: context) { old in
            MergePatch.apply(["data": ["k": .string(Data(value.utf8).base64EncodedString())]], to: old)
        }
    }

    @Test("a watch from resourceVersion N replays exactly the later events, then streams live ones")
    func resumeReplaysLaterEvents() async throws {
        let store = ObjectStore()
        try store.create(.secrets, namespace: "ns", object: Fixtures.secret("s1", data: ["k": "0"]), context: context)
        try patch(store, "1")
        let resumeFrom = store.resourceVersion
        try patch(store, "2")
        try patch(store, "3")
        let subscription = try store.watch(.secrets, namespace: "ns", fromResourceVersion: resumeFrom, matches: { _ in true })
        #expect(subscription.initial.map(\.kind) == [.modified, .modified])
        #expect(subscription.initial.map(\.resourceVersion) == [resumeFrom + 1, resumeFrom + 2])
        try store.delete(ObjectKey(type: .secrets, namespace: "ns", name: "s1"))
        var iterator = subscription.events.makeAsyncIterator()
        let live = await iterator.next()
        #expect(live?.kind == .deleted)
        #expect(live?.resourceVersion == resumeFrom + 3)
        store.closeWatches()
        #expect(await iterator.next() == nil)
    }

    @Test("a watch from a resourceVersion older than the kept history fails with 410 Expired")
    func tooOldIsGone() throws {
        let store = ObjectStore(historyLimit: 3)
        try store.create(.secrets, namespace: "ns", object: Fixtures.secret("s1", data: ["k": "0"]), context: context)
        let old = store.resourceVersion
        for i in 1...5 { try patch(store, String(i)) }
        let error = #expect(throws: APIError.self) {
            _ = try store.watch(.secrets, namespace: "ns", fromResourceVersion: old, matches: { _ in true })
        }
        #expect(error?.code == 410)
        #expect(error?.reason == "Expired")
        #expect(error?.message.hasPrefix("too old resource version: \(old)") == true)
        // The newest versions can still be resumed.
        let recent = try store.watch(.secrets, namespace: "ns", fromResourceVersion: store.resourceVersion - 2, matches: { _ in true })
        #expect(recent.initial.count == 2)
        store.closeWatches()
    }

    @Test("a watch without a resourceVersion starts with ADDED for every matching object")
    func watchFromZeroListsFirst() throws {
        let store = ObjectStore()
        try store.create(.secrets, namespace: "ns", object: Fixtures.secret("a", data: [:]), context: context)
        try store.create(.secrets, namespace: "ns", object: Fixtures.secret("b", data: [:]), context: context)
        try store.create(.secrets, namespace: "other", object: Fixtures.secret("c", namespace: "other", data: [:]), context: context)
        let selector = try Selector(labelSelector: nil, fieldSelector: "metadata.name=b")
        let subscription = try store.watch(.secrets, namespace: "ns", fromResourceVersion: 0, matches: { selector.matches($0) })
        #expect(subscription.initial.map(\.kind) == [.added])
        #expect(subscription.initial.first?.object.value(at: ["metadata", "name"])?.stringValue == "b")
        store.closeWatches()
    }
}
