import Foundation
import LockstepBench
import LockstepTesting
import Testing

@Suite("KeyRing: the fake provider's accepted keys")
struct KeyRingTests {
    @Test func parsesTheEnvListAndTheKeysFile() {
        #expect(KeyRing.parseList(" a , b,,c ") == ["a", "b", "c"])
        #expect(KeyRing.parseList(nil) == [])
        #expect(KeyRing.parseFile("# comment\nk1\n\n  k2  \r\nk3") == ["k1", "k2", "k3"])
    }

    @Test func acceptsOnlyListedKeys() {
        let ring = KeyRing(fixed: ["sk-one", "sk-two"])
        #expect(concealed { ring.accepts("sk-one") })
        #expect(concealed { ring.accepts("sk-two") })
        #expect(concealed { !ring.accepts("sk-on") })
        #expect(concealed { !ring.accepts("sk-one ") })
        #expect(concealed { !ring.accepts("") })
        #expect("\(ring)" == "KeyRing(2 keys)", "the description shows a count, never a key")
    }

    @Test("the keys file is read again when it changes: add the new key, then remove the old")
    func rotatesThroughTheFile() throws {
        let dir = try TempDirectory("keyring")
        let file = dir.file("keys")
        try "sk-old\n".write(toFile: file, atomically: true, encoding: .utf8)
        let ring = KeyRing(file: file)
        #expect(concealed { ring.accepts("sk-old") })
        #expect(concealed { !ring.accepts("sk-new") })
        try "sk-old\nsk-new\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(concealed { ring.accepts("sk-old") && ring.accepts("sk-new") })
        try "sk-new\n".write(toFile: file, atomically: false, encoding: .utf8)
        #expect(concealed { !ring.accepts("sk-old") })
        #expect(concealed { ring.accepts("sk-new") })
        try FileManager.default.removeItem(atPath: file)
        #expect(concealed { !ring.accepts("sk-new") }, "a missing file accepts nothing")
        #expect(ring.count == 0)
    }
}
