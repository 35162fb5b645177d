# The HTTP API's own error messages (src/http/): every answer with the error shape that
# is not a command's refusal (those are refusals.ftl's). The English is the wire's,
# byte for byte; the code beside each message never changes with the language.

## Failures of the server

http-internal = internal error; the server's log has the details
http-internal-request = internal error (request { $request }); the server's log has the details
http-writer-stopped = the ledger takes no commands now: its writer has stopped (the server is shutting down, or an append failed and it is stopping); the server's log says why. Once the server runs again, send the command again with the same command_id
http-writer-failed-because = the ledger takes no commands now: an append failed, and the server is stopping: { $cause }. Once the server runs again, send the command again with the same command_id
http-writer-failed = an append failed; the ledger takes no more commands until the server is restarted
http-read-met-damage = a read met damage in the store: this server answers only what the damage does not touch; run `flexledger verify` on the store, and restart this server once it finds the store intact
http-behind-witness = the database is behind the head witness of the writer in this server's data directory (D86): events the writer acknowledged are not in it (an older copy put in its place, or a standby promoted while behind), so this server answers nothing from it. Run `flexledger verify` with the writer's --data-dir, which names them, and restart this server on the database that holds them
http-store-found-damaged = the store was found damaged: the ledger takes no more commands and the server stops; it starts again on this store only once `flexledger verify` finds it intact; a command sent again then with its command_id answers as a duplicate if it was recorded
http-bring-up-to-date-failed = the ledger could not record a month close's consequences for this member; see the server's log
http-read-only = this server only reads (serve --read-only); send commands to the ledger's writer
http-read-only-writer = this server only reads (serve --read-only); send commands to the ledger's writer at { $writer }
http-read-only-close-pending = { $engine ->
        [directory] a month close of this member's region has still to record this member's consequences, and only a writer records them (`flexledger serve` without --read-only, or any `flexledger` command run on the data directory). A data directory is opened by one process at a time, so while this server holds it no writer can, and asking again will not help: stop this server and run the writer, or any `flexledger` command, on the directory to finish the close
       *[database] a month close of this member's region is still being recorded; ask again in a moment, or ask the writer. Only a writer records it (`flexledger serve` without --read-only, or any `flexledger` command run on the store): if none is running, the close waits until one is started
    }
http-read-only-rows-another-format = this server only reads, and the state rows it would answer from were written by another build, in state format { $format } (this server reads { $current }): an answer from them could be wrong, and a read-only server does not rebuild them. { $which ->
        [newer] The writer runs a newer build: upgrade this server to it
       *[older] Ask the writer, or a server of the writer's build; this build's writer rebuilds the rows from the log when it opens the store, and this server answers again then
    } (D89)

## Routes, methods, tokens and limits

