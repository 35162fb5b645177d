# `flexledger-audit`'s other readable outputs: verify, checkpoint, prove, export,
# verify-bundle, public-key, the timeline's summary and whatif (src/audit/commands.rs,
# src/audit/cli.rs, src/audit/whatif/cli.rs). --json is English and unchanged.

audit-separator = {", "}
audit-damaged = DAMAGED at position { $position }: { $message }

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
audit-checkpoint-row = size { $size }  root { $root }  heads { $heads }  { $created }
audit-checkpoint-invalid = INVALID: { $error }

## prove
audit-no-checkpoint = no stored checkpoint: run `flexledger-audit checkpoint` first
audit-no-checkpoint-at-size = no stored checkpoint at size { $size }: run `flexledger-audit checkpoint` first
audit-log-rewritten = the log's first { $size ->
        [one] event no longer has
       *[other] { $size } events no longer have
    } the checkpoint's root: the log was rewritten
audit-no-event = no event at position { $position } in the checkpoint of { $size ->
        [one] { $size } event
       *[other] { $size } events
    }
audit-inclusion = event { $position } (hash { $hash }) is in the checkpointed log of { $size ->
        [one] { $size } event
       *[other] { $size } events
    }, root { $root }
audit-inclusion-path = audit path (leaf to root, RFC 9162), verified:
audit-no-consistency = no consistency proof from size { $from } to { $to }: the old size must be between 1 and the new one
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
audit-bundle-failed = FAILED { $check }{ $place }: { $message }
audit-bundle-place = {" "}[{ $place }]
audit-bundle-line = line { $line }
audit-bundle-position = position { $position }

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
    }; hashes, chains, indexes and state rows checked
audit-verify-checkpoints = { $count ->
        [one] { $count } signed checkpoint matches
       *[other] { $count } signed checkpoints match
    } the log; latest: { $size ->
        [one] { $size } event
       *[other] { $size } events
    }, root { $root }
audit-verify-no-checkpoint = no checkpoint yet: `flexledger-audit checkpoint` signs one

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
audit-whatif-row-lapsed = lapsed, borne by member
audit-whatif-row-lapsed-members = lapsed, borne by members
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
    } (at most { $most }; { $omitted } more not shown, ask with --member ID):
audit-whatif-state = { $state }
audit-whatif-reason = { $reason }

## what the ledger does not hold (standard error; --json's message is this English)
audit-unknown-member = member { $member } has no events in this ledger (at this point of the log): check the id
audit-unknown-region = region { $region } has no policy in this ledger: check the name
audit-nothing-member = nothing to export: member { $member } has no events in this ledger
audit-nothing-region = nothing to export: region { $region } has no policy in this ledger
audit-nothing-all = nothing to export: the log is empty
audit-no-ledger = no ledger in { $data_dir }: pass --data-dir (or set FLEXLEDGER_DATA_DIR)
