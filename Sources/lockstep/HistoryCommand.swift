import ArgumentParser
import Foundation
import LockstepAudit
import LockstepCore
import LockstepVault

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "A credential's versions, rotation runs and audit entries. Needs no key.")

    @Argument var name: String
    @OptionGroup var vault: VaultPathOption
    @Flag(name: .long, help: "Machine-readable output.")
    var json = false

    struct Output: Encodable {
        var credential: CredentialRecord
        var runs: [RunRecord]
        var audit: [Entry]
        struct Entry: Encodable { var seq: UInt64; var time: String; var actor: String; var action: String; var outcome: String; var detail: String? }
    }

    func run() throws {
        try runCLI {
            let path = try vault.path()
            let catalog = try VaultCatalog.open(vaultAt: path)
            let record = try catalog.credential(name)
            let runs = try catalog.runs(of: name)
            let entries = try AuditLogStore.open(vaultAt: path).entries(.init(credential: name)).map {
                Output.Entry(seq: $0.seq, time: $0.time.rfc3339, actor: "\($0.actor.kind.rawValue):\($0.actor.id)", action: $0.action, outcome: $0.outcome.rawValue, detail: $0.detail)
            }
            if json { return try printJSON(Output(credential: record, runs: runs, audit: entries)) }
            print("credential \(record.name) (kind \(record.kind))\n")
            printTable(header: ["VERSION", "STATE", "SOURCE", "CREATED", "FINGERPRINT"],
                       rows: record.versions.map { ["v\($0.version)", $0.state.rawValue, $0.source.rawValue, $0.createdAt.rfc3339, $0.fingerprint] })
            print("")
            if runs.isEmpty { print("no rotation runs") } else {
                printTable(header: ["RUN", "KIND", "STARTED", "FINISHED", "OUTCOME", "NOTE"], rows: runs.map {
                    [$0.id, $0.kind, $0.startedAt, $0.finishedAt ?? "(in progress: \($0.phase))", $0.outcome ?? "-", $0.rollbackFailure ?? $0.failure ?? ""]
                })
            }
            print("")
            printTable(header: ["SEQ", "TIME", "ACTOR", "ACTION", "OUTCOME", "DETAIL"], rows: entries.map { [String($0.seq), $0.time, $0.actor, $0.action, $0.outcome, $0.detail ?? ""] })
        }
    }
}
