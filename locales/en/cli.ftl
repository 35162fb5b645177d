# `flexledger`'s lines on standard error for a read it cannot answer and a missing
# ledger (src/cli/mod.rs). Its JSON on standard output stays English (D37).

cli-no-ledger = no ledger in { $data_dir }: submit commands first, or pass --data-dir (or set FLEXLEDGER_DATA_DIR)
cli-member-has-no-events = member { $member } has no events: check the id, or enroll the member first
cli-events-member-beyond-last = member { $member }'s last event is at position { $last }: none from position { $from } yet (nothing printed; ask again later, or from { $last } or earlier)
cli-events-beyond-head = the log ends at position { $head }: no event from position { $from } yet (nothing printed; ask again later, or from { $head } or earlier)
cli-migrate-sled = the sled store needs no migration: it upgrades its rows when it opens
cli-not-a-region-name = { $text } is not a region name (1-64 ASCII letters, digits, '_', '.', '-'; a Chinese place name in pinyin or as its code, such as `beijing` or `110100`)
cli-not-a-month = --month { $text } is not a month: write YYYY-MM, from 1990-01 to 2999-12

## Errors of both command lines said as sentences (src/cli/mod.rs `SayContext`,
## src/cli/serve.rs, src/cli/backup.rs, src/audit/commands.rs); the error under
## each (the store's, the operating system's) follows it.

cli-cannot-open-ledger = cannot open the ledger in { $store }
cli-copy-cannot-open-destination = cannot open the destination { $store }
cli-copy-destination-in-use = cannot open the destination { $store }, whose writer lock is held: if --to names the database of --from under another spelling (another host name or address, port, or order of parameters), the holder is this copy's own source, so name another destination; otherwise stop the writer that holds it
cli-copy-copying = copying { $from } to { $to }
cli-cannot-open-ledger-served-backup = cannot open the ledger in { $store } (another flexledger process holds it: if it is `flexledger serve`, fetch the backup from it with --server URL and a token; if it is a `submit`, run the backup once it has finished)
cli-cannot-open-ledger-served-audit = cannot open the ledger in { $store } (an audit reads a stopped ledger, or a copy of a served one; a `cp` of a directory a server writes may verify as damaged)
# The operating system's words for an I/O failure (`cli::io_kind_sentence`).
cli-io-not-found = { $os }
cli-io-permission-denied = { $os }
cli-io-is-a-directory = { $os }
cli-io-not-a-directory = { $os }
cli-io-already-exists = { $os }
cli-io-read-only = { $os }
cli-io-connection-refused = { $os }
cli-io-connection-reset = { $os }
cli-io-timed-out = { $os }
cli-cannot-read = cannot read { $file }
cli-file-not-utf8 = cannot read { $file } as UTF-8 text (save it as UTF-8)
cli-file-too-large = { $file } is larger than { $bytes_max } bytes: is it the right file?
cli-cannot-create = cannot create { $file } (its directory must exist and be writable)
cli-cannot-make-data-dir = cannot make the data directory { $dir }, where a PostgreSQL ledger's writer keeps its head witness (D86): make it, or name one the user running flexledger may write in
cli-data-dir-not-a-directory = --data-dir { $dir } is not a directory (a file, or a link to nothing): name a directory, or a path where one can be made; a PostgreSQL ledger's writer keeps its head witness there (D86)
cli-verify-no-witness = note: { $dir } holds no head witness of this PostgreSQL ledger's writer, so whether the database lost events it acknowledged (an older copy put in its place, or a standby promoted while behind) is not checked; run verify with the writer's --data-dir to check it (D86)
cli-output-is-a-directory = { $file } is a directory: name a file in it to write
cli-stdout-closed = standard output was closed after about { $bytes } bytes, before the end: what was written there is incomplete and of no use (write it to a file with --out FILE, or keep the reader open to the end)
cli-cannot-write = cannot write { $file }
cli-cannot-write-stdout = cannot write standard output
cli-standard-input = standard input
cli-standard-output = standard output
cli-copy-no-source = the source store { $store } does not exist: there is nothing at that path to copy; check the path given to --from (the data directory of the ledger to copy, or a PostgreSQL URL)
cli-copy-source-holds-no-ledger = { $store } holds no ledger: the source of a copy (--from) is the data directory of the ledger to copy, or a PostgreSQL URL
cli-copy-same-store = --from and --to name the same store ({ $store }): name another destination
cli-copy-from-data-dir-not-postgres = --from-data-dir { $dir } is for a PostgreSQL source, whose writer keeps its head witness in its data directory; a data directory named by --from keeps its own: leave --from-data-dir out
cli-copy-source-unwitnessed = the source is not checked against its writer's head witness (D86): a database put back from an older copy would be copied as it is, without the events it lost. Name the writer's data directory with --from-data-dir to check it
cli-copy-source-no-witness = { $dir } holds no head witness (head-witness.postgresql) to check the source against (D86): name the data directory the source's writer runs with, or leave --from-data-dir out to copy it unchecked
cli-copy-from-data-dir-missing = --from-data-dir { $dir } is not a directory: name the data directory the source's writer runs with (it holds its head witness, D86)
cli-token-file-not-toml = { $file }: not a token file ({ $detail }); expected [[token]] tables with role and sha256
cli-token-file-empty = { $file }: no tokens; add [[token]] tables with role and sha256
cli-token-file-too-many = { $file }: at most { $max } tokens
cli-token-file-not-a-digest = { $file }: token { $entry }: sha256 must be 64 lowercase hex digits (the SHA-256 of the token, never the token)
cli-token-file-writable-by-anyone = { $file }: any user may write this token file (mode { $mode }), so any user could give a token of their own the operator role: make it writable by its owner alone (chmod go-w), check that no entry was added, then start the server again (or send a running one SIGHUP)
cli-serve-needs-auth = serve needs --auth FILE (TOML [[token]] tables with role and sha256), or --demo to try it out with printed tokens

