import Foundation
import LockstepCrypto

// lockstep-bench [crypto|vault|audit|report|all] — prints Markdown sections for docs/benchmarks.md.
let which = CommandLine.arguments.dropFirst().first ?? "all"
var out = ""
if which == "crypto" || which == "all" {
    out += "### Seal and open of 1 KiB values\n\n" + (try cryptoBench(rounds: 15)) + "\n"
}
if which == "vault" || which == "all" {
    out += "### Opening a vault holding 10,000 versions\n\n" + (try vaultBench(versions: 10_000)) + "\n"
}
if which == "audit" || which == "all" {
    out += "### `audit verify` on a 100,000-entry export\n\n" + (try auditBench(entries: 100_000)) + "\n"
}
if which == "report" {
    // Not in `all`: it runs the release `lockstep` CLI, which scripts/bench builds and names in LOCKSTEP_BIN.
    guard let cli = ProcessInfo.processInfo.environment["LOCKSTEP_BIN"] else { fatalError("LOCKSTEP_BIN is not set (scripts/bench report sets it)") }
    out += "### `lockstep report` on a 100,000-entry export\n\n" + (try reportBench(entries: 100_000, cli: cli)) + "\n"
}
print(out, terminator: "")
