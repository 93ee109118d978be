import ArgumentParser
import Foundation
import LockstepAudit
import LockstepCore
import LockstepPolicy
import LockstepReport
import LockstepVault

/// `lockstep report`: the auditor's report, from the vault's log or from an export and the
/// audit public key (no vault, no secret), verified in the same pass that builds it.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The auditor's report: rotation compliance per credential, from the verified audit log and the policies.",
        discussion: "Reads --vault PATH (read-only, no key) or --export FILE with --public-key KEY (and --head SEQ:HASH to rule out a truncated tail). Every entry is verified as it is read; a log that does not verify gives no report (exit 12). \"Now\" is --until, else the last entry's time, so the same log gives the same report.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case html, csv, json }

    @Option(name: .long, help: ArgumentHelp("Read the log of this vault (read-only; no key needed). Default: $LOCKSTEP_VAULT.", valueName: "PATH"))
    var vault: String?
    @Option(name: .long, help: ArgumentHelp("Read an exported JSON Lines file instead (`lockstep audit export`); needs --public-key.", valueName: "FILE"))
    var export: String?
    @Option(name: .long, help: ArgumentHelp("Audit public key for --export: Base64, or a file holding it.", valueName: "KEY"))
    var publicKey: String?
    @Option(name: .long, help: ArgumentHelp("SEQ:HASH kept elsewhere (`lockstep audit head`): the export must reach it. Only with --export.", valueName: "SEQ:HASH"))
    var head: String?
    @Option(name: .long, help: ArgumentHelp("Folder of policy files (interval, maximum age). Default: policies, when it exists.", valueName: "DIR"))
    var policies: String?
    @Option(name: .long, help: ArgumentHelp("List events at or after this time (RFC 3339 or YYYY-MM-DD); the state before it still counts.", valueName: "T"))
    var since: String?
    @Option(name: .long, help: ArgumentHelp("The report's \"now\": entries after it are left out. Default: the last entry's time.", valueName: "T"))
    var until: String?
    @Option(name: .long, help: "html (default; one self-contained file), csv or json.")
    var format: Format = .html
    @Option(name: .shortAndLong, help: ArgumentHelp("Write to FILE instead of standard output.", valueName: "FILE"))
    var output: String?

    func run() throws {
        try runCLI {
            let from = try since.map { try parseTime($0, "--since") }, to = try until.map { try parseTime($0, "--until") }
            if let from, let to, from > to {
                throw CLIFailure(message: "--since \(from) is after --until \(to)", hint: "the report covers --since up to --until (its \"now\")", code: Exit.usage)
            }
            let report: ComplianceReport
            do {
                report = try ReportGenerator.build(from: try input(), policies: try loadPolicies(), since: from, until: to)
            } catch let e as ReportError {
                throw CLIFailure(message: e.message, hint: e.hint, code: e.code == .notVerified ? Exit.auditVerifyFailed : Exit.notFound)
            }
            let bytes = try ReportFormat(rawValue: format.rawValue)!.render(report)
            if let output {
                try PrivateFile.write(output, what: "report", publish: .replaceRegularFile) { emit in try bytes.withUnsafeBytes { try emit($0) } }
            } else {
                FileHandle.standardOutput.write(bytes)
            }
        }
    }

    private func input() throws -> ReportInput {
        guard let export else {
            guard publicKey == nil, head == nil else {
                throw CLIFailure(message: "--public-key and --head go with --export", hint: "a vault's log is verified under the vault's own public key; to check a head, export the log and pass --export FILE --public-key KEY --head SEQ:HASH", code: Exit.usage)
            }
            return .vault(path: try resolveVaultPath(vault))
        }
        guard vault == nil else { throw CLIFailure(message: "give --vault or --export, not both", hint: nil, code: Exit.usage) }
        guard let publicKey else {
            throw CLIFailure(message: "--export needs --public-key", hint: "get it from `lockstep audit public-key --vault PATH` through a channel you trust", code: Exit.usage)
        }
        return .export(path: export, publicKey: try parsePublicKey(publicKey), head: try head.map { try parseHead($0, "--head") })
    }

    private func loadPolicies() throws -> [RotationPolicy] {
        guard let policies else {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: "policies", isDirectory: &isDir), isDir.boolValue else { return [] }
            return try PolicyOption.load("policies")
        }
        return try PolicyOption.load(policies)
    }
}
