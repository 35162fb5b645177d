# `flexledger-audit`'s other readable outputs: verify, checkpoint, prove, export,
# verify-bundle, public-key, the timeline's summary and whatif (src/audit/commands.rs,
# src/audit/cli.rs, src/audit/whatif/cli.rs). --json is English and unchanged.

audit-separator = {", "}
audit-damaged = DAMAGED at position { $position }: { $message }
audit-damage-advice = flexledger-audit: the store is damaged. On sled, first copy the data directory aside as it is (`cp -a`): opening a damaged sled store can change its files. Where the message above names a way back (a file to put back or move aside, `verify --accept-head`, `rebuild`), take it; otherwise run `flexledger backup --out FILE` on it: if the backup succeeds, it read and checked every event, and `flexledger restore` of it loses no event; only if it fails, restore the data directory from a backup. `flexledger verify` names the first broken link (an event's position, or the engine file and byte) when the store still opens, and `flexledger rebuild` repairs it when only state rows differ.{ $marked ->
    [yes] { " " }The store is marked (a PostgreSQL store's mark is kept beside its signing key, in the writer's --data-dir) and takes no appends until `flexledger-audit verify` passes there (its mark, unlike `flexledger`'s, is removed only by the audit tool's verify, which checks the signed checkpoints too); a writer started with another --data-dir does not see a PostgreSQL store's mark, so stop it until then
   *[no] {""}
}
audit-damage-set-aside = flexledger-audit: move the damaged file aside as said above; restore the data directory from a backup only if `flexledger verify` still fails
audit-damage-witness = flexledger-audit: the store is not marked: this data directory's head witness keeps its writer away from the database by itself, until what the finding above names is resolved or the witness is moved aside as said above. If the database is a copy of the ledger (not the one this directory's writer appends to), the finding is about the copy against the ledger's head: check a copy without the writer's --data-dir

## public-key
audit-public-key-id = key id { $key_id } (ed25519); publish this key so auditors can pin it

## checkpoint
audit-checkpoint-signed = checkpoint of { $events ->
        [one] { $events } event
       *[other] { $events } events
    }, { $streams ->
        [one] { $streams } stream
       *[other] { $streams } streams
    }: signed and stored
audit-checkpoint-kept = checkpoint of { $events ->
        [one] { $events } event
       *[other] { $events } events
    }, { $streams ->
        [one] { $streams } stream
       *[other] { $streams } streams
    }: already stored (checkpoints are never replaced)
audit-checkpoint-signature = signature  { $signature }
audit-checkpoint-public-key = public key { $public_key } (key id { $key_id })
audit-checkpoint-consistent = consistent with the previous checkpoint at size { $size }: proof of { $hashes ->
        [one] { $hashes } hash
       *[other] { $hashes } hashes
    } verified (RFC 9162)
audit-checkpoint-row = size { $size }  root { $root }  heads { $heads }  { $created }  signature valid
audit-checkpoint-row-earlier = size { $size }  root { $root }  heads { $heads }  { $created }  signature valid, by an earlier key
audit-checkpoint-invalid = INVALID: { $error }
audit-checkpoint-wrong-key-pinned = the checkpoint was signed by key { $found }, not by the pinned key { $key }
audit-checkpoint-wrong-key-ledgers = it was signed by key { $found }, not by this ledger's key { $key } (if the ledger announced a change of key, give the key it used before with --earlier-key)
audit-checkpoint-none = no stored checkpoint yet: `flexledger-audit checkpoint` signs one of the log as it is now and stores it

## prove
audit-no-checkpoint = no stored checkpoint: run `flexledger-audit checkpoint` first
audit-no-checkpoint-at-size = no stored checkpoint at size { $size }: { $count ->
        [one] the stored checkpoint is at size { $sizes }
       *[other] the stored checkpoints nearest it are at sizes { $sizes } (of { $count }: `flexledger-audit checkpoint --list` lists them)
    }; pass one of them as --to, or leave --to out for the latest
audit-log-rewritten = the log's first { $size ->
        [one] event no longer has
       *[other] { $size } events no longer have
    } the checkpoint's root: the log was rewritten
audit-no-event = no event at position { $position } in the checkpoint of { $size ->
        [one] { $size } event
       *[other] { $size } events
    }
audit-beyond-log = { $head ->
        [0] the log holds no event yet, so nothing at { $wanted } can be proven
       *[other] the log ends at position { $head }, so nothing at { $wanted } can be proven: pass a position or size from 1 to { $head }
    }
