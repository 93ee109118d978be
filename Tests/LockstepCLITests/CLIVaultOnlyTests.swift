import Foundation
import LockstepTesting
import Testing

/// An admin credential's own policy on the command line: `rotate --value-from-stdin` stores and
/// promotes the new value without any cluster connection (no kubeconfig at all), `status` shows
/// its age and due date, `adopt` says to import it instead; no value in any output.
@Suite struct CLIVaultOnlyTests {
    static let old = #"{"type":"service_account","client_email":"lockstep@p.iam.gserviceaccount.com","private_key":"OLD-PRIVATE-KEY-0001"}"#
    static let new = #"{"type":"service_account","client_email":"lockstep@p.iam.gserviceaccount.com","private_key":"NEW-PRIVATE-KEY-0002"}"#

    @Test("rotate without a kubeconfig: v2 current, v1 previous, audited; status shows it with its maximum age; adopt refused (64) with the import command; no value printed")
    func rotatesInTheVaultAlone() async throws {
        let v = try await CLIVault()
        let folder = v.dir.file("policies")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try KubeObjects.vaultOnlyPolicy(name: "google-admin").write(toFile: folder + "/google-admin.yaml", atomically: true, encoding: .utf8)
        let imported = try await v.importValue("google-admin", Self.old)
        #expect(imported.code == 0, "\(imported.stderr)")
        let env = ["KUBECONFIG": v.dir.file("no-such-kubeconfig")]
        let base = ["--vault", v.vault, "--key-file", v.key, "--policies", folder, "--no-daemon"]
        let rotated = try await CLI.run(["rotate", "google-admin", "--value-from-stdin"] + base, stdin: Self.new, env: env)
        #expect(rotated.code == 0, "\(rotated.stderr)")
        #expect(rotated.stdout.contains("held only by the vault: nothing to check in the cluster or at a gateway") && rotated.stdout.contains("succeeded"), "\(rotated.stdout)")
        let history = try await CLI.run(["history", "google-admin", "--vault", v.vault, "--no-daemon"])
        #expect(history.stdout.contains("v2       current") && history.stdout.contains("v1       previous"), "\(history.stdout) \(history.stderr)")
        let status = try await CLI.run(["status"] + base, env: env)
        #expect(status.stdout.contains("google-admin") && status.stdout.contains("100d"), "\(status.stdout) \(status.stderr)")
        let adopt = try await CLI.run(["credential", "adopt", "google-admin", "--vault", v.vault, "--key-file", v.key, "--policies", folder], env: env)
        #expect(adopt.code == 64 && adopt.stderr.contains("held only by the vault") && adopt.stderr.contains("lockstep credential import google-admin"), "\(adopt.stderr)")
        for r in [imported, rotated, history, status, adopt] {
            #expect(concealed { !(r.stdout + r.stderr).contains("PRIVATE-KEY-000") }, "a value in the output")
        }
    }
}
