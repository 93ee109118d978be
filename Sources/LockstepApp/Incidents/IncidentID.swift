import LockstepCore

/// An incident's id, as the responder's ticket names it (`INC-2026-0042`): 1 to 64 letters,
/// digits and `-_.:/#`. It becomes the audit actor `incident:ID` of every run of the incident.
public struct IncidentID: Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(_ text: String) throws(ServiceProblem) {
        let allowed = text.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "-_.:/#".unicodeScalars.contains($0) }
        guard (1...64).contains(text.utf8.count), allowed else {
            throw ServiceProblem("the incident id must be 1 to 64 letters, digits and - _ . : / #", hint: "use the ticket's id, e.g. INC-2026-0042", code: .usage)
        }
        rawValue = text
    }

    public var actor: AuditActor { AuditActor(kind: .incident, id: rawValue) }
    public var description: String { rawValue }
}
