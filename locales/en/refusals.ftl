# Refusal messages (src/domain/refusal.rs, `RefusalText`): one message per variant,
# its arguments named as the variant's fields. Each must render exactly as the
# `message` that src/domain/decide.rs writes (tests/it/i18n.rs checks it), since that
# English text is the wire's and the contract's.

refusal-version-conflict = member stream is at version { $actual }, not { $expected }: read the member again and resubmit with expected_version { $actual }
refusal-unknown-region = region "{ $region }" has no policy: { $known_count ->
        [0] no region has one yet, so publish_policy for it first (R3)
       *[other] check the name, which must match exactly, case included (regions with a policy: { $known }); a new region needs publish_policy first (R3)
    }
refusal-member-withdrawn = member { $member } has withdrawn: reenroll first (R13)
refusal-already-withdrawn = member { $member } has already withdrawn, since { $since } ({ $rule }): there is nothing to withdraw
refusal-pay-member-withdrawn = member { $member } has withdrawn, since { $since }: the months of its ended enrollment period can no longer be paid (R11, R12); to pay again, reenroll (R13) and pay from the new period's first month
refusal-member-unknown = member { $member } is not enrolled: no member has this id; check it, or enroll a new member first (R5)
refusal-base-ratio-out-of-range = base ratio { $ratio } is outside { $min }–{ $max } allowed for { $month } in region { $region } ({ $rule }): choose a ratio within that band
refusal-policy-retroactive = { $month } is already closed in region { $region } (R3): a policy may take effect from the open month { $open } or later
refusal-policy-before-region = { $month } is before region { $region }'s first month { $first }, when its first policy took effect (R1): a policy may take effect from the open month { $open } or later (R3)
refusal-policy-too-far-ahead = { $month } is too far ahead for region { $region } (R3, R6): a policy takes effect no later than { $limit }, the last month a payment may name while { $open } is open; publish it once { $publish_from } is open
refusal-previously-enrolled = member { $member } was enrolled before and has withdrawn: use reenroll (R13)
refusal-previously-enrolled-elsewhere = member { $member } was enrolled in region { $region } and has withdrawn: reenroll would enroll it there again (R13); a member id stays in the region it first enrolled in, so an enrollment in region { $asked } takes a member id of that region's own (no rule carries months from one region to another)
refusal-already-enrolled = member { $member } is already enrolled in region { $region } (R5): nothing to enroll (pay pays its months, change_base changes its base)
refusal-employer-scheme-required = a worker with an established labor relationship participates through the employer's scheme, not as a flexible employee (R5, S2): have the employer enroll them; send `labor_relationship` `none` only for a worker who has no employer
refusal-month-before-region = { $month } is before region { $region }'s first month { $first }, when its first policy took effect (R1): no month before it was ever open; use the open month { $open } or a later one
refusal-enroll-month-closed = { $month } is closed in region { $region } (R5): enroll from the open month { $open } or later
refusal-enroll-too-far-ahead = { $month } is too far ahead (R5, R6): an enrollment starts no later than { $limit }, the last month a payment may name while { $open } is open
refusal-pay-deduction-stopped = deduction is stopped (R8): resume_deduction (re-handle the procedures) before paying
refusal-paid-on-outside-open-month = paid_on { $paid_on } is not in the open month { $open } (R6): payments are made in the open month
refusal-months-not-contiguous = months must be consecutive and in ascending order, with no gap or repeat (R6): { $kind ->
        [gap] { SAME($missing_first, $missing_last) ->
            [yes] { $missing_first } is
           *[no] { $missing_first }..{ $missing_last } are
        } missing between { $after } and { $next }
        [repeat] { $after } is listed twice
       *[order] { $next } follows { $after }
    }
pay-from = { SAME($payable_in, $open) ->
        [yes] pay from { $next_unpaid }
       *[no] pay from { $next_unpaid } once { $payable_in } is the open month (R6: at most 11 months ahead of it; the open month is { $open })
    }
refusal-pay-before-enrollment = { $month } is before the enrollment period that started { $start }, where a payment starts at the oldest unpaid month (R6): { pay-from }
refusal-pay-already-paid = { $month } is already paid (paid through { $paid_through }), and a payment starts at the oldest unpaid month (R6): { pay-from }
refusal-arrears-must-be-paid-first = months are paid oldest first (R6): start from { $next_unpaid }; { $count ->
        [one] { $next_unpaid } comes before the first month this payment names and is unpaid: it owes
       *[other] the { $count } months { $next_unpaid }..{ $last_owed } come before the first month this payment names and are unpaid: they owe
    } { $amount }
