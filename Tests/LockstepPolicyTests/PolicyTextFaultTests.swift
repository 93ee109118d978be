import Foundation
import LockstepCore
@testable import LockstepPolicy
import Testing

/// Faults in the text itself (a duplicate key, a NUL byte, bytes that are not UTF-8) are
/// located at their line and column, and the message never holds the file; a maxAge shorter
/// than the schedule's interval is refused.
@Suite struct PolicyTextFaultTests {
    static func problems(_ bytes: [UInt8]) -> [PolicyProblem] { PolicyLoader.parse(bytes: bytes, file: "p.yaml").problems }

    @Test func duplicateKeyIsLocatedAtItsSecondOccurrence() throws {
        // Line 10 is `  maxAge: 35d`; the copy goes on line 11.
        let text = validMasterKey.replacingOccurrences(of: "  maxAge: 35d\n", with: "  maxAge: 35d\n  maxAge: 40d\n")
        let problems = Self.problems(Array(text.utf8))
        let p = try #require(problems.first)
        #expect(problems.count == 1, "\(problems)")
        #expect(p.line == 11 && p.column == 3, "\(p)")
        #expect(p.message == "field \"maxAge\" appears twice in one mapping (first at 10:3)")
        #expect(!p.description.contains("apiVersion"), "the file is not dumped into the message")
    }

    @Test func duplicateKeyInAFlowMappingIsLocatedOnItsLine() throws {
        let text = validMasterKey.replacingOccurrences(of: "checks: {newKeyAccepted: true, oldKeyRefused: true}", with: "checks: {newKeyAccepted: true, newKeyAccepted: false}")
        let p = try #require(Self.problems(Array(text.utf8)).first)
        #expect(p.line == 19 && p.column == 34, "\(p)")
        #expect(!p.description.contains("apiVersion"))
    }

    @Test func nulByteIsLocated() throws {
        var bytes = Array(validMasterKey.utf8)
        let at = try #require(validMasterKey.range(of: "jitter")).lowerBound.utf16Offset(in: validMasterKey)
        bytes.insert(0, at: at)
        let problems = Self.problems(bytes)
        let p = try #require(problems.first)
        #expect(problems.count == 1, "\(problems)")
        #expect(p.line == 9 && p.column == 5, "\(p)")
        #expect(p.message == "a NUL byte here: YAML does not allow control characters")
        #expect(p.description.utf8.count < 200)
    }

    @Test func bytesThatAreNotUTF8AreLocated() throws {
        var bytes = Array(validMasterKey.utf8)
        let at = try #require(validMasterKey.range(of: "restart-together")).lowerBound.utf16Offset(in: validMasterKey)
        bytes.insert(0xFF, at: at + 3)
        let problems = Self.problems(bytes)
        let p = try #require(problems.first)
        #expect(problems.count == 1, "\(problems)")
        #expect(p.line == 11 && p.column == 16, "\(p)")
        #expect(p.message == "the file is not UTF-8: byte 0xFF here is not part of a UTF-8 character")
    }

    @Test func loaderLocatesBytesThatAreNotUTF8InAFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("policy-utf8-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(Array("apiVersion: lockstep/v1\nkind: Rotation\u{e9}".utf8.dropLast(1)) + [0x0A]).write(to: dir.appendingPathComponent("p.yaml"))
        let result = PolicyLoader.load(directory: dir.path)
        let p = try #require(result.problems.first)
        #expect(p.line == 2 && p.column == 15, "\(p)")
    }

    @Test func maxAgeShorterThanTheIntervalIsRefused() throws {
        let text = validMasterKey.replacingOccurrences(of: "  maxAge: 35d", with: "  maxAge: 7d")
        let p = try #require(single(text))
        #expect(p.line == 10 && p.column == 11, "\(p)")
        #expect(p.message == "spec.maxAge (7d) is shorter than spec.schedule.every (30d): the credential would be overdue before it is due")
        #expect(check(validMasterKey).isEmpty, "35d against 30d stays valid")
    }
}

extension PolicyTextFaultTests {
    /// A lone CR ends a line for YAML (and Yams): Lockstep's own locations count it the same way.
    @Test func aLoneCarriageReturnEndsALineAsInYAML() throws {
        let p = try #require(Self.problems(Array("apiVersion: lockstep/v1\rkind: \u{0}RotationPolicy\n".utf8)).first)
        #expect(p.line == 2 && p.column == 7, "\(p)")
    }
}
