# Why a backup was refused during `flexledger restore` (and the download of `backup
# --server`) (src/cli/backup.rs; its reasons `backup::InvalidReason`, src/backup.rs),
# why `flexledger copy` stopped (`ledger::CopyError`, src/ledger/copy.rs), and a store
# holding an unfinished copy (`StoreError::CopyUnfinished`, src/store/mod.rs). The
# words of other modules inside (`detail`) stay as they came.

## What was not done, where, and why
backup-restore-refused = the backup was refused; nothing was restored: { $at }: { $reason }
backup-download-refused = the downloaded backup does not verify; nothing was kept: { $at }: { $reason }
## The same, for what is wrong with the file as a whole (no line to name: it is empty, or
## no text file at all)
backup-restore-refused-file = the backup was refused; nothing was restored: { $reason }
backup-download-refused-file = the downloaded backup does not verify; nothing was kept: { $reason }
backup-at-line = line { $line }
backup-at-line-position = line { $line } (position { $position })

## A restore not attempted or not finished for a reason outside the backup
## (`BackupError::Refused`): its target, its staging directory, the signing key
## (`$by`: `option` for --signing-key, `variable` for $FLEXLEDGER_SIGNING_KEY naming `$path`)
backup-restore-target-unnamed = { $path } does not name a directory
backup-restore-staging-exists = { $staging } exists: another restore into { $path } is running (let it finish), or one was killed. Once no `flexledger restore` is running (see `ps`), remove it and restore again
backup-restore-target-claimed = { $path } holds a restore's mark (restore-unfinished): another restore into it is running (let it finish), or one was killed, leaving only part of a backup there, which is not a ledger. Once no `flexledger restore` is running (see `ps`), remove what { $path } holds and { $staging } (if it is there), and restore again
backup-restore-target-mount-point = { $path } is a mount point: restore builds the new ledger beside its target and then moves its files in by renaming them, which cannot cross into another file system. Restore into a new directory inside it (--data-dir { $path }/ledger); no ledger was made
backup-restore-target-dangling-link = { $path } is a symbolic link to { $link }, which does not exist: make { $link } (an empty directory) and restore again, or restore into { $link } itself; no ledger was made
backup-restore-other-key = { $by ->
        [option] --signing-key
       *[variable] $FLEXLEDGER_SIGNING_KEY ({ $path })
    } is key id { $found }, but the backup was signed by key id { $signer }: the restored ledger would sign its checkpoints with another key; give the key that signed the backup
backup-restore-external-key-missing = $FLEXLEDGER_SIGNING_KEY names { $path }, which does not exist: the restored ledger would make a new key there; copy the ledger's key there, or unset the variable to have restore install --signing-key