refusal-prepay-limit-exceeded = { $month } is beyond the twelve months a payment may name, the open month { $open } and the 11 after it (R6): pay at most through { $limit }
refusal-pay-amount-mismatch = amount { $amount } does not equal { SAME($first, $last) ->
        [yes] the due of { $first }, { $total }
       *[no] the dues of { $first }..{ $last }, which sum to { $total }
    } (R4, R6): pay exactly { $total }
refusal-month-not-open = { $month } is not the open month of region { $region } (R9): close { $open } next
refusal-close-last-month = { $month } is the last month the ledger records (R1): closing it would open a month after it, which cannot be recorded, so it stays the open month of region { $region }; do not close it
refusal-pay-paid-through-last-month = { $month } is already paid: the enrollment period is paid through { $last }, the last month the ledger records (R1, R6), so nothing is left to pay
refusal-withdraw-past-last-month = member { $member } has paid through { $last }, the last month the ledger records, while it is open: a withdrawal would take effect from the month after it (R1, R12), which cannot be recorded; the member stays enrolled through { $last }
refusal-deduction-already-stopped = deduction is already stopped (R8): resume_deduction to start it again
refusal-deduction-not-stopped = deduction is running (R8): there is nothing to resume
refusal-never-enrolled = member { $member } has never enrolled: no member has this id; check it, or use enroll for a new member (R5)
refusal-not-withdrawn = member { $member } is still enrolled (R13): only a withdrawn member may re-enroll; nothing needs doing (to change the base, send change_base)
refusal-reenroll-month-closed = re-enrollment may start no earlier than { $earliest } (R13: the open month, and not before the withdrawal took effect or within months paid before it)
refusal-reenroll-past-last-month = member { $member } paid through { $last }, the last month the ledger records, before withdrawing: re-enrollment may not start within those months (R13), so no month is left to re-enroll in
refusal-change-base-month-closed = { $month } is closed (R15): change the base from the open month { $open } or later
refusal-change-base-before-enrollment = { $month } is before the enrollment period that starts { $start } (R15): change the base from { $start } or later
refusal-change-base-already-paid = { $month } is already paid and keeps the due it was paid at (R4, R15): change the base from { $next_unpaid } or later
refusal-change-base-paid-through-last-month = { $month } is already paid and keeps the due it was paid at (R4, R15): the enrollment period is paid through { $last }, the last month the ledger records, so no month is left whose base can change
refusal-grant-month-closed = { $month } is closed (R16): a grant starts in the open month { $open } or later
refusal-grant-too-long = a grant of category `{ $category }` covers at most { $limit } months (R16), not { $months }: grant fewer months
refusal-share-too-large = share { $share } is above { $max } (R16: at most about two thirds of what is paid): grant a smaller share
refusal-granted-months-exceeded = member { $member } already has { $granted ->
        [one] { $granted } granted month
       *[other] { $granted } granted months
    }; { $months } more would exceed { $max } (R16): { $remaining ->
        [0] no more months can be granted (revoke the months of a grant that are not needed first)
       *[other] grant at most { $remaining }
    }
refusal-graduate-months-exceeded = member { $member } already has { $granted ->
        [one] { $granted } graduate month
       *[other] { $granted } graduate months
    } granted; { $months } more would exceed { $max }, a graduate's two years in all (R16): { $remaining ->
        [0] no more months can be granted as graduate
       *[other] grant at most { $remaining } as graduate
    }
refusal-grant-past-last-month = a grant of { $months } months from { $first } would run past { $last }, the last month the ledger records (R1, R16): grant only months from { $first } through { $last }
refusal-subsidy-overlap = { SAME($first, $last) ->
        [yes] month { $first } is
       *[no] months { $first }..{ $last } are
    } already granted from { $other_first } (R16: grants may not overlap): start after { $other_last } or revoke that grant first
refusal-revoke-month-closed = { $month } is closed (R16): revoke from the open month { $open } or later
refusal-no-subsidy = member { $member } has no month granted from { $month } on (R16): nothing to revoke
refusal-subsidy-paid-on-outside-open-month = paid_on { $paid_on } is not in the open month { $open } (R16): subsidies are paid in the open month
refusal-subsidy-already-paid = the subsidy of { $month } was already paid out (R16): leave it out of this payment
refusal-subsidy-not-accrued = { $month } has not accrued a subsidy: { $reason ->
        [not_granted] no grant covers it
        [refunded] its contribution was refunded (R12)
        [unpaid] its contribution is not paid
        [not_enrolled] the member was not enrolled for it (a month outside every enrollment period accrues nothing)
       *[not_closed] it is not closed yet (it accrues at its month close)
    } (R16: a granted month accrues once it is paid and closed); pay only accrued months
