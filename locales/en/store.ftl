# The store's errors an operator meets, as `flexledger` and `flexledger-audit` say them
# on standard error (src/store/mod.rs, `StoreError::sentence`): the engine's, the
# operating system's and a damage report's own words (`detail`) stay as they came.

store-io = I/O failed on { $path }: { $detail }
store-locked = the data directory { $path } is in use by another flexledger process (it holds the directory's lock): stop that process, or name another data directory. If it is `flexledger serve`, ask the server for members, regions and events instead (`GET /v1/members/ID`, `/v1/regions/NAME/months/MONTH`, `/v1/members/ID/events`), or copy its ledger with `flexledger backup --server URL` and `flexledger restore`
store-not-a-directory = { $path } is a file, not a data directory: pass --data-dir with a directory (a new one for a new ledger)
store-permission-denied = permission denied on { $path }: { $detail }; the user running flexledger needs read and write access to the data directory and every file in it
store-permission-denied-database = permission denied in the database { $path }: { $detail }; the store's user needs every privilege on the ledger's tables (`flexledger migrate` run as that user makes them its own)
store-database-read-only = the database { $path } makes every transaction read-only ({ $detail }, set for the database or the role): a writer cannot append to it. Turn it off for the writer (`ALTER ROLE … SET default_transaction_read_only = off`, or the same on the database) and start the writer again; readers (`serve --read-only`, `verify`) may use it as it is
store-read-only-file-system = { $path } is on a read-only file system ({ $detail }): the storage engine writes to its files even to read them (a snapshot as it opens), so no command can use the ledger there. Copy the data directory to a writable disk (cp -a { $path } COPY) and run the command on the copy
store-disk-full = { $reason ->
        [file-size] a file under { $path } reached this process's file size limit (`ulimit -f`, systemd's LimitFSIZE): { $detail }; raise the limit and run the command again (even a command that only reads writes: the engine writes as it opens the store; nothing that failed to be written was acknowledged)
        [database] the database server of { $path } has no space left: { $detail }; free space on the database server and run the command again (nothing that failed to be written was acknowledged)
       *[disk] the disk holding { $path } is full: { $detail }; free space and run the command again (even a command that only reads writes: the engine writes as it opens the store; nothing that failed to be written was acknowledged)
    }
