# The store's errors an operator meets, as `flexledger` and `flexledger-audit` say them
# on standard error (src/store/mod.rs, `StoreError::sentence`): the engine's, the
# operating system's and a damage report's own words (`detail`) stay as they came.

store-io = I/O failed on { $path }: { $detail }
store-locked = the data directory { $path } is in use by another flexledger process (it holds the directory's lock): stop that process or pass another --data-dir
store-permission-denied = permission denied on { $path }: { $detail }; the user running flexledger needs read and write access to the data directory and every file in it
store-disk-full = the disk holding { $path } is full: { $detail }; free space and run the command again (a write that failed was not acknowledged)
store-damaged = stored data is damaged: { $detail }
store-damaged-at = stored data is damaged at position { $position }: { $detail }
store-writer-locked = the store { $store } is in use by another flexledger writer (it holds the store's writer lock): stop that process, or open the store read-only
store-standby = the store { $store } is on a standby in recovery, which takes no writes: run the writer (`serve`, `submit`, `migrate`, `rebuild`, `checkpoint`, `export`) against the primary, or `serve --read-only` here
store-found-damaged = { $found_by } found this store damaged at { $found_at } ({ $detail }), and nothing is appended to a store found damaged: a restore from a backup would lose what was appended after it. Copy the data directory aside, recover it as below, then run `flexledger verify`: once the whole store verifies, the mark { $mark } is removed and writes resume
store-not-migrated = the store { $store } has schema version { $found } and this build needs version { $needed }: run `flexledger migrate --store { $quoted }` (with the store's password, if it has one), then try again
store-schema-too-new = the store { $store } has schema version { $found }, newer than this build knows (version { $known }): it was migrated by a newer flexledger; run that version
store-copy-being-made = { $store } holds a store that `flexledger copy` was still making when it stopped ({ $making }): it is not a ledger yet. Run the same copy again to finish it, or remove { $quoted } and start over
store-unavailable = cannot use the store { $store }: { $advice ->
        [login] { $detail }; check the user and password the URL gives, and the server's pg_hba.conf{ $password_from ->
            [none] {""}
           *[other] {" "}(user { $user }; the password came from { $password_from ->
                [url] the URL
                [environment] PGPASSWORD
                [file] the password file { $path }
               *[nowhere] nowhere (none was found)
            })
        }
        [no-database] { $detail }; the database does not exist: create it (createdb NAME), run `flexledger migrate --store { $quoted }`, then try again
        [too-many-connections] { $detail }; the server accepts no connection now: try again later, or raise its max_connections
        [starting-up] { $detail }; the server is starting up or shutting down: try again in a moment
        [shut-down] { $detail }; the server shut down: start it and try again
        [connection-failed] { $detail }; the connection to the server failed: is the server running and reachable?
        [encryption] { $detail }; the connection was not encrypted as sslmode=require asks: the server must have ssl = on, and its certificate must verify, for the name or address the URL reaches it by (give its CA as sslrootcert=PATH in the URL when it is not in the system's trust store)
        [not-reachable] { $detail }; is the server running, and does the URL name its host and port (or socket directory)?
        [password-missing] the server asks for a password for user { $user } and none was given: put it in ~/.pgpass (or PGPASSFILE), PGPASSWORD, or the URL
       *[none] { $detail }
    }

store-restore-target-not-empty = { $path } exists and is not empty: restore makes a new data directory; pass a new or empty --data-dir
store-restore-target-unusable = { $path } cannot be a new data directory: { $detail }
