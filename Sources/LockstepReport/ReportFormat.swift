import Foundation

/// The output formats of `lockstep report`.
public enum ReportFormat: String, Sendable, CaseIterable {
    case html, csv, json

    /// The rendered report, as the bytes to write.
    public func render(_ report: ComplianceReport) throws -> Data {
        switch self {
        case .html: Data(ReportHTML.render(report).utf8)
        case .csv: Data(ReportCSV.render(report).utf8)
        case .json: try ReportJSON.render(report)
        }
    }
}
