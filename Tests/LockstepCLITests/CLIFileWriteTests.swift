import Foundation
import Testing

/// Files Lockstep writes (`audit export -o`, `vault keygen`) appear whole or not at all, only
/// as regular files, never through a symlink or over a device, FIFO or folder.
@Suite struct CLIFileWriteTests {
    /// Runs the CLI with a file-size limit of 0: every write of a byte fails (EFBIG), as on a full disk.
    static let noSpace = ["/bin/sh", "-c", "ulimit -f 0; exec \"$0\" \"$@\""]

    func leftovers(_ dir: String, besides keep: Set<String>) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { !keep.contains($0) }
    }

    @Test func exportRefusesASymlinkAFIFOADeviceAndAFolder() async throws {
        let v = try await CLIVault()
        let target = v.dir.file("precious.txt")
        #expect(FileManager.default.createFile(atPath: target, contents: Data("keep me\n".utf8)))
        let link = v.dir.file("link.jsonl")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let fifo = v.dir.file("fifo.jsonl")
        #expect(mkfifo(fifo, 0o600) == 0)
        let folder = v.dir.file("folder.jsonl")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        var paths = [link, fifo, folder]
        let device = v.dir.file("null.jsonl")
        if mknod(device, S_IFCHR | 0o600, 0x103) == 0 { paths.append(device) } // /dev/null's numbers; needs root
        for path in paths {
            let r = try await CLI.run(["audit", "export", "--vault", v.vault, "-o", path], timeout: .seconds(20))
            #expect(r.code == 73, "\(path): \(r.all)")
            #expect(r.stderr.contains("not a regular file"))
        }
        #expect(FileManager.default.contents(atPath: target) == Data("keep me\n".utf8))
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == target)
        var st = stat()
        #expect(lstat(fifo, &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO)
        if paths.contains(device) { #expect(lstat(device, &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR) }
        #expect(leftovers(v.dir.path, besides: ["vault.db", "vault.db-wal", "vault.db-shm", "vault.key", "precious.txt", "link.jsonl", "fifo.jsonl", "folder.jsonl", "null.jsonl"]).isEmpty)
    }

    @Test func exportReplacesARegularFileAtomicallyWithMode0600() async throws {
        let v = try await CLIVault()
        let out = v.dir.file("audit.jsonl")
        #expect(FileManager.default.createFile(atPath: out, contents: Data("old\n".utf8), attributes: [.posixPermissions: 0o644]))
        let r = try await CLI.run(["audit", "export", "--vault", v.vault, "-o", out])
        #expect(r.code == 0, "\(r.all)")
        let text = String(decoding: FileManager.default.contents(atPath: out) ?? Data(), as: UTF8.self)
        #expect(text.hasPrefix("{\"v\":1,\"seq\":1,"))
        var st = stat()
        #expect(stat(out, &st) == 0 && st.st_mode & 0o777 == 0o600)
        let fresh = v.dir.file("new.jsonl")
        #expect(try await CLI.run(["audit", "export", "--vault", v.vault, "-o", fresh]).code == 0)
        #expect(stat(fresh, &st) == 0 && st.st_mode & 0o777 == 0o600)
    }

    @Test func exportOnAFullDiskExits74AndLeavesTheOldFile() async throws {
        let v = try await CLIVault()
        let out = v.dir.file("audit.jsonl")
        #expect(FileManager.default.createFile(atPath: out, contents: Data("old\n".utf8)))
        let r = try await CLI.run(["audit", "export", "--vault", v.vault, "-o", out], wrapper: Self.noSpace)
        #expect(r.code == 74, "\(r.all)")
        #expect(r.stderr.contains("hint:"))
        #expect(FileManager.default.contents(atPath: out) == Data("old\n".utf8))
        #expect(leftovers(v.dir.path, besides: ["vault.db", "vault.db-wal", "vault.db-shm", "vault.key", "audit.jsonl"]).isEmpty)
    }

    @Test func keygenOnAFullDiskLeavesNoKeyFileAndTheRetryWorks() async throws {
        let dir = try TempDir()
        let key = dir.file("vault.key")
        let r = try await CLI.run(["vault", "keygen", "--out", key], wrapper: Self.noSpace)
        #expect(r.code == 74, "\(r.all)")
        #expect(r.stderr.contains("hint:"))
        #expect(FileManager.default.fileExists(atPath: key) == false)
        #expect(leftovers(dir.path, besides: []).isEmpty)
        let retry = try await CLI.run(["vault", "keygen", "--out", key])
        #expect(retry.code == 0, "\(retry.all)")
        #expect(try await CLI.run(["vault", "keygen", "--out", key]).code == 73)
        let link = dir.file("link.key")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: dir.file("elsewhere.key"))
        #expect(try await CLI.run(["vault", "keygen", "--out", link]).code == 73)
        #expect(FileManager.default.fileExists(atPath: dir.file("elsewhere.key")) == false)
    }
}