refusal-subsidy-amount-mismatch = amount { $amount } does not equal the accrued subsidies of those months, which sum to { $total } (R16): pay exactly { $total }

## Commands that do not parse (code invalid_command; src/domain/command.rs). Where serde's
## own English is part of the sentence (`detail`), it stays English in every language.

refusal-parse-not-json = not valid JSON ({ $detail }); send one JSON object per command
refusal-parse-number-out-of-range = a number is out of the range this ledger reads ({ $detail }): amounts are decimal strings ("600.00") and counts small whole numbers
refusal-parse-number-inexact = the number { $number } is not a whole number, though a 64-bit float reads it as one: a command's numbers are whole (counts of months, versions; amounts, rates and shares are decimal strings such as "600.00"): write it as one
refusal-parse-line-not-utf8 = line is not valid UTF-8: save the file as UTF-8 (one saved as GBK or UTF-16 converts with `iconv -f GBK -t UTF-8` or `iconv -f UTF-16 -t UTF-8`)
refusal-parse-line-too-long = line is longer than { $bytes_max } bytes; split it into smaller commands
refusal-parse-line-empty = line is empty; put one JSON command on each line
refusal-parse-not-an-object = a command must be a JSON object with a "command" field
refusal-parse-line-unfinished = the line ends before its JSON does ({ $detail }): write each command on one line; one spread over several lines (pretty-printed) is read line by line and refused (`jq -c` prints each on one line)
refusal-parse-line-array = a line holds one command object, not an array: put each command of the array on its own line (`jq -c '.[]'` does)
refusal-parse-command-not-a-string = field `command` must be a string naming the command
refusal-parse-command-missing = missing field `command` (one of: { $names })
refusal-parse-unknown-command = unknown command { $name }; expected one of: { $names }
refusal-parse-command-id-not-a-uuid = field `command_id` must be a UUID string in hyphenated form (8-4-4-4-12 hexadecimal digits)
refusal-parse-expected-version-not-a-count = field `expected_version` must be a whole number from 0 to 18446744073709551615
refusal-parse-expected-version-not-a-member-command = { $command }: expected_version applies only to member commands
refusal-parse-months-count = { $command }: field `months` must list 1 to { $max } months
refusal-parse-withdraw-arrears-exceeded-grace = withdraw: reason `arrears_exceeded_grace` is recorded only by a month close (R11); use voluntary, employer_scheme, relocated or deceased
refusal-parse-grant-months = grant_subsidy: field `months` must be at least 1 (R16)
refusal-parse-grant-share = grant_subsidy: field `share` must be greater than 0 (R16)
refusal-parse-pay-subsidy-month-twice = pay_subsidy: field `months` names a month twice; list each accrued month once

# Why a policy does not validate, by its check (`PolicyCheck::name`): said after
# `publish_policy` in a refusal, and after a what-if's policy file.
policy-check = { $check ->
        [not_positive] { $field } must be greater than 0
        [not_below] { $field } must be below { $limit }
        [above_max] { $field } must be at most { $limit }
        [rate_range] { $field } must be greater than 0 and at most { $limit }
        [band_inverted] { $field } must not exceed { $limit }
        [account_above_rate] { $field } { $value } must be at most contribution_rate { $limit } (R17: the personal account takes part of the contribution)
        [too_many_tiers] { $field } may have at most { $limit } entries
        [tier_name_length] { $field } must be 1 to { $limit } bytes
        [due_rounds_to_zero] the smallest due, average_monthly_wage × { $field } × contribution_rate, rounds to { $value }: a month would be covered for no contribution (R2, R4); it must come to at least { $limit }
        [delay_below_next_month] { $field } must be at least { $limit }: benefits start from the month after the payment at the earliest (S1, R7); 0 would cover the very month a member pays in, however late in it
       *[tier_repeats] { $field } repeats an earlier tier's
    }
refusal-parse-policy-invalid = publish_policy: { policy-check }
refusal-parse-field-missing = { $command }: missing field `{ $field }`
refusal-parse-field-invalid = { $command }: field `{ $field }`: { $detail }

## The ledger's own refusal (src/ledger.rs, D10): a command id accepted before for another command.

refusal-command-id-reused = command_id { $command_id } was already accepted for a different command (its events start at position { $position }): send a new command under a new command_id, or resend exactly the same command to get its first result
