import Foundation
import LockstepApp
import LockstepCore
import LockstepDaemon
import LockstepEngine
import LockstepTesting
import Testing

/// `ExitCode` is the README's table: the same codes, no more, no fewer; run outcomes and the
/// admin API's statuses follow from it.
@Suite struct ExitCodeTableTests {
    @Test func theEnumIsTheREADMEsTable() throws {
        let readme = try String(contentsOf: TestEnvironment.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "## Exit codes").dropFirst().first?.components(separatedBy: "\n## ").first)
        let documented = section.split(separator: "\n").compactMap { line -> Int32? in
            guard line.hasPrefix("| "), let cell = line.split(separator: "|").first else { return nil }
            return Int32(cell.trimmingCharacters(in: .whitespaces))
        }
        #expect(documented == ExitCode.allCases.map(\.rawValue))
    }

    @Test func outcomesMapToTheirCodes() {
        #expect(ExitCode(outcome: .succeeded) == .success)
        #expect(ExitCode(outcome: .rolledBack) == .rolledBack)
        #expect(ExitCode(outcome: .abandoned) == .notStarted)
        #expect(ExitCode(outcome: .rollbackDeliver) == .rollbackStuck)
        #expect(ExitCode(outcome: .rollbackVerify) == .rollbackStuck)
    }

    @Test func badInputIs400AndBusyIs503() {
        #expect(ExitCode.invalidInput.httpStatus == 400)
        #expect(ExitCode.usage.httpStatus == 400)
        #expect(ExitCode.notFound.httpStatus == 404)
        #expect(ExitCode.busy.httpStatus == 503)
        #expect(ExitCode.insecurePermissions.httpStatus == 403)
        #expect(ExitCode.rollbackStuck.httpStatus == 500)
    }

    @Test func aDecodingErrorIsBadInputWithoutTheDecodersText() {
        struct Body: Decodable { let credential: String }
        do {
            _ = try JSONDecoder().decode(Body.self, from: Data(#"{"credential": 7}"#.utf8))
            Issue.record("decoded")
        } catch {
            let problem = AdminWire.Problem(error)
            #expect(problem.code == .invalidInput)
            #expect(problem.error == "the request body is not the JSON this endpoint takes")
        }
    }
}
