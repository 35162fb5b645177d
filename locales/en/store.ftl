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
store-unavailable = cannot use the store { $store }: { $detail }

store-restore-target-not-empty = { $path } exists and is not empty: restore makes a new data directory; pass a new or empty --data-dir
store-restore-target-unusable = { $path } cannot be a new data directory: { $detail }