http-no-route = no such route; GET /v1/openapi.json lists every route (README's API section explains them)
http-method-not-allowed = this route does not take that method; it takes { $allowed } (see README's API section or GET /v1/openapi.json)
http-backup-log-rewritten = nothing is signed from this ledger, so no backup is made of it: a `flexledger-audit verify --kept` found its log rewritten (or rolled back) after a checkpoint kept outside it was signed (the mark { $mark }). Recover from a backup taken before the rewrite
http-overloaded = more than { $max } requests in flight; retry shortly
http-connections-full = all { $max } connections are open; retry shortly
http-store-unavailable = the ledger's database cannot be reached now; try again shortly (the server's log has the details)
http-token-missing = send Authorization: Bearer <token> (a browser, which cannot set headers, may pass ?access_token=<token> instead on a GET of the feed, the audit page or the timeline picture)
http-token-unknown = unknown token: this server has no such token; check that it was copied whole, or ask whoever runs the server for one
http-authorization-twice = Authorization is sent more than once: send one token, once (Authorization: Bearer <token>)
http-host-header = an HTTP/1.1 request carries exactly one Host header (RFC 9112), naming the server it is for; this one carried { $count }
http-role-forbidden = role { $role } may not use this route (allowed: { $allowed })
http-role-command-forbidden = role { $role } may not send { $command } (it may send: { $allowed }); nothing in the request was decided

## Command requests

http-body-unreadable = the request body could not be read ({ $reason }); bodies are limited to { $max } bytes
http-body-declared-too-large = the request body could not be read (its Content-Length declares { $bytes } bytes); bodies are limited to { $max } bytes
http-uri-too-long = the request's target (its path and query) is { $bytes } bytes long; at most { $max } are read, and no route of this API takes a target that long: check the URL
http-head-too-large = the request's head (its line and headers) is { $bytes } bytes long; at most { $max } are read: send fewer or shorter headers
http-body-too-large = the request body is longer than { $max } bytes, the most a request may carry: send fewer commands at a time
http-body-timeout = the request body stopped arriving: no bytes for { $seconds } s; nothing was decided, send the request again
http-body-too-slow = the request body was still arriving after { $seconds } s, the most a body may take; nothing was decided, send the request again, faster
http-body-not-json = the body is not valid JSON ({ $detail }); send one command object or an array of them
http-body-number-out-of-range = a number in the body is out of the range this ledger reads ({ $detail }): amounts are decimal strings ("600.00") and counts small whole numbers
http-body-not-utf8 = the body is not UTF-8 text: send it as UTF-8 with Content-Type: application/json (a body saved as GBK or UTF-16 converts with `iconv -f GBK -t UTF-8` or `iconv -f UTF-16 -t UTF-8`)
http-body-encoded = the body is sent with Content-Encoding: { $encoding }: send it uncompressed, as plain UTF-8 JSON (the server decodes no content coding)
http-body-content-type = the body is sent as Content-Type: { $type }: send the commands as UTF-8 JSON, with Content-Type: application/json (nothing was decided)
http-idempotency-key-not-uuid = Idempotency-Key must be a UUID in hyphenated form (8-4-4-4-12 hexadecimal digits), e.g. 3f2b8c1e-5d4a-4e6f-9a7b-0c1d2e3f4a5b; got { $text }
http-idempotency-key-twice = Idempotency-Key is sent more than once: send the one key once
http-idempotency-key-with-array = Idempotency-Key applies to a single command; give each array item its own command_id
http-idempotency-key-differs = Idempotency-Key { $key } and command_id { $id } differ; send one, or the same id in both
http-too-many-commands = at most { $max } commands per request; split the array

## Paths and queries

http-bad-query = the query string does not parse: { $reason }
http-bad-path = the path does not parse: { $reason }
http-path-not-utf8 = the path's { $key } is not UTF-8 once its %-escapes are decoded
http-not-a-member-id = { $text } is not a member id (UUID)
http-member-has-no-events = member { $member } has no events: check the id
http-member-not-yet = member { $member } had no events yet as of position { $position }: the id is right, its first event is at position { $first } (recorded { $recorded }); ask with as_of={ $first } or later
http-not-a-month = { $text } is not a month: write YYYY-MM, from 1990-01 to 2999-12
http-not-a-region-name = { $text } is not a region name (1-64 ASCII letters, digits, '_', '.', '-'; a Chinese place name in pinyin or as its code, such as `beijing` or `110100`)
http-region-unknown = region { $region } has no policy in this ledger: check the name
http-region-has-no-policy = region { $region } has no policy in this ledger: check the name
http-month-not-closed = { $month } is not closed in region { $region } (the open month is { $open }): its figures still move; { $none_closed ->
        [yes] no month of the region is closed yet: close { $open } (close_month) and ask for it then
       *[no] ask for a month before { $open }
    }
http-month-close-in-progress = the close of { $closing } in region { $region } is still being recorded ({ $done } of { $total } enrolled members done); until it is, the figures of { $moving_from } and later move: { $earlier ->
        [yes] ask again shortly, or for a month before { $moving_from }
       *[no] ask again shortly (every month of the region moves until then)
    }
http-month-before-region = { $month } was never closed in region { $region }: its months start at { $first }, when its first policy takes effect (R1); { $none_closed ->
        [yes] no month of the region is closed yet: close { $first } (close_month) and ask for it then
       *[no] ask for a month from { $first }
    }

## The feed and backups

http-feed-member-not-uuid = member { $text } is not a UUID
http-feed-unknown-type = types: { $text } is not a type of feed item; the types are { $types }
http-feed-not-a-boolean = { $name }: { $text } is neither true nor false
http-feed-unknown-parameter = the feed takes no parameter { $name }: its parameters are { $known }
http-feed-parameter-twice = the parameter { $name } is given twice: give it once (several types as one comma-separated list: types=A,B)
http-unknown-parameter = this route takes no parameter { $name }: its parameters are { $known }
http-no-parameters = this route takes no query parameters: remove { $name }
http-parameter-twice = the parameter { $name } is given twice: give it once
http-not-a-position = { $name } must be a log position, a whole number 0 or more: got { $text }
http-position-too-large = { $name } is larger than any log position (at most { $max }): got { $text }
http-feed-full = the feed already has { $max } subscribers; retry later
http-feed-region-not-yet = no policy is published for region { $region } yet: this subscription waits for its first item (check the name if you expected one)
http-feed-member-not-yet = member { $member } has no event yet: this subscription waits for their first item (check the id if you expected one)
http-feed-beyond-head = the log ends at position { $head }: this subscription starts at position { $position } and waits until it is written (check the cursor if you expected items now: it may be another ledger's)
http-feed-no-closing-notices-here = this server only reads the ledger, so it sends no Closing notices (the writer records a close's chunks and its feed sends them); GET /v1/regions/NAME here shows a close in progress as "closing"
http-last-event-id = Last-Event-ID (the header, or the lastEventId parameter) must be a feed message id: POSITION or POSITION.N, then -TAG (8 hex digits) as the feed sends it
http-feed-another-history = this cursor comes from another history: its id names event { $position } with the tag { $sent }, but the event at position { $position } here has the tag { $here } (a restore of an older copy, a standby promoted while behind, or another ledger). Events this ledger holds after the last position both histories share were never sent to you: read again with ?from= from a position whose event you have checked (its hash and prev_hash), or from 1
http-feed-read-failed-after-message = the log could not be read after message { $id }; the server's log has the details
http-feed-read-failed-after-position = the log could not be read after position { $position }; the server's log has the details
http-feed-region-unreadable = a member's region could not be read to filter the feed by region; the server's log has the details
http-feed-region-another-format = the region of member { $member } cannot be read to filter the feed by region: the state rows are another build's (format { $format }, D89); ask a server of the writer's build
http-feed-cursor-unchecked = the log could not be read at position { $position } to check the cursor; the server's log has the details
http-last-event-id-twice = Last-Event-ID is sent twice: send the id of the last message processed once
http-backup-busy = { $max } backups are being sent already; ask again when one has finished (a backup of a large ledger takes minutes)
http-backup-empty-log = nothing to back up: the log is empty
http-backup-no-signing-key = this server does not hold this ledger's signing key, so it cannot sign a backup: fetch the backup from the writer (its data directory holds the key), or start this server with the writer's key (its --data-dir, or $FLEXLEDGER_SIGNING_KEY)
http-backup-writer-no-signing-key = this server, the ledger's writer, does not find the ledger's signing key, so it cannot sign a backup: put the key file back where the server's log says, then ask again (commands are still recorded meanwhile)
http-backup-other-signing-key = this server's signing key is not the one that signed this ledger's checkpoints (key id { $signer }): fetch the backup from the writer, or start this server with the ledger's key
http-as-of-beyond-head = this server's log ends at position { $head }: as_of={ $position } is not written yet, and what it will hold is not known, so an answer as of it would change as events arrive. Ask with as_of={ $head } or less, or without as_of for the member as of now