## A backup that does not verify (`InvalidReason`)
backup-invalid-after-checkpoint = a line after the signed checkpoint: a backup ends with its checkpoint
backup-invalid-event-after-heads = an event after the stream heads: lines were moved or added
backup-invalid-malformed-record = unknown or malformed record: { $detail }
backup-invalid-inclusion-proof = an inclusion proof, which a backup of the whole log never holds: the line was added, or it comes from a member or region bundle
backup-invalid-no-header = not a flexledger backup (the first line is no bundle header: { $detail }): a backup starts with an audit bundle header of scope all
backup-invalid-wrong-format = not a flexledger backup (format { $format } version { $version }): a backup starts with an audit bundle header of scope all
backup-invalid-wrong-scope = not a flexledger backup (a bundle of scope { $scope }): a backup starts with an audit bundle header of scope all
backup-invalid-altered = the event was altered after it was recorded: { $detail }
backup-invalid-hash-mismatch = the event was altered after it was recorded: hash { $claimed } does not match the content (SHA-256 { $hash })
backup-invalid-no-hash = the event line carries no hash: the event was altered and its hash stripped
backup-invalid-event-not-as-printed = the event's content and hash agree, but the line is not as the ledger prints it (spacing, key order, or a number or time written another way): the line was edited
backup-invalid-record-not-as-written = the line is not as the ledger writes it (spacing, key order, or a number written another way): the line was edited
backup-invalid-position = position { $position } where position { $expected } was expected: an event was removed, added or reordered
backup-invalid-broken-link = prev_hash { $prev_hash } does not link to the hash { $previous } of position { $previous_position }: an event before it was altered or removed
backup-invalid-event-does-not-fold = the event does not fold: { $detail }
backup-invalid-wrong-stream = stream { $stream } is not the stream of the event's payload
backup-invalid-version = version { $version } of stream { $stream } does not follow version { $previous }: an event of the stream was removed, altered or reordered
backup-invalid-moved = a { $stage } record after the { $after } records: lines were moved
backup-invalid-event-count = the header lists { $listed } events but the backup holds { $held }: events were removed or added
backup-invalid-header-counts = the header lists { $streams } streams and { $members } members but the backup holds { $heads } stream heads and { $coverages } coverages: the header was edited
backup-invalid-coverage-count = the events make { $members } members but the backup holds { $held } coverages before its checkpoint: a coverage line was removed, or moved after the checkpoint
backup-invalid-events-do-not-fold = the events do not fold: { $detail }
backup-invalid-head-out-of-order = stream head { $stream } is out of order or repeated
backup-invalid-head-missing = the stream head of { $stream } (its last version and hash) is missing before this line: it was removed or moved further on, so the backup is incomplete or damaged; take a new one with `flexledger backup`
backup-invalid-head-altered = stream head { $stream } (version { $version }) is not the head its events make: the line or an event of the stream was altered
backup-invalid-coverage-out-of-order = the coverage of member { $member } is out of order or repeated
backup-invalid-coverage-altered = member { $member }'s coverage does not follow from the backup's events: the line was altered
backup-invalid-coverage-without-events = member { $member } has no events in the backup
backup-invalid-checkpoint-wrong-key = the checkpoint is forged, altered or signed by another key: the checkpoint was signed by key { $found }, not by the pinned key { $pinned }
backup-invalid-checkpoint-bad-signature = the checkpoint is forged, altered or signed by another key: the checkpoint's signature does not verify: the note was altered or not signed by this key
backup-invalid-checkpoint-forged = the checkpoint is forged, altered or signed by another key: { $detail }
backup-invalid-checkpoint-differs = the signed checkpoint commits to { $signed_size } events with root { $signed_root } and heads root { $signed_heads_root }, but the backup's events make { $size } with root { $root } and heads root { $heads_root }: events were altered, added or removed, or the checkpoint line is another backup's (one of another ledger is named so when the ledger's key is pinned with --public-key)
backup-invalid-tree-size = the header says tree size { $header } but the checkpoint { $checkpoint }
backup-invalid-public-key = the checkpoint's public key is malformed: { $detail }
backup-invalid-command-not-contiguous = command { $command_id } already has events earlier in the log: one command's events are contiguous
backup-invalid-command-record-astray = the body digest of command { $command_id } is not right before the command's first event (or the backup, of version 1, has no such records): lines were moved or added
backup-invalid-commands-unexpected = a commands record where none belongs: only a backup of version 3 holds one, once, between its coverages and its checkpoint; the line was added or moved
backup-invalid-commands-missing = the backup has no commands record before its checkpoint: a backup of version 3 signs its command records there; the line was removed or moved after the checkpoint: use an unaltered copy, or take a new backup
backup-invalid-commands-wrong-key = the backup was signed by key { $found }, not by the pinned key { $pinned }: check that the pinned key is the one the ledger published; if it is, this backup is not that ledger's, or was signed again by another key
backup-invalid-commands-bad-signature = the signature over the command records is forged, altered or by another key: it does not verify: the note was altered or not signed by this key
backup-invalid-commands-forged = the signature over the command records is forged, altered or by another key: { $detail }
backup-invalid-commands-differ = the command records are not those the backup signed ({ $signed } signed, { $held } in the backup): a command record was removed, added, moved or altered, so a restore could answer a different command under an accepted id as a duplicate; use an unaltered copy, or take a new backup
backup-invalid-commands-of-another-checkpoint = the signed command records name another checkpoint than this backup's (another position, log root or key): the commands line is another backup's; use an unaltered copy, or take a new backup
backup-invalid-empty = the file is empty (0 bytes): it is not a backup made by `flexledger backup`; check the file's name, or make the backup again
backup-invalid-blank-line = the line is blank: the ledger writes no blank line, so it was put there
backup-invalid-gzip = the file looks gzip-compressed (it starts with the bytes 1f 8b), and a backup is plain text: decompress it first (`gunzip FILE`, or `gzip -dc FILE | flexledger --data-dir NEW restore -`)
backup-invalid-byte-order-mark = the file begins with a byte-order mark (the bytes ef bb bf): it was re-saved by an editor, and a restore takes a backup only as `flexledger backup` wrote it; use the original file, or take a new backup
backup-invalid-line-too-long = longer than { $max } bytes
backup-invalid-not-utf8 = not UTF-8
backup-invalid-cut-in-line = the backup ends in the middle of this line: it was cut short (copy it again, whole)
backup-invalid-no-checkpoint = the backup ends here, without its signed checkpoint: it was cut short

## Why `copy` stopped (`CopyError`)
backup-copy-destination-differs = the destination already holds a different ledger: its event at position { $position } is not the source's (a copy only fills an empty store or resumes its own copy)
backup-copy-destination-ahead = the destination's log ({ $destination } events) is longer than the source's ({ $source_head }): it holds another ledger, or a copy of this one made later; copy into a new or empty store, or remove the destination and copy again
backup-copy-unfinished-from-another-source = the destination holds an unfinished copy of a different source store, { $from } ({ $copied } of its { $source_head } events copied), not of this one: finish that copy by running `flexledger copy --from { $quoted_from }` again with the same --to{ $hidden ->
        [yes] {" "}(with the password shown here as ***)
       *[no] {""}
    }, or copy this source into a new or empty destination
backup-copy-hash-changed = the copied event at position { $position } sealed to another hash than the source's: nothing after it was copied
backup-copy-commands-without-events = the source remembers { $count } command id(s) that have no events; run `flexledger verify` on it

## A store holding an unfinished copy (`StoreError::CopyUnfinished`): how far it got
## (`$progress`) and the command that finishes it, minding the passwords hidden (`$hidden`)
backup-copy-unfinished = the store { $store } holds an unfinished copy from { $from } ({ $progress ->
        [none] none of its { $source_head } events copied yet
        [all] all { $source_head } events copied; its last steps, the checkpoints and the state rows, were not finished
       *[part] positions 1..{ $copied } of { $source_head } copied
    }): it is not a ledger to use yet. Run the same `flexledger copy --from { $quoted_from } --to { $quoted_store }` again{ $hidden ->
        [yes] {" "}(with the passwords shown here as ***)
       *[no] {""}
    }, with --from-data-dir too if the first run named one, to finish it: it resumes where it stopped. Or remove the destination and start over
