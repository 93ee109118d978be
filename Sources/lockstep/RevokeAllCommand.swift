import ArgumentParser
import Foundation
import LockstepApp
import LockstepCore
import LockstepCrypto
import LockstepDaemon
import LockstepVault

/// `lockstep revoke --all`: the compromised-gateway path (IncidentService).
struct RevokeAll {
    let options: RunOptions
    let incident: IncidentID
    let reason: String
    let gateway: String?
    let valueFiles: [String]
    let json: Bool

    /// The policies of the incident: every one in the folder, or those of `gateway`.
    func policies() throws -> [RotationPolicy] {
        let all = try options.policies.all()
        let chosen = IncidentPlan.policies(all, ofGateway: gateway)
        guard !chosen.isEmpty else {
            let known = Set(all.compactMap(\.gatewayAddress)).sorted()
            throw CLIFailure(message: "no policy in \(options.policies.policies) names the gateway \(gateway ?? "")", hint: "known gateways: \(known.joined(separator: ", "))", code: Exit.notFound)
        }
        if options.gatewayURL != nil, Set(chosen.compactMap(\.gatewayAddress)).count > 1 {
            throw CLIFailure(message: "--gateway-url reaches one gateway, and these policies name \(Set(chosen.compactMap(\.gatewayAddress)).count)",
                             hint: "add --gateway URL to revoke one gateway's credentials", code: Exit.usage)
        }
        return chosen
    }

    /// `--value-file NAME=PATH`: each file read whole (one trailing newline removed), bounded.
    func values() throws -> [String: SecretBytes] {
        var out: [String: SecretBytes] = [:]
        for spec in valueFiles {
            guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex, spec.index(after: eq) != spec.endIndex else {
                throw CLIFailure(message: "--value-file takes NAME=PATH", hint: "e.g. --value-file anthropic-api-key=/dev/shm/new-key", code: Exit.usage)
            }
            let name = String(spec[..<eq]), path = String(spec[spec.index(after: eq)...])
            guard out[name] == nil else { throw CLIFailure(message: "--value-file names \(name) twice", hint: nil, code: Exit.usage) }
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw CLIFailure(message: "cannot read value file \(path)", hint: "check the path and its permissions", code: Exit.notFound)
            }
            defer { try? handle.close() }
            out[name] = try SecretInput.readAll(from: handle)
        }
        return out
    }

    func run() async throws {
        let policies = try policies()
        let values = try values()
        let vault = try Vault.open(at: try options.vault.path(), key: try options.key.source())
        let service = options.service(vault: vault)
        let responder = IncidentService(service: service, store: vault, progress: { Console.note("\($0)\n") })
        let request = IncidentService.Request(incident: incident, reason: reason, policies: policies, values: values, origin: .commandLine)
        try responder.check(request)
        let report = try await options.cluster.withCluster { cluster in try await responder.respond(request, on: cluster) }
        try show(report, json: json)
    }
}

/// Prints an incident's report; `failing`: a report that is not all refused exits with its code
/// (`revoke --all`; `history --incident` only shows it).
func show(_ report: IncidentReport, json: Bool, failing: Bool = true) throws {
    if json {
        try printJSON(report)
    } else {
        let verdict = report.everyOldValueRefusedAfterMillis.map { "every old value refused at its source, the last after \(String(format: "%.1f", Double($0) / 1000)) s" }
            ?? "NOT every old value is refused: see the notes"
        try Console.out("incident \(report.incident): \(verdict)")
        try printTable(header: ["CREDENTIAL", "STATE", "REFUSED AT", "AFTER", "RUN", "NOTE"], rows: report.entries.map {
            [$0.credential, $0.state.rawValue, $0.refusedAt?.rawValue ?? "-", $0.refusedAfterMillis.map { String(format: "%.1f s", Double($0) / 1000) } ?? "-", $0.run ?? "-", $0.note ?? ""]
        })
    }
    let code = report.exitCode
    guard failing, code != .success else { return }
    let open = report.entries.filter { $0.state != .refused }.map(\.credential)
    throw CLIFailure(message: "incident \(report.incident): \(open.count) of \(report.entries.count) old value(s) not refused at their source: \(open.joined(separator: ", "))",
                     hint: code == .incidentIncomplete ? "do what the notes say, then run the same revoke --all again: what is refused already is skipped"
                                                       : "`lockstep history --incident \(report.incident)` shows every run; fix the cause and run the same revoke --all again",
                     code: code)
}