## Both command lines' error line, and `flexledger`'s advice after damage: after the
## error's own advice, which it must not contradict (a restore loses what was written
## after the backup, where the error may name a way back that loses nothing).

cli-error = { $program }: error: { $message }
cli-damage-kept-checkpoint = flexledger: a checkpoint you kept outside the ledger does not match its log: the log was rewritten (or rolled back) after that checkpoint was signed, and may have been signed again with the ledger's own key, so it can match every checkpoint the ledger stores. Do not take a backup of it to recover: a backup carries the rewritten log. Keep the data directory as it is, as evidence (`cp -a` before anything else opens it); restore a backup taken before the rewrite, and after the newest checkpoint you kept (an older one lacks events that were signed, and the check says so), into a new directory, and check it with `flexledger-audit verify --kept FILE` before using it. The store is marked and takes no appends; only a `flexledger-audit verify` with the kept checkpoints (`--kept FILE`) that passes removes the mark
cli-damage-advice = flexledger: the store is damaged. On sled, first copy the data directory aside as it is (`cp -a`): opening a damaged sled store can change its files. Where the message above names a way back (a file to put back or move aside, `verify --accept-head`, `rebuild`), take it; otherwise run `flexledger backup --out FILE` on it: if the backup succeeds, it read and checked every event, and `flexledger restore` of it loses no event; only if it fails, restore the data directory from a backup. `flexledger verify` names the first broken link (an event's position, or the engine file and byte) when the store still opens, and `flexledger rebuild` repairs it when only state rows differ (the rows, not a command decided on a row while it was altered: read the events appended since with `flexledger-audit replay` first).{ $marked ->
    [yes] { " " }The store is marked (a PostgreSQL store's mark is kept beside its signing key, in the writer's --data-dir) and takes no appends until `flexledger verify` passes there (`flexledger-audit verify`, for a mark the audit tool left, as the refusal says); a writer started with another --data-dir does not see a PostgreSQL store's mark, so stop it until then
   *[no] {""}
}
cli-damage-set-aside = flexledger: move the damaged file aside as said above; restore the data directory from a backup only if `flexledger verify` still fails
cli-damage-witness = flexledger: the store is not marked: this data directory's head witness keeps its writer away from the database by itself, until what the finding above names is resolved or the witness is moved aside as said above. If the database is a copy of the ledger (not the one this directory's writer appends to), the finding is about the copy against the ledger's head: check a copy without the writer's --data-dir
cli-damage-mark-disk-full = not marked: the disk is full, so the mark could not be written ({ $why }), and nothing keeps a writer from appending to this damaged store. Start none on it; free space on that disk, then run `flexledger verify` again: it marks the store
cli-damage-mark-not-removed = the store verifies, but its damage mark { $mark } could not be removed ({ $why }), so writers still refuse it: remove { $mark } by hand, or mend what keeps it (its permissions; a directory in its place), and run `verify` again
cli-read-marked-store = note: { $found_by } found this store damaged at { $found_at } ({ $detail }); it takes no appends until `{ $verify }` passes, and this answer is read from it as it is: check what matters against a backup
cli-damage-mark-not-recorded = not marked after all: the mark could not be written ({ $why }), so nothing keeps a writer from appending to this damaged store. Start none on it until `flexledger verify` passes, and run `verify` as a user who may write its data directory, so that it is marked
cli-damage-mark-no-directory = not marked: there is no directory { $dir } to keep the mark in (a PostgreSQL store's mark goes in its writer's --data-dir, beside the signing key), so nothing keeps a writer from appending to this damaged store. Stop its writer until `flexledger verify` passes, or run this command again with the writer's --data-dir, so that the store is marked
cli-output-in-data-dir = { $out } is one of the ledger's own files in the data directory { $data_dir } (its engine files, signing key, head witness): write the output somewhere else
cli-submit-line-message = line { $line }: { $message }
cli-submit-progress = { $accepted } accepted, { $refused } refused
cli-submit-refused = lines refused: { $refused } of { $lines } (their results on standard output say why); the first, on line { $line }: { $code }: { $message }
cli-submit-stopping = stopping: the lines already read are being decided and answered (a month close finishes recording its consequences first), then submit stops. Ctrl-C again stops at once: the lines in flight then get no answer, and nothing decided is lost (submit the file again to answer them)
cli-submit-new-ledger = no ledger was in { $dir }: a new, empty one was made there. If you meant an existing ledger, check --data-dir (or FLEXLEDGER_DATA_DIR) and the folder you run in
cli-submit-interrupted = interrupted: { $lines } line(s) of { $file } were read and decided (their results are on standard output, and the accepted ones are durable); the rest was not read. Submit the file again to finish it: lines with a command_id answer as duplicates instead of appending twice
cli-submit-stopped = stopped after answering { $lines } line(s) of { $file } (their results are on standard output, and the accepted ones are durable; the lines after them were not acknowledged); once what follows is dealt with, submit the file again (lines with a command_id answer as duplicates instead of appending twice)
cli-submit-stopped-unanswered = stopped before any of the { $lines } line(s) read from { $file } was answered (some of them may be recorded all the same: a result is printed only once its command's events are durable); once what follows is dealt with, submit the file again (lines with a command_id answer as duplicates instead of appending twice)
cli-stopped-by-signal = stopped by a signal (Ctrl-C, SIGTERM or SIGHUP)
cli-writer-failed = the ledger writer failed: { $cause }
cli-stopped-nothing-kept = interrupted: the { $what ->
        [backup] backup
       *[restore] restore
    } was stopped by a signal (Ctrl-C, SIGTERM or SIGHUP) and what it had written so far is removed: nothing was kept. Run it again
cli-cannot-listen = cannot listen on { $listen }
cli-listen-not-an-address = cannot listen on { $listen }: it is not an address with a port from 0 to 65535; write HOST:PORT, e.g. 127.0.0.1:8080 (127.0.0.1:0 picks a free port and prints it)
cli-listen-in-use = cannot listen on { $listen }: another program (another `flexledger serve`?) is listening there. Stop it, or give another address with --listen (127.0.0.1:0 picks a free port and prints it)
cli-listen-not-this-machine = cannot listen on { $listen }: that address is not one of this machine's. Give one of its own: 127.0.0.1 for this machine only, 0.0.0.0 for every network it is on, or the address of one of its interfaces (`ip -brief address`)
cli-listen-denied = cannot listen on { $listen }: the system refused it (a port below 1024 needs root or the CAP_NET_BIND_SERVICE capability). Listen on a port from 1024 up, behind a proxy that takes the low port, or grant the capability
cli-not-a-public-key = { $by ->
        [variable] $FLEXLEDGER_PUBLIC_KEY
       *[option] --public-key
    } must be the ledger's published public key, { $shape ->
        [no-key] and { $text } is 64 hexadecimal digits but no Ed25519 public key at all (a digit mistyped?): copy the published key again (`flexledger-audit public-key` prints it where the ledger's key is)
       *[not-hex] 64 hexadecimal digits (`flexledger-audit public-key` prints it where the ledger's key is): got { $text }
    }

## `backup --server`: its own HTTP client's failures (src/cli/backup.rs `http`), and
## the server's refusal in the server's words (`$message`, asked in the reader's language)
cli-backup-server-needs-token = --server needs an operator's or auditor's token: --token or $FLEXLEDGER_TOKEN
cli-backup-server-not-http = --server { $server }: give an http:// URL (flexledger serve speaks plain HTTP; behind a TLS proxy fetch GET /v1/backup with curl)
cli-backup-server-no-host = --server { $server } names no host
cli-backup-server-cannot-connect = cannot connect to { $authority } (is `flexledger serve` running there?)
cli-backup-server-cannot-send = cannot send the request to { $authority } ({ $detail }): was the server stopped? run the backup again
cli-backup-server-closed = the server closed the connection before the backup ended (was it stopped?): run the backup again
cli-backup-server-answered = the server answered { $status }: { $message }
cli-backup-server-position-differs = the server announced a backup at position { $announced } but sent one of { $events } events: nothing was kept; run the backup again
cli-store-from-environment = warning: $FLEXLEDGER_STORE names the store, { $store }, so the sled ledger in { $data_dir } is not the one used (--data-dir holds only the signing key and the demo tokens then): unset FLEXLEDGER_STORE to use it
cli-restore-into-postgres = restore makes a new sled data directory: restore into --data-dir DIR, then fill the PostgreSQL store with `flexledger copy --from DIR --to URL`
cli-backup-cannot-read = cannot read the backup
cli-backup-server-not-http-answer = the answer from --server is not HTTP (its first line: { $line }): is --server the address of `flexledger serve`?
cli-backup-server-line-too-long = a line of the server's answer is longer than { $bytes } bytes: is --server the address of `flexledger serve`?
cli-backup-server-headers-too-many = the server's answer has more than { $headers } headers: is --server the address of `flexledger serve`?
cli-backup-server-bad-length = the server's answer has a malformed Content-Length { $value }: is --server the address of `flexledger serve`?
cli-backup-server-bad-chunk = the server's answer has a malformed chunk size { $size } (was the connection cut?): run the backup again
cli-copy-destination-not-empty = { $path } holds files but no ledger: a copy makes a new store there; pass a new or empty directory as --to
cli-cannot-read-after-line = cannot read { $file } after line { $line }
cli-input-utf16 = { $file } is UTF-16 text, not UTF-8: nothing was submitted. Convert it first: iconv -f UTF-16 -t UTF-8 { $file } > { $file }.utf8
cli-stdin-utf16 = standard input is UTF-16 text, not UTF-8: nothing was submitted. Convert it first: iconv -f UTF-16 -t UTF-8
cli-restore-no-signing-key = warning: no signing key was installed. The backup was signed by key id { $key_id }: copy that key (the ledger's audit-signing-key) to { $path } or point $FLEXLEDGER_SIGNING_KEY at it before the new ledger signs anything: until then it records commands but refuses checkpoints, exports and backups (it never makes a key of its own once it holds a signed checkpoint).
cli-restore-key-not-pinned = note: the backup's signature was checked against the key it names (key id { $key_id }), not a pinned one: compare it with the ledger's published key, or pass --public-key
cli-restore-commands-unsigned = note: this backup was written before backups signed their command records (bundle version 2, "commands_signed":false): its events and checkpoint are verified, but a command record removed from it would not have been noticed, and the new ledger would answer a different command under that id as a duplicate; take a new backup with this build when you can
cli-restore-no-command-digests = note: this file carries no command digests (bundle version 1: a `flexledger-audit export --all` written before 2026-12-05, or a backup written before 2026-12-04): the new ledger answers a command under any id it holds as a duplicate unless the id's events cannot be that command's (another stream, kind of event or month), as for ids accepted by v1; restore from a backup (`flexledger backup`) to keep them
cli-restore-directory-open-to-others = warning: { $path } is open to every user (mode { $mode }) and now holds members' personal data: `chmod 700 { $path }` (or 750 for a service's group)
cli-backup-commands-unsigned = note: the server sent a backup of bundle version { $version }, which does not sign its command records ("commands_signed":false): it is kept and restores, but a command record removed from it could not be noticed (a server of an older build sends such a backup, and so would anything that rewrote this one on the way); a server of this build sends version 3
cli-disk-full-advice = ; the disk is full: free space and run the command again
cli-accept-head-accepted = the log checked out; a new head witness records position { $position } as its head
cli-accept-head-kept = the unreadable head witness was kept as { $path }
cli-accept-head-not-sled = --accept-head is for a sled data directory: a PostgreSQL store keeps no head witness of its own
cli-submit-output-failed = { $broken ->
        [yes] standard output closed
       *[no] writing standard output failed ({ $error })
    }; { $lines } line(s) were read and decided (accepted ones are durable), the rest of { $file } was not read. Submit the file again to finish it: lines with a command_id answer as duplicates instead of appending twice.
cli-damage-mark-cleared = the whole store verifies: the mark that it was found damaged ({ $mark }) is removed, and writes resume
cli-damage-mark-kept-for-audit = the store verifies, but the mark { $mark } stays: { $found_by } left it, and it checks the signed checkpoints, which `flexledger verify` does not read. Run `{ $verify }` (with the same --store and --data-dir): once everything it checks verifies, it removes the mark and writes resume
cli-verify-still-marked = the log verifies, but the store stays marked damaged ({ $mark }): { $found_by } found at { $found_at }: { $finding }; only `{ $verify }` removes the mark
cli-rebuild-checked = rebuild checked every event against its hash and the log's chain, and wrote every state row from them; it did not check the event streams' chains, the command records or the stream index, so its ok is not a verify's: `flexledger verify` checks the whole store
cli-rebuild-still-marked = the store stays marked as found damaged ({ $mark }): only a `flexledger verify` that finds the whole store intact removes the mark (`flexledger-audit verify`, for a mark the audit tool left), and nothing is appended to the store until then
cli-serve-writer-stopped = an append failed, or the store stopped taking this writer's appends (the error above says why: a full disk, a database restarted or unreachable, damage), so the server stopped: rows it held in memory may not be durable, and it serves nothing from them. Fix the cause and start it again: it re-reads the durable log, and a command sent again with its command_id answers as a duplicate if it was recorded
cli-serve-writer-stopped-because = an append failed ({ $cause }), so the server stopped: rows it held in memory may not be durable, and it serves nothing from them. Fix the cause and start it again: it re-reads the durable log, and a command sent again with its command_id answers as a duplicate if it was recorded
cli-stdin-twice = { $options }: only one of them may read standard input ('-'); give the others as files
cli-output-no-file-name = { $file } does not name a file: name the file to write
cli-output-rename = cannot rename { $from } to { $file }
cli-demo-tokens-unreadable = cannot read the demo tokens in { $path } (delete it to make new ones)
cli-demo-tokens-unwritable = cannot write the demo tokens to { $path }
cli-cors-origins-too-many = at most { $max } --cors-origin values (got { $given })
cli-demo-read-only = --demo seeds a ledger, which a --read-only server never writes: start the demo on the writer
cli-read-only-rows-another-format = the state rows of { $store } were written by another build, in state format { $format } (this build reads { $current }), and a read-only server does not rebuild them: it would answer no member or region. A data directory is opened by one process at a time, so no writer can rebuild them beside this server: run this build's `flexledger rebuild` (or any `flexledger` command) on the directory once, then start the server again (D89)
cli-close-pending-answer = a month close is still being recorded, and an answer now would miss its remaining consequences: ask the running writer (GET /v1/members/ID, /v1/regions/NAME/months/YYYY-MM), or run this again when the close is done
cli-serve-store-not-answering = the writer has not answered for { $seconds } s: its store does not answer (a database server stopped or overloaded, a disk that hangs), so the server exits. Nothing unanswered was acknowledged: once the store answers again, start it again, and send again with its command_id any command that got no answer (it answers as a duplicate if it was recorded)
cli-verify-rows-another-format = the log, its hashes and its indexes were checked, but the state rows were not compared with the log: another build wrote them, in state format { $format } (this build's is { $current }), so they may differ from this build's fold without being damaged. They are a cache of the log, which this build's writer rebuilds when it opens the store (`flexledger serve` without --read-only, `submit` or `rebuild`); run verify again then to compare them. This is expected only while the writer runs another build: if the writer already runs this one, the rows were altered below the ledger: stop it and run `flexledger rebuild`, then verify (D89)
cli-damage-mark-kept-uncompared = the store stays marked damaged ({ $mark }): a walk that did not compare the state rows does not remove the mark. With no writer running, run this build's `flexledger rebuild` (it rebuilds the rows in this build's format; the mark stays), then `{ $verify }` again: it compares them and removes the mark if the whole store checks out (D89)
cli-rows-another-format = the state rows of { $store } were written by another build, in state format { $format } (this build reads { $current }), and this command only reads, so it does not rebuild them: an answer from them could be wrong. Use a build of the same version as the writer, or let this build's writer open the store once (`flexledger serve` without --read-only, `submit` or `rebuild`): it rebuilds them from the log (D89)
