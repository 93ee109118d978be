import GRDB

/// The vault's tables, as GRDB migrations. A migration is never edited once released; changes
/// come as new migrations. `formatVersion` in `vault_meta` says which Lockstep can read the file.
enum VaultSchema {
    static let formatVersion = 1

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-vault") { db in
            // Exactly one row: identity, key check and KDF parameters, and the keys sealed under the vault key.
            try db.execute(sql: """
                CREATE TABLE vault_meta (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    vault_id TEXT NOT NULL,
                    format_version INTEGER NOT NULL,
                    created_at TEXT NOT NULL,
                    key_kind TEXT NOT NULL CHECK (key_kind IN ('key-file', 'passphrase')),
                    kdf_algorithm TEXT, kdf_salt BLOB, kdf_opslimit INTEGER, kdf_memlimit INTEGER,
                    key_check BLOB NOT NULL,
                    key_generation INTEGER NOT NULL,
                    fingerprint_key BLOB NOT NULL,
                    audit_signing_key BLOB NOT NULL,
                    audit_public_key BLOB NOT NULL
                ) STRICT;
                CREATE TABLE credential (
                    name TEXT PRIMARY KEY,
                    kind TEXT NOT NULL,
                    created_at TEXT NOT NULL
                ) STRICT;
                CREATE TABLE version (
                    credential TEXT NOT NULL REFERENCES credential(name),
                    version INTEGER NOT NULL CHECK (version >= 1),
                    state TEXT NOT NULL CHECK (state IN ('pending','current','previous','retired','failed','revoked')),
                    source TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    sealed BLOB NOT NULL,
                    PRIMARY KEY (credential, version)
                ) STRICT;
                -- At most one current version per credential (DESIGN.md §3).
                CREATE UNIQUE INDEX version_one_current ON version(credential) WHERE state = 'current';
                """)
        }
        m.registerMigration("v1-audit") { db in
            // Append-only: the canonical entry as signed, plus copies of a few fields for filtering.
            try db.execute(sql: """
                CREATE TABLE audit (
                    seq INTEGER PRIMARY KEY CHECK (seq >= 1),
                    time_ms INTEGER NOT NULL,
                    action TEXT NOT NULL,
                    credential TEXT,
                    hash BLOB NOT NULL,
                    entry BLOB NOT NULL
                ) STRICT;
                CREATE INDEX audit_credential ON audit(credential, seq);
                CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
                    BEGIN SELECT RAISE(ABORT, 'audit log is append-only: UPDATE refused'); END;
                CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
                    BEGIN SELECT RAISE(ABORT, 'audit log is append-only: DELETE refused'); END;
                """)
        }
        return m
    }
}
