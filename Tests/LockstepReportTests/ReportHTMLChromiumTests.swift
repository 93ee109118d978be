import Foundation
import LockstepReport
import LockstepTesting
import Testing

/// The HTML report opened in headless Chromium: the figures are read back from the DOM the
/// browser built (not from pixels), and a screenshot is kept as a test artifact.
@Suite(.serialized) struct ReportHTMLChromiumTests {
    /// Missing Chromium skips the suite on a workstation; with CI=true the test runs and fails.
    static let chromium = HeadlessChromium.find()

    @Test(.enabled(if: chromium != nil || TestEnvironment.inCI, "chromium is not installed (scripts/setup installs it)"))
    func theHTMLReportShowsTheFiguresInChromium() async throws {
        let chromium = try #require(Self.chromium, "chromium is not on PATH: run scripts/setup")
        let report = try ReportFiles.report()
        let artifacts = TestEnvironment.repositoryRoot.appendingPathComponent(".build/test-artifacts/report")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let html = artifacts.appendingPathComponent("report.html").path
        try ReportFormat.html.render(report).write(to: URL(fileURLWithPath: html))

        let dom = try await chromium.dumpDOM(html)
        func figure(_ name: String) -> String? {
            guard let r = dom.range(of: "data-figure=\"\(name)\">") else { return nil }
            return String(dom[r.upperBound...].prefix { $0 != "<" })
        }
        #expect(figure("verification") == "verified")
        #expect(figure("head") == report.verification.head)
        #expect(figure("entries") == String(report.verification.entries))
        #expect(figure("credentials") == "3")
        #expect(figure("in-policy") == "2")
        #expect(figure("out-of-policy") == "1")
        #expect(figure("open-incidents") == "2")
        #expect(figure("oldest-key")?.hasPrefix("anthropic-api-key v1, 119d") == true)
        // One timeline per credential, a bar per version that was current, a max-age line each.
        let current = report.credentials.flatMap(\.versions).filter { $0.currentFrom != nil }.count
        #expect(dom.components(separatedBy: "<svg class=\"timeline\"").count - 1 == 3)
        #expect(dom.components(separatedBy: "<rect class=\"version ").count - 1 == current)
        #expect(dom.components(separatedBy: "<line class=\"max-age\"").count - 1 == 3)
        #expect(dom.contains("data-outcome=\"rolled-back\""))
        #expect(dom.contains("<g class=\"mark m-drift\">"))
        #expect(dom.contains("data-status=\"out-of-policy\""))
        // Self-contained: nothing to fetch, nothing to run.
        #expect(!dom.contains("<script") && !dom.contains("<link") && !dom.contains("src=\"http"))

        let png = artifacts.appendingPathComponent("report.png").path
        try? FileManager.default.removeItem(atPath: png)
        try await chromium.screenshot(html, to: png, width: 1100, height: 3200)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) && bytes.count > 20_000)
        print("report test artifacts: \(html) and \(png)")
    }
}
