import Foundation
import Testing

/// A write to standard output or standard error that fails (a full disk, a closed pipe) is an
/// error: exit 74 and one `error:` line, never a crash (SIGILL from FileHandle, SIGPIPE) and
/// never output lost with exit 0.
@Suite struct CLIOutputFailureTests {
    /// Runs the CLI with standard output (or error) on `/dev/full`, which fails every write with ENOSPC.
    static func onFullDisk(_ args: [String], stream: Int32 = 1, stdin: String? = nil) async throws -> CLIResult {
        try await CLI.run(args, stdin: stdin, wrapper: ["/bin/sh", "-c", "exec \"$0\" \"$@\" \(stream)>/dev/full"])
    }

    static func expectOneIOError(_ r: CLIResult, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.code == 74, "\(what): exit \(r.code), stderr \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.components(separatedBy: "\n").filter { $0.hasPrefix("error: ") }.count == 1, "\(what): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("backtrace"), "\(what): \(r.stderr)", sourceLocation: sourceLocation)
    }

    @Test func everyKindOfOutputOnAFullDiskExits74() async throws {
        let v = try await CLIVault()
        try await v.importValue("m", "sk-value-output-failure-1")
        let policies = v.dir.file("policies")
        try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
        for (what, args) in [("credential list", ["credential", "list", "--vault", v.vault]),
                             ("credential list --json", ["credential", "list", "--vault", v.vault, "--json"]),
                             ("audit export", ["audit", "export", "--vault", v.vault]),
                             ("audit head", ["audit", "head", "--vault", v.vault]),
                             ("vault keygen", ["vault", "keygen", "--out", v.dir.file("new.key")]),
                             ("--help", ["--help"]),
                             ("--version", ["--version"])] {
            let r = try await Self.onFullDisk(args)
            Self.expectOneIOError(r, what)
            #expect(r.stderr.contains("error: cannot write to standard output: No space left on device"), "\(what): \(r.stderr)")
            #expect(r.stderr.contains("hint: the disk (or your quota) is full"), "\(what): \(r.stderr)")
        }
    }

    @Test func aLostProgressLineOnStandardErrorStillFailsTheCommand() async throws {
        let v = try await CLIVault()
        try await v.importValue("m", "sk-value-output-failure-2")
        let export = v.dir.file("a.jsonl")
        #expect(try await CLI.run(["audit", "export", "--vault", v.vault, "-o", export]).code == 0)
        let key = try await CLI.run(["audit", "public-key", "--vault", v.vault]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // `verified in …` goes to standard error; the result line gets through.
        let r = try await Self.onFullDisk(["audit", "verify", export, "--public-key", key], stream: 2)
        #expect(r.code == 74, "exit \(r.code)")
        #expect(r.stdout.hasPrefix("ok: "))
    }

    @Test func aClosedPipeIsAnErrorNotASIGPIPEDeath() async throws {
        let v = try await CLIVault()
        for i in 0..<3 { try await v.importValue("c\(i)", "sk-value-closed-pipe-\(i)") }
        let pipe = Pipe()
        try pipe.fileHandleForReading.close() // no reader: every write fails with EPIPE
        let errPipe = Pipe()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = ["audit", "export", "--vault", v.vault]
        p.standardOutput = pipe.fileHandleForWriting
        p.standardError = errPipe.fileHandleForWriting
        p.standardInput = FileHandle.nullDevice
        try p.run()
        try pipe.fileHandleForWriting.close()
        try errPipe.fileHandleForWriting.close()
        let stderr = Collected()
        errPipe.fileHandleForReading.readabilityHandler = { stderr.append($0.availableData) }
        let deadline = Date().addingTimeInterval(60)
        while p.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(10)) } // never block the cooperative pool
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        while p.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: .milliseconds(100))
        errPipe.fileHandleForReading.readabilityHandler = nil
        #expect(p.terminationReason == .exit, "killed by signal \(p.terminationStatus)")
        #expect(p.terminationStatus == 74)
        #expect(stderr.text.hasPrefix("error: cannot write to standard output: Broken pipe"), "\(stderr.text)")
    }
}
