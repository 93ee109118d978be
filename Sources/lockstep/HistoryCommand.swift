import ArgumentParser
import Foundation
import LockstepApp
import LockstepAudit
import LockstepCore
import LockstepDaemon
import LockstepVault

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "A credential's versions, rotation runs and audit entries; or, with --incident, what an incident's revoke --all did. Needs no key.")

    @Argument(help: "The credential (leave out with --incident).")
    var name: String?
    @Option(name: .long, help: ArgumentHelp("The report of incident ID (revoke --all): per credential, its run and when its old value was refused.", valueName: "ID"))
    var incident: String?
    @OptionGroup var vault: VaultPathOption
    @Flag(name: .long, help: "Machine-readable output.")
    var json = false
    @OptionGroup var daemon: DaemonOption

    func validate() throws {
        if (name == nil) == (incident == nil) { throw ValidationError("name a credential, or pass --incident ID") }
    }

    func run() async throws {
        try await runAsyncCLI {
            guard let name else { return try await incidentReport() }
            let output: AdminWire.HistoryResponse
            if let client = daemon.client() {
                output = try await client.history(name)
            } else {
                output = AdminWire.HistoryResponse(try CredentialHistory.read(name, vaultAt: try vault.path()))
            }
            if json { return try printJSON(output) }
            let record = output.credential
            try Console.out("credential \(record.name) (kind \(record.kind))\n")
            try printTable(header: ["VERSION", "STATE", "SOURCE", "CREATED", "FINGERPRINT"],
                       rows: record.versions.map { ["v\($0.version)", $0.state.rawValue, $0.source.rawValue, $0.createdAt.rfc3339, $0.fingerprint] })
            try Console.out("")
            if output.runs.isEmpty { try Console.out("no rotation runs") } else {
                try printTable(header: ["RUN", "KIND", "STARTED", "FINISHED", "OUTCOME", "NOTE"], rows: output.runs.map {
                    [$0.id, $0.kind, $0.startedAt, $0.finishedAt ?? "(in progress: \($0.phase))", $0.outcome ?? "-", $0.rollbackFailure ?? $0.failure ?? ""]
                })
            }
            try Console.out("")
            try printTable(header: ["SEQ", "TIME", "ACTOR", "ACTION", "OUTCOME", "DETAIL"], rows: output.audit.map { [String($0.seq), $0.time, $0.actor, $0.action, $0.outcome, $0.detail ?? ""] })
        }
    }

    private func incidentReport() async throws {
        let id = try IncidentID(incident ?? "")
        if let client = daemon.client() { return try show(try await client.incidentReport(id.rawValue), json: json, failing: false) }
        guard let report = IncidentReport.fold(try AuditLogStore.open(vaultAt: try vault.path()).events(by: id.actor), incident: id.rawValue) else {
            throw CLIFailure(message: "no incident \(id) in the audit log", hint: "it is opened by `lockstep revoke --all --incident \(id)`", code: Exit.notFound)
        }
        try show(report, json: json, failing: false)
    }
}
