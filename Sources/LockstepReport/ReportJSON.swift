import Foundation

/// The report as JSON for SIEMs: sorted keys, two-space indentation, integers only, so that the
/// same log gives the same bytes.
public enum ReportJSON {
    public static func render(_ report: ComplianceReport) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(report)
        data.append(10)
        return data
    }
}
