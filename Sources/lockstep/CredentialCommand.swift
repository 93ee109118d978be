import ArgumentParser
import Foundation
import LockstepCore
import LockstepCrypto
import LockstepVault

struct CredentialCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credential",
        abstract: "Adopt and inspect credentials. Never prints a value.",
        subcommands: [Import.self, Adopt.self, List.self, Show.self]
    )

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Adopt a value in use today as the current version of a new credential.",
            discussion: "The value is read from standard input (one trailing newline is removed), or from --value-file; never from an argument.")

        @Argument(help: "Credential name (a-z, 0-9, '-', '.', '_').")
        var name: String
        @OptionGroup var vault: VaultPathOption
        @OptionGroup var key: VaultKeyOptions
        @Option(name: .long, help: "Kind, e.g. litellm-master-key or provider-key.")
        var kind: String = "generic"
        @Option(name: .long, help: ArgumentHelp("Read the value from this file instead of standard input.", valueName: "FILE"))
        var valueFile: String?

        func run() throws {
            try runCLI {
                let credential = try CredentialName(name)
                if key.passphraseStdin && valueFile == nil {
                    throw CLIFailure(message: "the passphrase and the value cannot both come from standard input", hint: "use --key-file, or pass the value with --value-file", code: Exit.usage)
                }
                let v = try Vault.open(at: try vault.path(), key: try key.source())
                let value = try readValue()
                let record = try v.importCredential(credential, value: value, kind: kind, actor: currentUserActor())
                try Console.out("imported \(credential) as version \(record.version) (current), fingerprint \(record.fingerprint)")
            }
        }

        private func readValue() throws -> SecretBytes {
            guard let valueFile else { return try SecretInput.readAll(prompt: "value of \(name)") }
            guard let handle = FileHandle(forReadingAtPath: valueFile) else {
                throw CLIFailure(message: "cannot read value file \(valueFile)", hint: "check the path and its permissions", code: Exit.notFound)
            }
            defer { try? handle.close() }
            return try SecretInput.readAll(from: handle)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List credentials: current version, its age and fingerprint. Needs no key.")

        @OptionGroup var vault: VaultPathOption
        @Flag(name: .long, help: "Machine-readable output.")
        var json = false

        func run() throws {
            try runCLI {
                let records = try VaultCatalog.open(vaultAt: try vault.path()).credentials()
                let now = SystemClock().now()
                if json { return try printJSON(records.map { CredentialSummary($0, now: now) }) }
                if records.isEmpty { return try Console.out("no credentials") }
                let rows = records.map { r -> [String] in
                    let c = r.current
                    return [r.name, r.kind, c.map { "v\($0.version)" } ?? "-", c.map { age(from: $0.createdAt, to: now) } ?? "-",
                            c?.fingerprint ?? "-", String(r.versions.count)]
                }
                try printTable(header: ["NAME", "KIND", "CURRENT", "AGE", "FINGERPRINT", "VERSIONS"], rows: rows)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show every version of a credential: state, times, fingerprint. Needs no key.")

        @Argument var name: String
        @OptionGroup var vault: VaultPathOption
        @Flag(name: .long, help: "Machine-readable output.")
        var json = false

        func run() throws {
            try runCLI {
                let record = try VaultCatalog.open(vaultAt: try vault.path()).credential(name)
                if json { return try printJSON(record) }
                try Console.out("credential \(record.name) (kind \(record.kind), created \(record.createdAt))")
                try printTable(header: ["VERSION", "STATE", "SOURCE", "CREATED", "UPDATED", "FINGERPRINT"],
                           rows: record.versions.map { ["v\($0.version)", $0.state.rawValue, $0.source.rawValue, $0.createdAt.rfc3339, $0.updatedAt.rfc3339, $0.fingerprint] })
            }
        }
    }
}

/// `credential list --json` element.
struct CredentialSummary: Encodable {
    var name: String
    var kind: String
    var currentVersion: Int?
    var currentFingerprint: String?
    var currentSince: String?
    var ageSeconds: Int64?
    var versions: Int

    init(_ r: CredentialRecord, now: Timestamp) {
        name = r.name
        kind = r.kind
        currentVersion = r.current?.version
        currentFingerprint = r.current?.fingerprint
        currentSince = r.current?.createdAt.rfc3339
        ageSeconds = r.current.map { (now.millisecondsSinceEpoch - $0.createdAt.millisecondsSinceEpoch) / 1000 }
        versions = r.versions.count
    }
}

func age(from: Timestamp, to: Timestamp) -> String {
    let s = max(0, (to.millisecondsSinceEpoch - from.millisecondsSinceEpoch) / 1000)
    if s < 120 { return "\(s)s" }
    if s < 7200 { return "\(s / 60)m" }
    if s < 172_800 { return "\(s / 3600)h" }
    return "\(s / 86400)d"
}

func printTable(header: [String], rows: [[String]]) throws {
    let all = [header] + rows
    let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
    for row in all {
        try Console.out(row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(separator: "  "))
    }
}