audit-inclusion = event { $position } (hash { $hash }) is in the checkpointed log of { $size ->
        [one] { $size } event
       *[other] { $size } events
    }, root { $root }
audit-inclusion-path = audit path (leaf to root, RFC 9162), verified:
audit-no-consistency = no consistency proof from size { $from } to { $to }: the old size must be between 1 and the new one (every log extends the empty log of size 0, the size of a ledger's first checkpoint, so there is nothing to prove from it)
audit-no-event-after-checkpoint = event { $position } is in the log but after the checkpoint of { $size ->
        [one] { $size } event
       *[other] { $size } events
    }, which proves only what it covers: sign the log as it is now ({ $head ->
        [one] { $head } event
       *[other] { $head } events
    }) with `flexledger-audit checkpoint`, then prove again
audit-no-consistency-after-checkpoint = the checkpoint of { $size ->
        [one] { $size } event
       *[other] { $size } events
    } is older than size { $from }: sign the log as it is now ({ $head ->
        [one] { $head } event
       *[other] { $head } events
    }) with `flexledger-audit checkpoint`, then prove from { $from } to it
audit-consistency = the log of { $new_size ->
        [one] { $new_size } event
       *[other] { $new_size } events
    } (root { $new_root }) extends the log of { $old_size ->
        [one] { $old_size } event
       *[other] { $old_size } events
    } (root { $old_root })
audit-consistency-path = consistency path (RFC 9162), verified:
audit-consistency-compare = compare the old root with the one in the checkpoint you kept

## export
audit-export-csv = wrote { $rows ->
        [one] { $rows } member-month row
       *[other] { $rows } member-month rows
    } for { $members ->
        [one] { $members } member
       *[other] { $members } members
    } to { $path }
audit-export-bundle = wrote { $events ->
        [one] { $events } event
       *[other] { $events } events
    } of { $streams ->
        [one] { $streams } stream
       *[other] { $streams } streams
    } and { $members ->
        [one] { $members } member
       *[other] { $members } members
    }, proven against the signed checkpoint of { $size ->
        [one] { $size } event
       *[other] { $size } events
    } (root { $root }), to { $path } ({ $bytes ->
        [one] { $bytes } byte
       *[other] { $bytes } bytes
    })
audit-export-check = check it anywhere: flexledger-audit verify-bundle { $file } --public-key { $public_key }
audit-export-file = FILE

## verify-bundle
audit-bundle-valid = VALID: { $events ->
        [one] { $events } event
       *[other] { $events } events
    }, { $streams ->
        [one] { $streams } stream
       *[other] { $streams } streams
    }, { $members ->
        [one] { $members } member coverage
       *[other] { $members } member coverages
    }
audit-bundle-scope = { $scope ->
        [member] scope: member { $name }: its stream and its region's, each complete up to the checkpoint
        [region] scope: region { $name }: every stream it holds is complete up to the checkpoint and enrolled in the region; it does not prove that it holds every member of the region (only an --all bundle proves a whole log)
       *[all] scope: the whole log, every event up to the checkpoint
    }
audit-bundle-invalid = INVALID: { $events ->
        [one] { $events } event
       *[other] { $events } events
    }, { $streams ->
        [one] { $streams } stream
       *[other] { $streams } streams
    }, { $members ->
        [one] { $members } member coverage
       *[other] { $members } member coverages
    }
audit-bundle-checkpoint = checkpoint: { $size ->
        [one] { $size } event
       *[other] { $size } events
    }, root { $root }, signed { $created }
audit-bundle-pinned = signed by the pinned key (key id { $key_id })
audit-bundle-unpinned = signed by key id { $key_id }: NOT pinned — compare it with the operator's published key, or pass --public-key
audit-bundle-commands-unsigned = note: this backup does not sign its command records (bundle version 2): its events and checkpoint are verified, but a command record removed from it could not be noticed
audit-bundle-no-command-digests = note: this bundle carries no command digests (version 1): a ledger made from it by `flexledger restore` answers a command under any id it holds as a duplicate unless the id's events cannot be that command's (another stream, kind of event or month); restore from a backup (`flexledger backup`, version 3) to keep them
audit-bundle-failed = FAILED { $check }{ $place }: { $message }
audit-bundle-place = {" "}[{ $place }]
audit-bundle-line = line { $line }
audit-bundle-position = position { $position }

## verify-bundle: why a check failed (src/audit/bundle/verify.rs, `Reason`). Check names
## (`edited`, `completeness`, …) are the JSON's and stay as they are; English here is
## also each failure's `message` in --json. Other modules' English (`detail`) stays English.
audit-bundle-why-key-unpinned = the checkpoint is signed by key id { $key_id }, but no key was pinned: pass --public-key with the ledger's published key (flexledger-audit public-key), or --trust-bundle-key to accept this one
audit-bundle-why-too-many-lines = more than { $max } lines: split the export (--member or --region)
audit-bundle-why-line-too-long = line longer than { $max } bytes
audit-bundle-why-no-header = no bundle header line ({"{"}"record":"bundle",…{"}"} first): this is not a flexledger audit bundle, or its first line was removed; without it the bundle's scope and version are unknown, so only each event's own hash is checked
audit-bundle-why-not-json = not JSON: { $detail }
audit-bundle-why-empty = the file is empty (0 bytes): it is no bundle; check the file's name, or export it again
audit-bundle-why-cut-in-line = the file ends in the middle of this line: it was cut short (copy it again, whole)
audit-bundle-why-positions-missing = { $one ->
    [yes] position { $from } is
   *[no] positions { $from } to { $to } are
} not in the bundle: removed, or moved elsewhere in it
audit-bundle-why-cut-short = the bundle ends at line { $line } without its signed checkpoint (every bundle's last line): it was cut short, or its end removed; copy it again, whole, or export it again
audit-bundle-why-no-hash = the event carries no hash: it was altered and its hash stripped
audit-bundle-why-hash-mismatch = the event was altered after it was recorded: hash { $claimed } does not match the content (SHA-256 { $hash })
audit-bundle-why-altered = the event was altered after it was recorded: { $detail }
audit-bundle-why-header-not-first = the bundle header is not the first line: the lines were reordered
audit-bundle-why-second-header = a second header, or not { $format } version { $version }
audit-bundle-why-bad-header = bad header: { $detail }
audit-bundle-why-event-after-records = an event after the bundle's records: the lines were reordered
audit-bundle-why-reordered = position { $position } follows position { $previous }: events were reordered or repeated
audit-bundle-why-chain-broken = prev_hash does not link to the previous position's hash
audit-bundle-why-no-fold = the events do not fold: { $detail }
audit-bundle-why-bad-record = unknown or malformed record: { $detail }
audit-bundle-why-event-not-as-printed = the event's content and hash agree, but the line is not as the ledger prints it (spacing, key order, or a number or time written another way): the line was edited
audit-bundle-why-record-not-as-written = the record is not as the ledger writes it (spacing, key order, or a number written another way): the line was edited
audit-bundle-why-blank-line = the line is blank: the ledger writes no blank line, so it was put there
audit-bundle-why-record-moved = a record of kind { $record } after the { $after } records: the lines were moved (the order is inclusion, stream_head, coverage, commands, checkpoint)
audit-bundle-why-proof-in-whole-log = an inclusion proof in a bundle of the whole log, which never holds one (its events rebuild the whole tree): the line was added
audit-bundle-why-command-record-astray = the body digest of command { $command_id } is not right before the command's first event, or is in a bundle that holds none (only a backup, version 2 or later, does): the line was moved or added
audit-bundle-why-commands-unexpected = a commands record where none belongs: only a backup of version 3 holds one, once, right before its checkpoint; the line was added or moved
audit-bundle-why-gzip = the file looks gzip-compressed (it starts with the bytes 1f 8b), and a bundle is plain text: decompress it first (`gunzip FILE`), then check it
audit-bundle-why-byte-order-mark = the file begins with a byte-order mark (the bytes ef bb bf): it was re-saved by an editor, and a bundle is checked only as the ledger wrote it; check the original file
audit-bundle-why-commands-missing = no commands record before the checkpoint: a backup of version 3 signs its command records on one, right before its checkpoint; the line was removed or moved after the checkpoint: use an unaltered copy, or take a new backup
audit-bundle-why-commands-wrong-key = the backup's command records were signed by key { $found }, not by the pinned key { $pinned }: check that the pinned key is the one the ledger published; if it is, this backup is not that ledger's, or was signed again by another key
audit-bundle-why-commands-bad-signature = forged or altered signature over the command records: it does not verify: the note was altered or not signed by this key
audit-bundle-why-commands-forged = forged or altered signature over the command records: { $detail }
audit-bundle-why-commands-differ = the command records are not those the backup signed ({ $signed } signed, { $held } in the bundle): a command record was removed, added, moved or altered, so a restore could answer a different command under an accepted id as a duplicate
audit-bundle-why-commands-of-another-checkpoint = the signed command records name another checkpoint than this bundle's (another position, log root or key): the commands line is another backup's; use an unaltered copy, or take a new backup
audit-bundle-why-head-out-of-order = the stream head of { $stream } is out of order or repeated: stream heads come in stream name order, each once
audit-bundle-why-coverage-out-of-order = the coverage of member { $member } is out of order or repeated: coverages come in member id order, each once
audit-bundle-why-proof-without-event = the bundle proves an event at this position but does not contain it: an event was removed
audit-bundle-why-second-proof = a second inclusion proof for this position
audit-bundle-why-not-in-log = not in the signed log of { $size } events: the event was altered or added
audit-bundle-why-coverage-differs = member { $member }'s coverage does not follow from the bundle's events: { $field } is { $claimed ->
        [absent] absent
       *[other] { $claimed }
    } in the bundle, { $folded ->
        [absent] absent
       *[other] { $folded }
    } by its events
audit-bundle-why-coverage-close-unfinished = member { $member }'s coverage was folded in the middle of the month close of { $month }: the bundle holds the close but not its consequences for the member (missed month, automatic withdrawal, R9–R11), so the coverage is a state the ledger never acts on (D83); export the member again once the close is finished
audit-bundle-why-coverage-without-events = member { $member } has no events in the bundle
audit-bundle-why-checkpoint-count = expected exactly one signed checkpoint, found { $found }
audit-bundle-why-tree-size = the header says tree size { $header } but the checkpoint { $checkpoint }
audit-bundle-why-checkpoint-forged = forged or altered checkpoint: { $detail }
audit-bundle-why-checkpoint-wrong-key = the checkpoint was signed by key { $found }, not by the pinned key { $pinned }: check that the pinned key is the one the ledger published; if it is, the checkpoint was not signed by that ledger's key, unless the ledger announced a change of key (`checkpoint --new-key`) after this bundle was exported: then pin the key it announced before the change, and only for a bundle of a log no larger than the first checkpoint the new key signed (`checkpoint --list`): a replaced key signs nothing after the change
audit-bundle-why-checkpoint-bad-signature = forged or altered checkpoint: the checkpoint's signature does not verify: the note was altered or not signed by this key
audit-bundle-why-event-count = the header lists { $listed } events but the bundle holds { $held }
audit-bundle-why-all-positions = an --all bundle must hold positions 1 to { $size } exactly; it holds { $held } events
audit-bundle-why-root-differs = the events' Merkle root differs from the checkpoint's root
audit-bundle-why-no-proof = no inclusion proof for this event: it was added to the bundle
audit-bundle-why-second-head = a second head for this stream
audit-bundle-why-head-not-committed = the stream head is not the one the signed checkpoint commits to
audit-bundle-why-no-head = no committed head for this stream: its completeness cannot be shown
audit-bundle-why-all-heads = an --all bundle must hold all { $size } stream heads; it holds { $held }
audit-bundle-why-own-head-missing = the member's own stream head is missing
audit-bundle-why-version-gap = version { $found } does not follow version { $events } of the stream: an event before it was removed, altered or reordered
audit-bundle-why-events-removed = the bundle holds { $events } event(s) of the stream but the signed checkpoint commits to { $version } ending in { $hash }: events were removed
audit-bundle-why-stream-end-differs = the bundle holds { $events } event(s) of the stream, the last with hash { $found }, but the signed checkpoint commits to { $version } ending in { $hash }: the stream's events were altered or added
audit-bundle-why-scope-counts = the header lists { $streams } streams and { $members } members but the bundle holds { $heads } stream heads and { $coverages } coverages
audit-bundle-why-no-coverage = no coverage record for this member: the bundle does not say what the events mean
audit-bundle-why-other-member = a member bundle of { $member } holds another member's stream
audit-bundle-why-not-member-region = not the region the member enrolled in
audit-bundle-why-member-region-missing = the member's region stream (its policies and month closes) is missing
audit-bundle-why-own-region-missing = the region's own stream (its policies and month closes) is missing
audit-bundle-why-other-region = a bundle of region { $region } holds another region's stream
audit-bundle-why-not-enrolled-in-region = this member did not enroll in region { $region }

## verify
audit-verify-ok = OK: { $events ->
        [one] { $events } event
       *[other] { $events } events
    }, { $streams ->
        [one] { $streams } stream
       *[other] { $streams } streams
    }, { $members ->
        [one] { $members } member
       *[other] { $members } members
    }; { $rows ->
        [not-compared] hashes, chains and indexes checked; the state rows NOT compared: another build wrote them (D89)
       *[compared] hashes, chains, indexes and state rows checked
    }
audit-verify-kept = { $count ->
        [one] the checkpoint you kept matches the log
       *[other] the { $count } checkpoints you kept match the log
    }
audit-verify-earlier-key = { $count ->
        [0] earlier key { $key } signed none of the checkpoints checked
        [one] 1 checkpoint checked, of the log's first { $first } events, is signed by earlier key { $key }
       *[other] { $count } checkpoints checked, of log sizes { $first } to { $last }, are signed by earlier key { $key }
    }, which the ledger replaced
audit-kept-line-refused = line { $line } of { $file } is not a checkpoint signed by this ledger's key: { $reason }
audit-kept-not-a-checkpoint = it is no signed checkpoint ({ $detail })
audit-kept-none = { $file } holds no checkpoint: give a file of the lines `flexledger-audit checkpoint --json` or `checkpoint --list --json` printed
audit-verify-checkpoints = { $count ->
        [one] { $count } signed checkpoint matches
       *[other] { $count } signed checkpoints match
    } the log; latest: { $size ->
        [0] no event yet (the checkpoint a new ledger signs as it is made, before its first event)
        [one] { $size } event
       *[other] { $size } events
    }, root { $root }
audit-verify-other-key = NOT VERIFIED: { $size ->
        [0] the checkpoint signed when the ledger was made
       *[other] the checkpoint of the log's first { $size } events
    } is signed by key { $found }, not by the key given ({ $pinned }). Check that the key given is the one the ledger published: if it is, these checkpoints were not signed by that ledger's key
audit-verify-key-file-other = NOT VERIFIED: { $size ->
        [0] the checkpoint signed when the ledger was made
       *[other] the checkpoint of the log's first { $size } events
    } is signed by key { $found }, but the signing key file { $path } holds key { $pinned }. Either that file is not this ledger's key (another ledger's, put in its place), or the checkpoints were signed by someone else. Run `flexledger-audit verify --public-key HEX` with the key the ledger published: it says which
audit-verify-other-key-replaced = A later checkpoint is signed by key { $pinned }: if the ledger announced that it replaced key { $found } (`flexledger-audit checkpoint --new-key`), give it as --earlier-key { $found } to accept the checkpoints it signed before the change
audit-verify-successor-signed-nothing = NOT VERIFIED: an earlier key was given with --earlier-key, but key { $key }, which replaced it, signed none of the checkpoints checked (stored or kept): the change the agency announced is not in this ledger, so the earlier key's checkpoints are not accepted on their own. Check the keys and their order against the announcement, and give the checkpoints you kept with --kept
audit-verify-signed-after-replaced = NOT VERIFIED: the checkpoint of the log's first { $size } events is signed by { $origin }, an earlier key, but { $successor }, the key after it, had already signed the checkpoint of the first { $replaced } events. An earlier key signs nothing after the change: whoever holds it signed this one. Keep it as evidence and ask the agency how that key was lost
audit-verify-keys-swapped = NOT VERIFIED: the keys look given in the wrong order: the checkpoint of the log's first { $size } events is signed by { $origin }, given as an earlier key, but { $successor }, given as the key after it, signed the checkpoint of the first { $replaced } events, and every checkpoint it signed is of a log no larger than every one { $origin } signed. Check the order against the agency's announcement: if it was given wrong, give --earlier-key oldest first and the current key as --public-key, and verify again; if it was right, whoever holds { $origin } signed this checkpoint after the change: keep it as evidence and ask the agency how that key was lost
audit-earlier-key-not-a-key = --earlier-key { $key } is no public key: give the key the ledger signed with before, 64 hexadecimal digits as the agency announced it
audit-earlier-keys-too-many = at most { $max } --earlier-key may be given
audit-earlier-key-repeated = --earlier-key { $key } is given twice: give each key the ledger signed with before once, oldest first
audit-earlier-key-is-current = --earlier-key { $key } is the current key (--public-key, or the data directory's signing key): give only the keys the ledger signed with before it, oldest first
audit-verify-no-checkpoint = no checkpoint yet: `flexledger-audit checkpoint` signs one
audit-verify-unsigned = { $unsigned ->
        [one] the event at position { $first } is
       *[other] { $unsigned } events, positions { $first } to { $last }, are
    } not yet covered by a signed checkpoint: `flexledger-audit checkpoint` signs the log as it is now, and so vouches for those events as they are: if anyone else could write the store, read them first (`flexledger-audit replay` of their members)

## timeline
audit-timeline-wrote = wrote { $path }: member { $member }, { $months ->
        [one] { $months } month
       *[other] { $months } months
    }, { $bytes ->
        [one] { $bytes } byte
       *[other] { $bytes } bytes
    }

## whatif
audit-whatif-for-member = what-if for member { $member }
audit-whatif-for-region = what-if for region { $region }
audit-whatif-policy = alternative policy: { $summary } ({ $file })
audit-whatif-policy-not-json = policy file { $file }: not valid JSON ({ $detail })
audit-whatif-policy-not-an-object = policy file { $file }: must be one JSON object of policy parameters, e.g. {"{"}"grace_months": 6{"}"}
audit-whatif-policy-fixed-field = policy file { $file }: field `{ $field }` cannot be overridden: every policy the region published keeps its own region and effective_from
audit-whatif-policy-field = policy file { $file }: field `{ $field }`: { $detail }
audit-whatif-policy-file = policy file { $file }: { $detail }
audit-whatif-policy-invalid = policy file { $file }: the policy of region { $region } from { $effective_from } with these overrides is invalid: { policy-check }
audit-whatif-no-override = none (the alternative is the ledger itself)
audit-whatif-same-behaviour = same recorded behaviour; payments pay the same months at the alternative's dues
audit-whatif-member-affected = member { $member } (region { $region }): affected
audit-whatif-member-not-affected = member { $member } (region { $region }): not affected
audit-whatif-actual = actual
audit-whatif-alternative = alternative
audit-whatif-accepts-every-command = the alternative accepts every recorded command
audit-whatif-refused = { $count ->
        [one] { $count } recorded command the alternative refuses (the recorded behaviour no longer fits its rules; the replay drops it and goes on):
       *[other] { $count } recorded commands the alternative refuses (the recorded behaviour no longer fits its rules; the replay drops them and goes on):
    }
audit-whatif-refused-command = position { $position } { $command }: { $code } — { $message }
audit-whatif-recorded = recorded: { $recorded }
audit-whatif-no-month-changes = no month changes status or benefits
audit-whatif-months-change = { $count ->
        [one] { $count } month changes
       *[other] { $count } months change
    } status or benefits:
audit-whatif-column-month = month
audit-whatif-column-actual-paid = actual (paid)
audit-whatif-column-alternative-paid = alternative (paid)
audit-whatif-row-state = state
audit-whatif-never-enrolled = never enrolled
audit-whatif-row-arrears = arrears
audit-whatif-row-lapsed = lapsed, no longer payable
audit-whatif-row-lapsed-members = lapsed, no longer payable
audit-whatif-row-paid = paid
audit-whatif-row-benefit-months = months with benefits
audit-whatif-row-continuous-cumulative = continuous / cumulative
audit-whatif-row-tier = benefit tier
audit-whatif-row-withdrawals = withdrawals
audit-whatif-row-withdrawn-at-end = withdrawn at the end
audit-whatif-row-qualified = qualified (R7)
audit-whatif-row-benefit-start = benefit start (R7)
audit-whatif-row-refunded = refunded (R12)
audit-whatif-row-to-account = to personal account (R17)
audit-whatif-row-account-balance = account balance (R17)
audit-whatif-row-account-balances = account balances (R17)
audit-whatif-row-subsidy = subsidy acc./paid/owed
audit-whatif-subsidy-amounts = { $accrued } / { $paid } / { $owed } (R16)
audit-whatif-yes = yes
audit-whatif-no = no
audit-whatif-none = none
audit-whatif-withdrawal = from { $month } ({ $reason })
audit-whatif-list-separator = {"; "}
audit-whatif-not-listed = not listed
audit-whatif-money-refunded = {", "}refunded { $amount }
audit-whatif-money-to-account = {", "}{ $amount } to account
audit-whatif-money-subsidy-paid = {", "}subsidy { $amount } paid out
audit-whatif-money-subsidy-owed = {", "}subsidy { $amount } owed
audit-whatif-month = { $status }{ $benefits } ({ $money })
audit-whatif-amount-months = { $amount } ({ $months })
audit-whatif-lapsed-months = { $amount } ({ $months ->
        [one] { $months } month
       *[other] { $months } months
    })
audit-whatif-region = region { $region }: { $members ->
        [one] { $members } member
       *[other] { $members } members
    }, { $affected } affected, { $refused ->
        [one] { $refused } recorded command
       *[other] { $refused } recorded commands
    } refused
audit-whatif-transitions = months that change status or benefits ('+' = with benefits):
audit-whatif-column-months = months
audit-whatif-details = detail for { $shown ->
        [one] the first affected member
       *[other] the first { $shown } affected members
    } (at most { $most }{ $omitted ->
        [0] {""}
       *[other] ; { $omitted } more not shown, ask with --member ID
    }):
audit-whatif-state = { $state }
audit-whatif-reason = { $reason }

## what the ledger does not hold (standard error; --json's message is this English)
audit-unknown-member = member { $member } has no events in this ledger: check the id
audit-member-not-yet-position = member { $member } had no events yet as of position { $position }: the id is right, its first event is at position { $first } (recorded { $recorded }); ask as of { $first } or later
audit-member-not-yet-time = member { $member } had no events yet recorded by { $instant }: the id is right, its first event is at position { $first }, recorded { $recorded }; ask as of that time or later
audit-unknown-region = region { $region } has no policy in this ledger: check the name
audit-export-close-unfinished = not exported: the month close of { $region } for { $month } is still being recorded ({ $progress }), and an export states coverage as the log holds it, without the consequences the close implies and has not recorded yet (missed months, automatic withdrawals, R9–R11): a state the ledger never acts on (D83). Run `flexledger submit - < /dev/null` on this store (or on a copy of it, if this one must stay as it is): with no commands it records the rest of the close and nothing else (on a sled store any `flexledger` command does; on PostgreSQL `verify` and `events` do not), or let its `serve` finish the close, then export again; `explain` and `replay` show those consequences now, marked implied
audit-nothing-member = nothing to export: member { $member } has no events in this ledger
audit-nothing-region = nothing to export: region { $region } has no policy in this ledger
audit-nothing-all = nothing to export: the log is empty
audit-no-ledger = no ledger in { $data_dir }: pass --data-dir (or set FLEXLEDGER_DATA_DIR)
audit-no-key-to-verify = cannot check the stored checkpoints' signatures: no key to check them with (no signing key at { $path }). Give the ledger's published public key with --public-key HEX (or $FLEXLEDGER_PUBLIC_KEY; `flexledger-audit public-key` prints it where the ledger's key is), or point FLEXLEDGER_SIGNING_KEY at the ledger's key

## The ledger's signing key (src/audit/keys.rs, D33), wherever a command needs it.

audit-key-malformed = the signing key { $path } is malformed: expected 64 hex digits (the file is damaged, or is not a key). Put the ledger's key file back from its copy; if it is lost for good, move this file aside and make a new key on purpose, then announce it: flexledger-audit checkpoint --new-key (D33)
audit-key-io = cannot { $action ->
        [read] read the signing key { $path }
        [create] create the data directory for the signing key { $path }
        [write] write the signing key { $path }
        [rename] rename into place the signing key { $path }
       *[sync] sync the directory of the signing key { $path }
    }
audit-key-missing = no signing key at { $path }, but this ledger's checkpoints are signed by key id { $signer } (the latest at tree size { $tree_size }): a new key would sign the same log under a second identity, which an auditor cannot tell from a forgery. Put the ledger's key file back at { $path } (or name it with $FLEXLEDGER_SIGNING_KEY; with a PostgreSQL store, give the --data-dir that holds it). If it is lost for good, make a new key on purpose and announce it: flexledger-audit checkpoint --new-key (D33)
audit-key-not-the-ledgers = the signing key { $path } is key id { $found }, but this ledger's checkpoints are signed by key id { $signer } (the latest at tree size { $tree_size }): it is another ledger's key, or the key that replaced this ledger's (`checkpoint --new-key`) and the checkpoints it signed were deleted from the store since (compare `flexledger-audit checkpoint --list` with the checkpoints you published). Give the data directory (or $FLEXLEDGER_SIGNING_KEY) that holds this ledger's key; if it is this one, put the deleted checkpoints back (a PostgreSQL store's audit_checkpoints rows from the database's backup) before signing anything more
audit-key-not-made-here = no signing key at { $path }: this ledger's key is made by its writer (`flexledger serve` or `submit`) in the writer's data directory when it first opens the ledger, and a key made here would sign the same log under a second identity (D33). Give the --data-dir that holds the writer's key (or name it with $FLEXLEDGER_SIGNING_KEY)
audit-key-log-rewritten = nothing is signed from this ledger: a `flexledger-audit verify --kept` found its log rewritten (or rolled back) after a checkpoint kept outside it was signed (at { $found_at }; the mark is { $mark }). A checkpoint, export or backup signed now would give the ledger's key a second, different root for events it signed before, which is what a forgery looks like
audit-as-of-beyond-head = the log ends at position { $head }: position { $position } is not written yet, and what it will hold is not known, so an answer as of it would change as events arrive. Ask as of { $head } or earlier, or leave out --as-of for the member as of now
audit-as-of-after-now = { $instant } is later than now ({ $now }): what the ledger will hold then is not known, so an answer as of it would change as events arrive. Ask as of now or earlier, or leave out --as-of-time for the member as of now
audit-checkpoint-list-unpinned = no key to check the signatures against (no --public-key, no key file here): each is checked against the key its checkpoint names, which proves only that the checkpoint is whole; pin the ledger's published key with --public-key HEX
audit-close-unfinished = the month close of { $region } for { $month } is still being recorded ({ $progress }): the log holds its `MonthClosed` but not yet every member's consequences (missed months, automatic withdrawals). The audit tools never append: `explain`, `replay` and `timeline` fold the consequences a member still lacks as the ledger will record them, marked implied (D75), `verify` and `events` show the log as recorded, and an export of a member or region the close still owes consequences is refused until it is finished (D83). Run `flexledger submit - < /dev/null` on this store (with no commands it records the rest of the close and nothing else; on a sled store any `flexledger` command does, on PostgreSQL `verify` and `events` do not), or let its `serve` run, to finish the close, then audit again

## Refusals of the audit commands' own arguments and files (src/audit/commands.rs, src/audit/cli.rs, src/audit/whatif/cli.rs).

audit-new-key-nothing-new = --new-key: nothing was appended since the checkpoint at tree size { $tree_size }, signed by key id { $key_id }: a new key has nothing new to sign yet. Append first (`flexledger submit` works without the key), then run this again
audit-new-key-exists = --new-key: a signing key is already at { $path } (key id { $key_id }); --new-key makes one only where there is none. Move that file aside first if you mean to replace it
audit-public-key-lost = no signing key at { $path }: this ledger's checkpoints are signed by key { $public_key } (key id { $key_id }), whose secret half is not here. Put its key file back, or point FLEXLEDGER_SIGNING_KEY at it; a ledger that has signed checkpoints is never given a new key when it is opened (`flexledger-audit checkpoint --new-key` starts one after new events are appended)
audit-public-key-none-yet = no signing key at { $path }: it is created when the ledger is first opened for writing (flexledger submit or serve)
audit-prove-no-key = no signing key at { $path }: a proof is made against this ledger's checkpoints, which only its key can check. Give the --data-dir that holds the ledger's key, or point FLEXLEDGER_SIGNING_KEY at it
audit-prove-what = say what to prove: --position P (an event is in the log) or --from SIZE (the log grew from an earlier checkpoint)
audit-history-unreadable = cannot read member { $member }'s history
audit-no-coverage = member { $member } has no coverage
audit-export-what = say what to export: --member ID, --region NAME or --all
audit-whatif-what = say whom to compare: --member ID or --region NAME
audit-whatif-member-failed = the what-if of member { $member } failed
audit-region-members-unreadable = cannot list the members of region { $region }
audit-row-without-events = member { $member } has a state row but no events: run `flexledger verify`
audit-damage-kept-checkpoint = flexledger-audit: a checkpoint you kept outside the ledger does not match its log: the log was rewritten (or rolled back) after that checkpoint was signed, and may have been signed again with the ledger's own key, so it can match every checkpoint the ledger stores. Do not take a backup of it to recover: a backup carries the rewritten log. Keep the data directory as it is, as evidence (`cp -a` before anything else opens it); restore a backup taken before the rewrite, and after the newest checkpoint you kept (an older one lacks events that were signed, and the check says so), into a new directory, and check it with `flexledger-audit verify --kept FILE` before using it. The store is marked and takes no appends; only a `flexledger-audit verify` with the kept checkpoints (`--kept FILE`) that passes removes the mark
audit-mark-kept-for-its-checkpoint = the store stays marked damaged ({ $mark }): the kept checkpoint at tree size { $size } found it, and this verify did not check that one. Run `flexledger-audit verify --kept FILE` with a file that holds it: only a verify that checks it and passes removes the mark. If the events it covers are lost for good, that is for the auditors who kept it to know: the mark stays until they accept it
audit-mark-kept-for-kept-checkpoints = the store stays marked damaged ({ $mark }): a verify with checkpoints kept outside the ledger (`--kept FILE`) found it, and this verify checked none. Run `flexledger-audit verify --kept FILE` with those checkpoints: only a pass of theirs removes the mark
audit-close-progress = { $done } of { $total } members done
audit-close-progress-recheck = a rebuild of this store, or the restore that made it, found members still lacking its consequences
