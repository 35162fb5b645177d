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
