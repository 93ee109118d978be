import Foundation
import LockstepDaemon

/// The admin API's JSON bodies: any body either decodes or maps to a 400 with the fixed
/// message (never the decoder's text, never a 500); no crash.
enum AdminBodyTarget {
    static let tokens = ["{\"credential\":", "\"kind\":\"revoke\"", "\"reason\":", "\"immediate\":true", "null", "[]", "1e999", "\"\\ud800\"", ","].map { Array($0.utf8) }

    static var target: FuzzTarget {
        FuzzTarget(name: "admin", tokens: tokens) { bytes in
            do {
                _ = try JSONDecoder().decode(AdminWire.RotateRequest.self, from: Data(bytes))
                return nil
            } catch {
                let problem = AdminWire.Problem(error)
                if problem.code.httpStatus != 400 { return "a bad body answers \(problem.code.httpStatus): \(problem.error.prefix(120))" }
                if problem.error.contains("CodingKeys") || problem.error.contains("underlyingError") { return "decoder text in the answer: \(problem.error.prefix(120))" }
                return nil
            }
        }
    }
}
