import Foundation
import Testing

/// `--reason` and `--incident` quoting a stored key: exit 65 before any step, the audit log
/// unchanged, and the value printed nowhere.
@Suite struct CLIAuditScreenTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let value = "sk-cli-screened-master-key-0123456789"

    func head(_ v: CLIVault) async throws -> String { try await CLI.run(["audit", "head", "--vault", v.vault]).stdout }

    @Test func aReasonOrIncidentHoldingTheCurrentKeyExits65AndWritesNothing() async throws {
        let v = try await CLIVault()
        #expect(try await v.importValue("litellm-master-key", Self.value).code == 0)
        let before = try await head(v)
        // No kubeconfig is given: the refusal must come before the cluster is even configured.
        let runs: [[String]] = [
            ["rotate", "litellm-master-key", "--reason", "leaked: \(Self.value)"],
            ["revoke", "litellm-master-key", "--yes", "--reason", "leaked " + Data(Self.value.utf8).base64EncodedString()],
            ["revoke", "litellm-master-key", "--yes", "--reason", "leak", "--incident", String(Self.value.dropFirst(3))],
        ]
        for args in runs {
            let r = try await CLI.run(args + ["--no-daemon", "--vault", v.vault, "--key-file", v.key, "--policies", Self.root + "/policies",
                                        "--kubeconfig", v.dir.file("absent-kubeconfig")])
            #expect(r.code == 65, "\(args[0]): \(r.code)")
            #expect(r.stderr.contains("--reason") || r.stderr.contains("--incident"))
            let leaked = r.all.contains(Self.value) || r.all.contains(String(Self.value.dropFirst(3))) || r.all.contains(Data(Self.value.utf8).base64EncodedString())
            #expect(leaked == false)
        }
        await #expect(try head(v) == before)
    }

    @Test func anImportWhoseKindHoldsTheValueExits65() async throws {
        let v = try await CLIVault()
        let before = try await head(v)
        let r = try await CLI.run(["credential", "import", "m", "--kind", "x" + Self.value, "--vault", v.vault, "--key-file", v.key], stdin: Self.value)
        #expect(r.code == 65)
        #expect(r.all.contains(Self.value) == false)
        await #expect(try head(v) == before)
    }
}

/// `--head` is checked or the run fails; a segment needs an anchor asked for.
@Suite struct CLIVerifyHeadTests {
    @Test func aHeadBeforeTheSegmentOrBeyondTheEndFails() async throws {
        let v = try await CLIVault()
        for i in 0..<3 { try await v.importValue("c\(i)", "sk-value-for-head-test-\(i)") }
        let pub = try await CLI.run(["audit", "public-key", "--vault", v.vault]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let full = v.dir.file("full.jsonl")
        #expect(try await CLI.run(["audit", "export", "--vault", v.vault, "-o", full]).code == 0)
        let lines = String(decoding: FileManager.default.contents(atPath: full)!, as: UTF8.self).split(separator: "\n").map(String.init)
        func hash(_ i: Int) -> String { String(lines[i].split(separator: "\"hash\":\"")[1].prefix(64)) }
        let seg = v.dir.file("seg.jsonl")
        #expect(FileManager.default.createFile(atPath: seg, contents: Data((lines[2...].joined(separator: "\n") + "\n").utf8)))
        let early = try await CLI.run(["audit", "verify", seg, "--public-key", pub, "--from-anchor", "2:\(hash(1))", "--head", "1:\(hash(0))"])
        #expect(early.code == 12 && !early.all.contains("matches"))
        let beyond = try await CLI.run(["audit", "verify", full, "--public-key", pub, "--head", "9:\(hash(3))"])
        #expect(beyond.code == 12 && beyond.stderr.contains("truncation"))
        let good = try await CLI.run(["audit", "verify", seg, "--public-key", pub, "--from-anchor", "2:\(hash(1))", "--head", "4:\(hash(3))"])
        #expect(good.code == 0, "\(good.all)")
    }
}

@Suite struct CLIPublicKeyFileTests {
    @Test func aHugePublicKeyFileIsRefusedWithoutReadingIt() async throws {
        let dir = try TempDir()
        let big = dir.file("pub.txt")
        #expect(FileManager.default.createFile(atPath: big, contents: Data(repeating: 0x41, count: 8 << 20)))
        #expect(FileManager.default.createFile(atPath: dir.file("a.jsonl"), contents: Data("{}\n".utf8)))
        let r = try await CLI.run(["audit", "verify", dir.file("a.jsonl"), "--public-key", big])
        #expect(r.code == 64 && r.stderr.contains("far larger than a public key"))
    }
}

@Suite struct CLIVerifyStrictTests {
    @Test func aDuplicateMemberInAnExportFailsWhereverItIs() async throws {
        let v = try await CLIVault()
        try await v.importValue("c0", "sk-value-for-duplicate-test-0")
        let pub = try await CLI.run(["audit", "public-key", "--vault", v.vault]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let export = v.dir.file("a.jsonl")
        #expect(try await CLI.run(["audit", "export", "--vault", v.vault, "-o", export]).code == 0)
        let text = String(decoding: FileManager.default.contents(atPath: export)!, as: UTF8.self)
        // One copy is the signed value; a reader that keeps the other copy sees "forged".
        for (from, to) in [("\"detail\":", "\"detail\":\"forged\",\"detail\":"), (",\"prev\":", ",\"detail\":\"forged\",\"prev\":")] {
            var lines = text.split(separator: "\n").map(String.init)
            lines[1] = lines[1].replacingOccurrences(of: from, with: to)
            let path = v.dir.file("dup.jsonl")
            #expect(FileManager.default.createFile(atPath: path, contents: Data((lines.joined(separator: "\n") + "\n").utf8)))
            let r = try await CLI.run(["audit", "verify", path, "--public-key", pub])
            #expect(r.code == 12 && r.stderr.contains("malformed"), "\(to): \(r.all)")
        }
    }
}

@Suite struct CLIVerifyStreamTests {
    /// The export comes through a FIFO whose writer never closes it: a verifier that read the
    /// whole input first would wait for ever (and the run time out); one that stops at the
    /// first bad line answers at once.
    @Test func verifyStopsAtTheFirstBadLineWithoutReadingFurther() async throws {
        let v = try await CLIVault()
        let pub = try await CLI.run(["audit", "public-key", "--vault", v.vault]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let fifo = v.dir.file("export.fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let fd = open(fifo, O_RDWR) // held open: no end of file while the CLI runs
        #expect(fd >= 0)
        defer { close(fd) }
        let text = Array("{\"v\":1,not json\n".utf8) + Array(repeating: UInt8(ascii: "x"), count: 4000) + [10]
        #expect(text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == text.count)
        let r = try await CLI.run(["audit", "verify", fifo, "--public-key", pub], timeout: .seconds(30))
        #expect(r.code == 12 && r.stderr.contains("line 1: malformed entry"), "\(r.all)")
    }
}
