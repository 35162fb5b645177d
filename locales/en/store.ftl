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

## What a damage report found (`DamageDetail`: src/store/checked_reads.rs, log_entry.rs,
## sled_store.rs), said inside store-damaged-at; the English is the contract's `message`.
store-found-altered = the event's bytes do not match its stored hash { $stored } (SHA-256 is { $computed }): it was altered
store-found-other-stream = envelope stream { $stream } does not match its payload
store-found-not-canonical = the stored bytes are not in canonical form
store-found-gap = the log has a gap: the next entry is position { $next }
store-found-log-short = the log ends at position { $last } but its head is { $head }: events were lost
store-found-engine-damaged = the storage engine found its files damaged ({ $detail }); restore the data directory from a backup
store-found-prev-hash = prev_hash { $prev_hash } does not link to the previous event's hash { $previous }: an event before it was altered, removed or reordered
store-found-index-entry = stream { $stream } index entry { $version } does not match the event
store-found-stream-prev-hash = stream_prev_hash does not link to version { $version } of { $stream }: an event of the stream was altered, removed or reordered
store-found-witness-missing = the head witness { $witness } is missing, but this store has kept one: it was deleted, or the data directory was copied or restored without it, so a log that lost its last events would look complete (it ends at position { $head }). Put the file back from where the directory came from, or restore the data directory from a backup; to accept the log as it is after every hash is checked, run `flexledger verify --accept-head`
store-found-witness-ahead = the log ends at position { $head }, but the head witness { $witness } records position { $witnessed } as durably appended: the storage engine lost events { $first_lost }..={ $witnessed } (its files were truncated or damaged). Restore the data directory from a backup; do not append to this store (it would reuse the lost positions)
store-found-witness-other-hash = the event's hash is { $hash }, but the head witness { $witness } recorded { $witnessed_hash } for this position (the log ends at position { $head }): the log was rewritten or damaged. Restore the data directory from a backup
store-found-witness-kept = { $finding }. `--accept-head` is for a head witness that is missing or unreadable; it does not write over one that records what the log lost. To accept the loss anyway, move the witness aside first: `mv { $witness } { $aside }`, then run `flexledger verify --accept-head` again
