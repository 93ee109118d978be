import ArgumentParser
import Foundation
import LockstepAudit
import LockstepCore
import LockstepCrypto
import LockstepVault

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Export and verify the signed, hash-chained audit log. Needs no vault key.",
        subcommands: [PublicKey.self, Head.self, Export.self, Verify.self, Tail.self]
    )

    struct PublicKey: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "public-key", abstract: "Print the audit public key (Base64) to hand to auditors.")
        @OptionGroup var vault: VaultPathOption

        func run() throws {
            try runCLI {
                try Console.out(Data(try AuditLogStore.open(vaultAt: try vault.path()).publicKey()).base64EncodedString())
            }
        }
    }

    struct Head: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print SEQ:HASH of the last entry, to keep somewhere else.")
        @OptionGroup var vault: VaultPathOption

        func run() throws {
            try runCLI {
                guard let head = try AuditLogStore.open(vaultAt: try vault.path()).head() else {
                    throw CLIFailure(message: "the audit log is empty", hint: "a vault created by `lockstep vault init` always has an entry; is this the right file?", code: Exit.damaged)
                }
                try Console.out("\(head)")
            }
        }
    }

    enum Format: String, ExpressibleByArgument, CaseIterable { case jsonl, csv }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export entries as JSON Lines (verifiable) or CSV (for reading).")
        @OptionGroup var vault: VaultPathOption
        @Option(name: .long, help: "jsonl (default) or csv.")
        var format: Format = .jsonl
        @Option(name: .long, help: "Only entries at or after this time (RFC 3339 or YYYY-MM-DD).")
        var since: String?
        @Option(name: .long, help: "Only entries at or before this time.")
        var until: String?
        @Option(name: .long, help: "Only entries about this credential.")
        var credential: String?
        @Option(name: .shortAndLong, help: ArgumentHelp("Write to FILE instead of standard output.", valueName: "FILE"))
        var output: String?

        func run() throws {
            try runCLI {
                let filter = AuditLogStore.Filter(since: try since.map { try parseTime($0, "--since") },
                                                  until: try until.map { try parseTime($0, "--until") }, credential: credential)
                let store = try AuditLogStore.open(vaultAt: try vault.path())
                var out = Data()
                switch format {
                case .jsonl:
                    for line in try store.lines(filter) { out.append(contentsOf: line); out.append(10) }
                case .csv:
                    out.append(contentsOf: AuditCSV.header.utf8)
                    for e in try store.entries(filter) { out.append(contentsOf: AuditCSV.row(e).utf8) }
                }
                if let output {
                    try PrivateFile.write(output, what: "audit export", publish: .replaceRegularFile) { emit in try out.withUnsafeBytes { try emit($0) } }
                } else {
                    try Console.out(bytes: Array(out))
                }
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify an exported JSON Lines file offline (no vault needed), or the vault's log in place.",
            discussion: "Checks that every line is exactly the canonical export form, every entry's hash and Ed25519 signature, consecutive seqs and the hash chain; with --head, that the export holds the head's entry with its hash and nothing was cut off before it. A FILE not starting at seq 1 verifies only with --from-anchor. Reading stops at the first fault; a line over 1 MiB is one.")
        @Argument(help: "Exported JSON Lines file.")
        var file: String?
        @Option(name: .long, help: ArgumentHelp("Audit public key: Base64, or a file holding it. Required for FILE.", valueName: "KEY"))
        var publicKey: String?
        @Option(name: .long, help: ArgumentHelp("SEQ:HASH kept elsewhere (from `lockstep audit head`).", valueName: "SEQ:HASH"))
        var head: String?
        @Option(name: .long, help: ArgumentHelp("Verify this vault's log in place instead of a file.", valueName: "PATH"))
        var vault: String?
        @Option(name: .long, help: ArgumentHelp("SEQ:HASH of the entry a segment (an export not starting at seq 1) hangs from: a head you already hold. Without it, FILE must start at seq 1.", valueName: "SEQ:HASH"))
        var fromAnchor: String?

        func run() throws {
            try runCLI {
                let headValue = try head.map { try parseHead($0, "--head") }
                let anchorValue = try fromAnchor.map { try parseHead($0, "--from-anchor") }
                let report: AuditVerificationReport
                let started = ContinuousClock.now
                if let file {
                    guard vault == nil else { throw CLIFailure(message: "give FILE or --vault, not both", hint: nil, code: Exit.usage) }
                    guard let publicKey else { throw CLIFailure(message: "--public-key is required to verify a file", hint: "get it from `lockstep audit public-key --vault PATH` through a channel you trust", code: Exit.usage) }
                    let key = try parsePublicKey(publicKey)
                    // Streamed: memory stays bounded whatever follows the first bad line.
                    var reader: AuditLineReader
                    do { reader = try AuditLineReader(path: file) } catch {
                        throw CLIFailure(message: "cannot read \(file): \(error)", hint: "check the path", code: Exit.notFound)
                    }
                    report = AuditVerifier(publicKey: key).verify(reader: &reader, head: headValue, anchor: anchorValue)
                } else {
                    guard anchorValue == nil else { throw CLIFailure(message: "--from-anchor is for a segment FILE; the vault's log starts at seq 1", hint: nil, code: Exit.usage) }
                    let path = try resolveVaultPath(vault)
                    let store = try AuditLogStore.open(vaultAt: path)
                    report = try store.verify(head: headValue, publicKey: try publicKey.map(parsePublicKey))
                }
                let elapsed = ContinuousClock.now - started
                if let failure = report.failure {
                    throw CLIFailure(message: "audit log does NOT verify: \(failure)", hint: "the first bad entry is named above; entries before it verified (\(report.entries))", code: Exit.auditVerifyFailed)
                }
                guard let first = report.firstSeq, let last = report.lastSeq, let lastHash = report.lastHash else {
                    throw CLIFailure(message: "audit log is empty: nothing to verify", hint: nil, code: Exit.auditVerifyFailed)
                }
                if let anchor = report.anchor {
                    try Console.out("ok: segment seq \(first)..\(last) (\(report.entries) entries) verifies; it hangs from the given anchor \(first - 1):\(Hex.encode(anchor))")
                } else {
                    try Console.out("ok: \(report.entries) entries, seq \(first)..\(last), verify")
                }
                if headValue != nil, !report.headVerified {
                    // The verifier fails such a run itself; this keeps the promise even if it did not.
                    throw CLIFailure(message: "audit log does NOT verify: the given head could not be checked against it", hint: nil, code: Exit.auditVerifyFailed)
                }
                try Console.out("head: \(last):\(Hex.encode(lastHash))\(headValue == nil ? " (no --head given: a truncated tail cannot be ruled out)" : " (the given head \(headValue!) is in it and matches)")")
                Console.note("verified in \(elapsed.formatted(.units(allowed: [.milliseconds])))\n")
            }
        }
    }
}

