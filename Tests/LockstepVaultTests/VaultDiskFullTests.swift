import Foundation
import GRDB
import Testing
@testable import LockstepVault

/// A full disk is named as such, with what to do, on every path that writes.
@Suite struct VaultDiskFullTests {
    @Test func sqliteFullCarriesTheDiskFullHint() {
        do {
            try Vault.mapDatabaseErrors("/v/vault.db") { () throws -> Void in throw DatabaseError(resultCode: .SQLITE_FULL, message: "database or disk is full") }
            Issue.record("no error")
        } catch let e as VaultError {
            #expect(e.code == .io)
            #expect(e.hint == "the disk (or your quota) is full: free space and retry; nothing was changed")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func enospcOnAnyFileWriteCarriesTheSameHint() {
        #expect(PrivateFile.error(ENOSPC, "cannot write x").hint == VaultError.diskFullHint)
        #expect(PrivateFile.error(EDQUOT, "cannot write x").hint == VaultError.diskFullHint)
    }
}