store-damaged = stored data is damaged: { $detail }
store-damaged-at = stored data is damaged at position { $position }: { $detail }
store-writer-locked = the store { $store } is in use by another flexledger writer (it holds the store's writer lock): stop that process, or use what only reads beside it (`verify`, `events`, `member` and `region` while no month close is being recorded, `flexledger-audit verify`, `serve --read-only`); a backup of a served ledger comes from its server (`flexledger backup --server URL`)
store-standby = the store { $store } is on a standby in recovery, which takes no writes: run what writes or holds the writer lock (`serve`, `submit`, `migrate`, `rebuild`, `backup`, `copy`, `flexledger-audit checkpoint` and `export`) against the primary; here, run `serve --read-only` or the audit tools that only read, and take a backup from a read-only server given the ledger's key (`flexledger backup --server URL`)
store-found-damaged = { $found_by } found this store damaged at { $found_at } ({ $detail }), and nothing is appended to a store found damaged: a restore from a backup would lose what was appended after it. Copy the data directory aside, recover it as below, then run `{ $verify }`: once the whole store verifies, the mark { $mark } is removed and writes resume
store-found-rewritten = { $found_by } found this ledger's log rewritten (or rolled back) after a checkpoint kept outside it was signed, at { $found_at } ({ $detail }): nothing is appended to it, or signed from it. Recover as below; the mark { $mark } is removed only by `{ $verify }` passing with the kept checkpoint that found it
store-not-migrated = the store { $store } has schema version { $found } and this build needs version { $needed }: run `flexledger migrate --store { $quoted }` (with the store's password, if it has one), then try again
store-foreign-schema = the database of the store { $store } holds a table { $table } that is not flexledger's (another application's, or made by hand): the ledger needs a database of its own. Create one (createdb NAME) and run `flexledger migrate` on it
store-table-missing = the store { $store } is migrated but has no table { $table } (dropped by hand, or never brought back from a dump): what it held is gone, and nothing was changed. Restore the database from its backup, or restore a backup file into a new data directory (`flexledger restore`) and fill a new database from it (`flexledger copy --from DIR --to URL`); `migrate` does not make a dropped table again
store-schema-too-new = the store { $store } has schema version { $found }, newer than this build knows (version { $known }): it was migrated by a newer flexledger; run that version
store-migrations-unrecorded = the store { $store } holds the ledger's tables ({ $table } among them) but its table schema_migrations records no migration (its rows were deleted, or left out of a dump): which schema version the tables are at is unknown, so nothing was opened or migrated (`migrate` would fail making them again). Put the rows back from the database's backup; or, if you know the tables were made by a flexledger of schema version { $known } (this build's), record that version by hand: INSERT INTO schema_migrations (version, name) SELECT v, 'recorded by hand' FROM generate_series(1, { $known }) AS v; then run `flexledger verify --store …` before anything else
store-copy-being-made = { $store } holds a store that `flexledger copy` was still making when it stopped ({ $making }): it is not a ledger yet. Run the same copy again to finish it, or remove { $quoted } and start over
store-restore-unfinished = { $store } is a restore that is still running or stopped before it finished (it holds { $store }/restore-unfinished): it holds only part of the backup, and is not a ledger. If a `flexledger restore` is running (see `ps`), let it finish; otherwise remove it (rm -r { $quoted }; of a directory you prepared for the ledger, only what it holds) and run the restore again
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
        [no-database] { $detail }; the database does not exist: create it (createdb { $database }), run `flexledger migrate --store { $quoted }`, then try again
        [too-many-connections] { $detail }; the server accepts no connection now: try again later, or raise its max_connections
        [role-connection-limit] { $detail }; the login's role has reached its own connection limit: end its other sessions, or raise it (ALTER ROLE … CONNECTION LIMIT)
        [not-answering] the server took the connection but did not answer in time (each host's connect_timeout, then 10 s more): is it stopped or overloaded, or is another program listening at that address?
        [readers-busy] every one of the reader's 8 connections to the server is waiting for an answer, and none came back within 60 s: is the server stopped or overloaded (a frozen standby, a hung disk)? Reads already sent stay waiting until it answers; try again once it does
        [starting-up] { $detail }; the server is starting up or shutting down: try again in a moment
        [shut-down] { $detail }; the server shut down, or an administrator ended this connection (pg_terminate_backend): start the server if it is down, and try again
        [connection-failed] { $detail }; the connection to the server failed: is the server running and reachable?
        [encryption] { $detail }; the connection was not encrypted as sslmode=require asks: the server must have ssl = on, and its certificate must verify, for the name or address the URL reaches it by (give its CA as sslrootcert=PATH in the URL when it is not in the system's trust store)
        [not-reachable] { $detail }; is the server running, and does the URL name its host and port (or socket directory)?
        [password-missing] the server asks for a password for user { $user } and none was given: put it in ~/.pgpass (or PGPASSFILE) or PGPASSWORD (not in the URL, which shows in process lists and shell histories)
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
store-found-witness-slot-spoiled = one of the two slots of the head witness { $witness } is unreadable, and the log ends exactly at the other slot's position { $head }: the unreadable slot may have recorded later events that the log no longer holds (the engine's files rolled back), or only that slot was damaged; a crash does not leave this (an append is durable before its witness is written). Restore the data directory from a backup; or, if only the witness file was damaged, run `flexledger verify --accept-head`, which checks every hash and witnesses the log's head (the damaged file is kept beside it as damaged-head-witness)
store-found-witness-ahead = the log ends at position { $head }, but the head witness { $witness } records position { $witnessed } as durably appended: the storage engine lost events { $first_lost } to { $witnessed } (its files were truncated or damaged). Restore the data directory from a backup; do not append to this store (it would reuse the lost positions)
store-found-witness-other-hash = the event's hash is { $hash }, but the head witness { $witness } recorded { $witnessed_hash } for this position (the log ends at position { $head }): the log was rewritten or damaged, or the head witness is another data directory's (a file copied from elsewhere: then put this directory's own back). Otherwise restore the data directory from a backup
store-found-pg-witness-ahead = the database ends at position { $head }, but this data directory's head witness { $witness } records that its writer appended up to position { $witnessed }: events { $first_lost } to { $witnessed }, answered as recorded, are not in it (the database was put back from an older copy, or a standby that was behind was promoted). Nothing was appended: an append would give those positions to other events. Bring the lost events back (the newer copy, or the old primary's data); to accept the loss instead, move the witness aside (`mv { $witness } { $aside }`), run `flexledger verify` with the writer's --store and --data-dir, start the writer again, and send the lost commands again from their senders
store-found-pg-witness-slot-spoiled = one of the two slots of this data directory's head witness { $witness } is unreadable, and the database ends exactly at the other slot's position { $head }: the unreadable slot may have recorded later commits the database lacks (put back from an older copy, or a standby promoted while behind), or only that slot was damaged; a crash does not leave this (the witness is written after each commit). Nothing was appended. Bring any lost events back (the newer copy, or the old primary's data); to accept the database as it is, move the witness aside (`mv { $witness } { $aside }`), run `flexledger verify` with the writer's --store and --data-dir, and start the writer again
store-found-pg-witness-other-hash = the database's event at position { $witnessed } has hash { $hash }, but this data directory's head witness { $witness } recorded { $witnessed_hash }: the database holds another history than the one its writer appended here (put back from an older copy and written to since, or another ledger's database). Nothing was appended. If it is another ledger, start its writer with that ledger's own data directory; else restore the database from its backup, or, to accept it as it is, move the witness aside (`mv { $witness } { $aside }`) and run `flexledger verify` with the writer's --store and --data-dir
store-found-pg-witness-unreadable = this data directory's head witness { $witness } is unreadable (no intact record of the head its writer appended), so it cannot tell whether the database lost events. If no one edited it, a crash or the disk spoiled it: move it aside (`mv { $witness } { $aside }`), run `flexledger verify` with the writer's --store and --data-dir, and start the writer again, which keeps a new one
store-found-witness-kept = { $finding }. `--accept-head` is for a head witness that is missing or unreadable; it does not write over one that records what the log lost. To accept the loss anyway, move the witness aside first: `mv { $witness } { $aside }`, then run `flexledger verify --accept-head` again

## What `verify` found walking the store (src/store/findings.rs, called by src/ledger.rs).
store-found-rows-not-the-log-s = the state rows hold stream { $stream } at version { $rows } but the log holds it at version { $log }: a state row was altered or lost (or, on sled, the stream index), and a command was decided on it; nothing was appended (`flexledger verify` names what differs, `flexledger rebuild` makes the rows again from the log)
store-found-stream-discontinued = stream { $stream } does not continue from version { $version }: an event of the stream was altered, removed or reordered
store-found-hash-not-reproducible = the stored bytes are not in canonical form: the hash cannot be reproduced from the printed event
store-found-command-records-count = { $records } command records for { $commands } commands in the log: a command record was added or removed
store-found-command-record = command { $command }'s events at { $first }..{ $last } do not match its command record ({ $recorded ->
        [some] { $recorded_count } events from position { $recorded_first }, { $digested ->
            [some] body digest { $digest }
           *[none] no body digest
        }
       *[none] none is stored
    })
store-found-index-stray-stream = the stream index lists stream { $stream }, which has no events in the log
store-found-index-version-after = stream { $stream }'s index lists version { $version } after version { $after }
store-found-index-count = stream { $stream } has { $events } events in the log but { $indexed } in its index
store-found-index-positions = stream { $stream }'s index places its events at other positions than the log holds them
store-found-state-differs = stored state of { $row } differs from a fresh fold of the log
store-found-folded-undecodable = member { $member }'s folded state: { $detail }
store-found-fold-position = positions must increase; last applied was { $last }
store-found-fold-close-region = month close for unknown region { $region }
store-found-fold-enrolled-twice = member { $member } enrolled twice
store-found-fold-enrollment-region = enrollment in unknown region { $region }
store-found-fold-not-member-event = { $type } is not a member event
store-found-fold-unknown-member = { $type } for unknown member { $member }
store-found-fold-member-region = member { $member } in unknown region
store-found-fold-payment-months = payment without months
store-found-fold-member-period = member without period
store-found-fold-refund-unpaid = refund of { $month }, which is not paid
store-found-fold-grant-length = grant length out of range
store-found-fold-no-member = the history holds no member { $member }

## The state row a finding (or a rebuild's list) names, inside store-found-state-differs
## and store-found-row-undecodable.
store-row-checkpoint = the projection checkpoint row ({ $stored ->
        [some] at position { $position }, row format { $format }
       *[none] none is stored
    }; the log's head is at { $head })
store-row-region = region { $region }
store-row-some-region = a region
store-row-index = the { $index } index of region { $region }
store-row-month-totals = the { $month } totals of region { $region }
store-row-summary = the summary of region { $region }
store-row-region-summary = region { $region }'s summary
store-row-region-month = region { $region } month { $month }
store-row-member = member { $member }
store-row-stray-member = member { $member } (a stored row for a member the log does not have)
store-row-unknown-key = a state row at key { $key } (no build writes such a key)

## What a read of the state rows found.
store-found-row-undecodable = stored state of { $row } does not decode: { $detail }
store-found-row-invalid = stored state: { $detail }
store-found-row-other-member = stored state: the row of member { $member } holds member { $held }
store-found-region-row-missing = member { $member }'s region { $region } has no state row
store-found-member-row-missing = member { $member } has events from position { $position } on but no state row: the state rows are damaged (`flexledger rebuild` writes them again from the log)
store-found-indexed-member-row-missing = member { $member } is in region { $region }'s index but has no state row
store-found-close-walk-out-of-order = the month close's walk of region { $region }'s enrolled and granted indexes met member { $member } again, or out of order, after member { $after }: an index holds a member it should not (a withdrawn member still among the enrolled, or keys out of order)
store-found-member-stream-start = a member stream must begin with MemberEnrolled
store-found-checkpoint-row-length = checkpoint row is { $bytes } bytes, not 8 or 12
store-found-checkpoint-row-format = checkpoint row names state format { $format }, which no build writes (a row of 12 bytes names format 2 or later)
store-found-closing-undecodable = a month close in progress does not decode: { $detail }
store-found-feed-item-undecodable = a feed item does not decode: { $detail }
store-found-coverage-change-undecodable = a coverage change does not decode: { $detail }
store-found-coverage-change-misplaced = a coverage change of member { $member } says position { $position }, which is not where the feed keeps it: outside the log (positions 1 to { $head }) or before the change stored before it
store-indexed-as = the stream index holds position { $position } as event { $version } of stream { $stream }
store-found-copy-row-undecodable = the row marking an unfinished copy does not decode: { $detail }
store-found-index-member-id = { $index } index of region { $region } holds a malformed member id

## Backups, audit bundles and signed checkpoints (src/backup.rs, src/audit/).
store-found-stored-checkpoint = the stored checkpoint: { $error }
store-found-backup-checkpoint = the backup's checkpoint: { $error }
store-found-checkpoint-stored = stored checkpoint: { $error }
store-checkpoint-malformed = the checkpoint note is malformed: { $detail }
store-checkpoint-bad-key = the checkpoint's public key is malformed: { $detail }
store-checkpoint-wrong-key = the checkpoint was signed by key { $found }, not by the pinned key { $pinned }
store-checkpoint-bad-signature = the checkpoint's signature does not verify: the note was altered or not signed by this key
store-found-checkpoint-rewritten = the checkpoint signed at this size commits to other roots than the log gives: the log was rewritten after it was signed
store-found-checkpoint-root-rewritten = the signed checkpoint at size { $size } commits to { $root ->
        [heads] heads root
       *[root] root
    } { $signed }, but the log gives { $found }: the log was rewritten after it was signed (at one or more of positions { $from } to { $size }: { $narrowed ->
        [no] a checkpoint commits to all its events with one root, so it does not tell which; a smaller checkpoint you kept that still matches narrows it
       *[yes] the checkpoint you kept at size { $matched } still matches the log
    })
store-found-empty-checkpoint-roots = the signed checkpoint of the empty log has the wrong roots
store-found-checkpoint-beyond-log = a signed checkpoint covers { $size } events but the log holds only { $events }: events were removed
store-found-audit-checkpoint-undecodable = the audit checkpoint at size { $size } does not decode: { $detail }
store-found-checkpoint-other-key = a checkpoint is stored at this size but does not verify with the ledger's key
store-found-log-before = the log ends at position { $head }, before { $last }
store-found-log-ends-before-head = the log ends at position { $end } though its head is { $head }
store-found-member-no-events = member { $member } has no events
store-found-member-not-in-log = member { $member } has no events in the log
store-found-stream-not-in-log = stream { $stream } has no events in the log
store-found-stream-no-head = stream { $stream } has no head
store-found-stream-name = stream name { $stream } does not parse
store-found-no-heads-proof = no heads-tree proof
store-found-no-inclusion-proof = no inclusion proof for an event of the tree
store-found-scope-events = the scope's streams hold { $events } events up to the checkpoint, but { $read } were read
store-found-changed-during-backup = the event differs from the one the signed tree holds: it changed during the backup
store-found-log-short-of-checkpoint = the log ends at position { $last } but the backup's checkpoint covers { $size }
store-found-restored-hash = the restored event's hash is { $hash }, not the backup's { $backup }
store-found-restored-head = the restored log ends at position { $position } with hash { $hash }, not at the backup's { $events } with { $backup_hash }

## The engines' own rows and files (src/store/sled_store.rs, postgres/, stream_index.rs,
## log_block.rs).
store-found-index-row-key = stream { $stream }'s index row has a key too short for a version
store-found-index-row-not-positions = stream { $stream }'s index row is not a list of positions
store-found-index-row-size = stream { $stream }'s index row at version { $version } holds { $positions } positions and { $extra } bytes more (1 to { $max } and none expected)
store-found-index-row-not-increasing = stream { $stream }'s index row at version { $version } does not hold increasing positions
store-found-entry-no-hash = the log entry is too short to hold a hash
store-found-entry-no-event = the log entry is too short to hold a hash and an event
store-found-entry-cut-short = the compact log entry is cut short
store-found-entry-text-not-utf8 = a text field is not UTF-8
store-found-entry-payload-not-utf8 = the payload is not UTF-8
store-found-entry-schema-version = the schema version is out of range
store-found-entry-stream-tag = stream tag { $tag } is unknown
store-found-entry-type-code = event type code { $code } is unknown to this build
store-found-entry-time-tag = recorded_at tag { $tag } is unknown
store-found-entry-nanoseconds = recorded_at's nanoseconds are out of range
store-found-entry-time-out-of-range = recorded_at's time is out of range
store-found-entry-time = recorded_at does not decode: { $detail }
store-found-entry-varint-overlong = a varint is written longer than it needs
store-found-entry-varint-out-of-range = a varint is out of range
store-found-entry-other-position = envelope claims position { $position }
store-found-block-key = a log block's key is { $bytes } bytes
store-found-block-empty = the log block at { $first } is empty
store-found-block-format = the log block at { $first } has unknown format { $format }
store-found-block-varint = the log block at { $first } { $problem ->
        [cut-short] the compact log entry is cut short
        [overlong] a varint is written longer than it needs
       *[out-of-range] a varint is out of range
    }
store-found-block-count = the log block at { $first } claims { $count } entries (1 to { $max })
store-found-block-cut-short = the log block at { $first } is cut short in entry { $entry }
store-found-block-extra = the log block at { $first } has { $extra } bytes after its entries
store-found-engine-files = the storage engine's files in { $path } are damaged ({ $detail }); the ledger cannot be read from them. Restore from a backup (`flexledger restore FILE --data-dir NEW`, or a copy of the data directory taken while no flexledger process ran); do not delete or edit files in it by hand
store-engine-damaged-at = it read back damaged data at byte { $byte } of its data file `db`
store-engine-damaged = it read back damaged data
store-engine-cut-short = a file of the engine ends before data it records: it was cut short (truncated, or copied while being written)
store-engine-check-failed-reading = the engine failed an internal check reading them: { $detail }
store-engine-check-failed = the engine failed an internal check: { $detail }
store-engine-words = { $words }
store-location-not-a-url = --store takes a PostgreSQL URL (postgres://user@host/database); { $given } is not one. For the embedded sled store pass --data-dir DIR instead
store-found-data-file-behind-snapshot = the storage engine's data file { $path } ends before its newest snapshot { $snapshot }: the snapshot records the engine's log up to LSN { $snapshot_lsn }, the file holds it only up to LSN { $file_lsn }, so the file was cut short or rolled back after the snapshot was written (the store was not opened: nothing was changed). Restore from a backup (`flexledger restore FILE --data-dir NEW`, or a copy of the data directory taken while no flexledger process ran). Without one, copy the data directory aside first (`cp -a { $dir } …`), then set the snapshot aside, `{ $moves }`, and run `flexledger verify`: the engine then recovers what the file still holds, if it can, and the head witness names the events lost
store-found-segment-header = the storage engine's data file { $path } has a damaged segment header at byte { $offset } (segment { $segment } of { $segments }): the engine leaves that segment out of its recovery, so what is appended now would be lost at the next open. Restore the data directory from a backup; do not append to this store
store-found-engine-dir-missing = the storage engine's directory { $path } is missing, but the head witness { $witness } records position { $position } as durably appended: the engine's files were deleted, or the data directory was copied without them. Restore the data directory from a backup; nothing was created here
store-found-witness-unreadable = the head witness { $witness } is unreadable (no intact record of the log's head), so it cannot tell whether the log lost its last events. Restore the data directory from a backup; or, to accept the log as it is after every hash is checked, run `flexledger verify --accept-head` (it keeps the unreadable file beside it as { $kept })
store-found-entry-too-short = log entry is too short to hold a hash
store-found-entry-missing = the log entry is missing
store-found-key-without-id = a { $prefix } key is not followed by a 16-byte id
store-found-index-ends-before = stream { $stream }'s index ends at version { $version } but its next event is version { $next }
store-found-index-missing-event = stream { $stream } indexes a missing event
store-found-coverage-row = a coverage-change row is damaged: { $detail }
store-found-coverage-key = a coverage-change key is { $bytes } bytes
store-found-command-record-length = command { $command } record is neither 16 nor { $bytes } bytes
store-found-command-digest-length = command { $command } record's body digest is not 32 bytes
store-found-index-key = a stream index key ({ $bytes } bytes) does not name a stream
store-found-not-8-bytes = { $field ->
        [stream-index-value] stream index value
        [stream-key-version] stream key version
        [log-key] log key
        [coverage-key] coverage key
        [span] span
       *[audit-checkpoint-key] audit checkpoint key
    } is not 8 bytes
store-found-position-too-large = position { $position } is beyond what the store can hold
store-found-position-negative = a stored position is negative ({ $stored })
store-found-other-schema = a stored row does not have the schema this build wrote ({ $detail })
store-found-head-row-ahead = the log ends at position { $head }, but the store's head row records position { $recorded } as durably appended: the store lost events { $first_lost } to { $recorded } (rows of its log were deleted, or the database was restored from an older copy). Restore the database from a backup; do not append to this store (it would reuse the lost positions)
store-found-head-row-other-hash = the event's hash is { $hash }, but the store's head row recorded { $recorded_hash } for this position (the log ends at position { $head }): the log was rewritten or damaged. Restore the database from a backup
store-found-set-aside = the storage engine's files in { $path } cannot be opened ({ $detail }): { $count ->
        [one] the damaged file is { $first }
       *[other] the damaged files are { $first } and { $second }
    }. With no flexledger process running, move { $count ->
        [one] it
       *[other] them
    } aside: `{ $moves }`, then run `flexledger verify`, which walks the whole log: its head should be the one of your latest checkpoint (`flexledger-audit checkpoint --list`) or later. Only if it still fails, restore the data directory from a backup; do not delete or edit other files in it by hand
store-set-aside-file = { $file } ({ $why ->
        [settings] sled writes its settings file again when it has none, with the settings flexledger always opens it with
       *[snapshot] a snapshot is only a shortcut: sled rebuilds its page table from its log without it
    })
