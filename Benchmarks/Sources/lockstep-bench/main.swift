import Foundation
import LockstepCrypto

// lockstep-bench [crypto|vault|audit|all] — prints Markdown sections for docs/benchmarks.md.
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
print(out, terminator: "")