func parseHead(_ text: String, _ option: String) throws -> AuditHead {
    guard let h = AuditHead(text), h.seq > 0 else { throw CLIFailure(message: "\(option) \"\(text)\" is not SEQ:HASH", hint: "use the output of `lockstep audit head`, e.g. 42:3f9a…(64 hex digits)", code: Exit.usage) }
    return h
}

func parseTime(_ text: String, _ option: String) throws -> Timestamp {
    guard let t = Timestamp(rfc3339: text) else {
        throw CLIFailure(message: "\(option) \"\(text)\" is not a time", hint: "use RFC 3339 (2026-11-29T09:00:00Z) or a date (2026-11-29)", code: Exit.usage)
    }
    return t
}

func parsePublicKey(_ text: String) throws -> [UInt8] {
    var candidate = text
    if FileManager.default.fileExists(atPath: text), let handle = FileHandle(forReadingAtPath: text) {
        defer { try? handle.close() }
        // A public key is 44 Base64 characters: read a little more than that, never a whole file.
        let data = (try? handle.read(upToCount: 4096)) ?? Data()
        guard data.count < 4096 else {
            throw CLIFailure(message: "--public-key file \(text) is far larger than a public key", hint: "use the output of `lockstep audit public-key`", code: Exit.usage)
        }
        candidate = String(decoding: data, as: UTF8.self)
    }
    guard let bytes = Data(base64Encoded: candidate.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32 else {
        throw CLIFailure(message: "--public-key is not a Base64 Ed25519 public key (32 bytes) nor a file holding one", hint: "use the output of `lockstep audit public-key`", code: Exit.usage)
    }
    return Array(bytes)
}
