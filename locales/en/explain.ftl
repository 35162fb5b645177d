# `flexledger-audit explain`: why a month has its status (src/audit/explain.rs).
# Codes (statuses, categories, parameters) are shown as RULES.md writes them; a
# withdrawal's reason and P-restore in words (events.ftl `word-`). Counts select
# their plural (`[one]`: "1 month").
# An argument named `at` is a cited event's position in words (explain-at-position),
# or empty when none is cited.

## The text's frame

explain-header = member { $member } ({ $region }), { $month }: { $status } — { $benefits } (decided by { $rule })
explain-benefits-yes = with benefits
explain-benefits-no = no benefits
explain-money = due { $due }, paid { $paid }
explain-money-refunded = refunded { $refunded } (R12)
explain-money-account = { $to_account } to the personal account, { $pooled } to the pooling fund (R17)
explain-money-subsidy = subsidy { $subsidy } accrued, { $paid_out ->
        [yes] paid out
       *[no] owed, not paid out yet
    } (R16)
explain-separator = {"; "}
explain-why = Why:
explain-events = Events that decided it:
explain-position = position
explain-rules = Rules applied (RULES.md):
explain-rule = { $id } { $title }. { $text }
explain-rule-part = { $id } { $title }. { $text } (quoted in part: { $id } in full is in RULES.md)
explain-rule-omitted = {" … "}
explain-rule-next = {" "}
explain-source-none = source: none — the ledger's own rule
explain-source = source { $id }: "{ $sentence }"
explain-source-translation = source { $id } (the ledger's translation): "{ $sentence }"
explain-source-english-kept = source { $id }: "{ $sentence }"
explain-source-gist = gist: { $gist }

## Months that cannot be explained

explain-no-enrollment = member { $member } has no enrollment in this history

## Positions and missing months

explain-at-position = {" "}(position { $position })
explain-at-position-implied = {" "}(not recorded yet: implied by the month close at position { $position }, still being recorded)
explain-implied = the month close at position { $position } is still being recorded: the events cited as implied are its consequences for this member, which the log does not hold yet; they are shown as the ledger will record them, since nothing is decided for the member before they are (D17)
explain-role-implied = { $role }; implied by the month close at position { $position }, not recorded yet
explain-no-month-yet = no month yet
explain-after-last-month = a month after { $last }, the last month the ledger records

## What each cited event did to the month

explain-period-holding = enrollment period that holds { $month }
explain-period-last-before = last enrollment period begun before { $month }
explain-role-policy = the policy in force for { $month }: prices it (R3, R4)
explain-role-policy-account = the policy in force for { $month }: prices it (R3, R4); its account_rate splits it between the personal account and the pooling fund (R17)
explain-role-policy-when-paid = the policy in force for { $month } when it was paid: it priced the month, which keeps that due (R3, R4){ $account ->
        [yes] ; its account_rate split the month then, once, between the personal account and the pooling fund (R17)
       *[no] {""}
    }
explain-role-policy-now = the policy in force for { $month } now, published after the month was paid: it does not reprice a paid month, which keeps the due { $account ->
        [yes] and the split it was paid at (R4, R17)
       *[no] it was paid at (R4)
    }
explain-role-enrolled = starts the { $period } (R5)
explain-role-enrolled-later = enrolls the member from { $from }: { $month } comes before it, outside every enrollment period (R5)
explain-role-reenrolled = starts the { $period } (R13)
explain-role-base = sets the base ratio from { $from } (R15)
explain-role-first-payment = the period's first payment: P is the later of its month and the first month it pays for; benefits start P + the delay (R7)
explain-role-pays = pays { $month } (R6)
explain-role-pays-refunded = paid { $month } (R6), refunded later (R12): it no longer pays the month
explain-role-pays-first = pays { $month } (R6); the period's first payment: P is the later of its month and the first month it pays for; benefits start P + the delay (R7)
explain-role-pays-accrues = ; paid back after its close and granted, { $month } accrues its subsidy { $subsidy } with this payment (R16)
explain-role-deduction-stopped = stops the deduction: { $month } cannot be paid until it is resumed (R8)
explain-role-missed = records { $month } as missed at its close (R9)
explain-role-closes = closes { $month } (R9)
explain-role-closes-accrues = closes { $month } (R9): paid and granted, it accrues its subsidy { $subsidy } at this close (R16)
explain-role-refunds = refunds the { $refunded } paid for { $month }, a month paid ahead that the withdrawal recorded with it took out of the period ({ $amount } for { $months ->
        [one] { $months } month
       *[other] { $months } months
    } in all, R12)
explain-role-grants = grants { $month } a subsidy of share { $share } ({ $category }, { $months ->
        [one] { $months } month
       *[other] { $months } months
    } from { $from }, R16)
explain-role-revokes = revokes the subsidy from { $from }: { $month } is no longer granted (R16)
explain-role-subsidy-paid = pays out { $month }'s accrued subsidy to the member, on { $paid_on } (R16)
explain-role-lapses = lapses { $month }: never covered, no longer payable{ $rule ->
        [R11] , its medical expenses borne by the member (R11)
       *[other] {""} ({ $rule })
    }
explain-role-ends = ends the enrollment from { $from } ({ $rule })
explain-role-ends-previous = ended the previous enrollment period from { $from } ({ $rule }), so this period is a re-enrollment: its continuous months count from zero and its benefit start is decided anew (R13, R7)
explain-role-ends-refunded = ended, from { $from } ({ $rule }), the enrollment period in which this month was paid ahead, so it was refunded

## The reasons

explain-due-priced = { $month } costs { $amount }: wage { $wage } × base ratio { $ratio } × rate { $rate }, rounded half away from zero (R4, R2)
explain-due-priced-paid = { $month } costs { $amount }: wage { $wage } × base ratio { $ratio } × rate { $rate }, rounded half away from zero (R4, R2); it was paid at { $amount } and keeps that due (R4)
explain-due-ratio-clamped = the member's base ratio { $chosen } lies outside the band { $min }–{ $max } of the policy in force for { $month }{ $paid ->
        [yes] {" "}when it was paid, so the month was priced
       *[no] , so the month is priced
    } at { $ratio }, the band's nearest edge (R4)
explain-due-paid-under = { $month } costs { $amount }, its due when it was paid: wage { $wage } × base ratio { $ratio } × rate { $rate }, rounded half away from zero, by the policy then in force for it{ $at } (R4, R2); a month keeps that due{ $repriced ->
        [yes] {" "}even though the policy and base now price it at { $priced_now }
       *[no] , and the policy now in force for it prices it the same
    } (R4)
explain-due-kept = { $month } costs { $amount }, its due { $when ->
        [paid] when it was paid
       *[missed] when it was recorded missed
    }; a month keeps that due even though the policy and base now price it at { $priced_now } (R4)
explain-deduction-stopped = deduction is stopped (R8): every payment is refused until it is resumed (resume_deduction), so this month cannot be paid now
explain-status-due = { $month } is not closed yet (the open month is { $open_month }) and not paid: pay it, oldest unpaid month first (R6), before { $month } is closed (R9)
explain-status-due-beyond-prepay = { $month } is not closed yet (the open month is { $open_month }) and not paid; it cannot be paid yet: a payment runs at most to { $horizon }, 12 months ahead (R6)
explain-status-waiting = paid{ $at }, but benefits of this enrollment period start in { $start } (P plus { $delay_kind }, R7); { $month } is before that, so it is waiting
explain-status-waiting-ended = paid{ $at }, but the member was withdrawn from { $from }{ $ended_at } ({ $reason }, { $rule }), so the enrollment period ended before its benefits would have started in { $start } (P plus { $delay_kind }, R7): { $month } stays waiting and was never covered — its contribution bought no coverage, and { $refunded ->
        [earlier] it was not refunded (R12 refunds only months paid beyond L, the last paid month; the { $refunded_amount } refunded for { $month } was an earlier period's payment for it)
       *[no] it was not refunded (R12 refunds only months paid beyond L, the last paid month)
    }
explain-status-covered = paid{ $at }, never missed, and at or after the benefit start { $start } (P plus { $delay_kind }, R7): covered, with benefits
explain-status-arrears = { $month } was closed unpaid and { $recorded ->
        [no] found missed
       *[yes] recorded missed
    }{ $at } (R9); it is in arrears: no benefits while unpaid (R10)
explain-arrears-run = the member owes { $owed } in arrears, { $months ->
        [one] { $months } month
       *[other] { $months } months
    } from { $first }; it can still be paid back, oldest first, until { $deadline }, the last month in which to pay it (before that month closes: { $shortened ->
        [yes] the open month, since the first arrears month + { $grace ->
            [one] { $grace } month
           *[other] { $grace } months
        } of grace fell before it when a later policy shortened the grace, R10, D57
        [later] its close, the arrears unpaid, would leave { $run ->
            [one] { $run } month
           *[other] { $run } months
        } of arrears, more than the { $month_grace ->
            [one] { $month_grace } month
           *[other] { $month_grace } months
        } of grace of the policy in force in { $deadline }, R10, R11, D62; R10's formula, first arrears month + { $grace ->
            [one] { $grace } month
           *[other] { $grace } months
        } of grace of the open month's policy, gives { $sum }, but the closes decide when the member is withdrawn
       *[no] first arrears month + { $grace ->
            [one] { $grace } month
           *[other] { $grace } months
        } of grace, R10
    }); { $shortened ->
        [later] a close that leaves more arrears than the grace of the policy in force in the month it closes withdraws the member automatically (R11)
       *[other] a close that leaves more than { $grace ->
            [one] { $grace } month
           *[other] { $grace } months
        } of arrears withdraws the member automatically (R11)
    }
explain-status-restored = { $month } was recorded missed at its close{ $missed_at } (R9) and paid back within grace{ $paid_at } (R10): restored, continuity kept
explain-restored-benefits = benefits: { $benefits ->
        [yes] yes
       *[no] no
    } — by the policy in force for { $month } (P-restore, R10), { $restores }
explain-status-lapsed = { $month } was { $recorded ->
        [no] found missed
       *[yes] recorded missed
    } at its close{ $at } (R9) and never paid back
explain-lapse-automatic = the close of { $closed } left { $months ->
        [one] { $months } month
       *[other] { $months } months
    } of arrears, more than its { $grace ->
        [one] { $grace } month
       *[other] { $grace } months
    } of grace, so the member was withdrawn automatically from the first arrears month ({ $rule }); the month is lapsed — never covered, no longer payable, its medical expenses borne by the member{ $at }
explain-lapse-withdrew = the member withdrew ({ $reason }) while it was in arrears ({ $rule }); the month is lapsed — never covered and no longer payable{ $at }
explain-lapse-withdrawn = the member was withdrawn; the month is lapsed{ $at }
explain-not-enrolled-withdrawn = { $month } is outside every enrollment period: the member was withdrawn ({ $reason }) from { $from }{ $at } ({ $rule }) and not re-enrolled for it (R13)
explain-not-enrolled-before = { $month } is before the member's first enrollment (R5)

## R7: the benefit start

explain-delay-kind = { $kind ->
        [first] the first-enrollment delay
        [not_qualified] the first-enrollment delay, not having qualified before
        [reenroll] the re-enrollment delay
        [gap] the first-enrollment delay again, after a gap longer than P-reset
        [nothing_before] the first-enrollment delay, nothing paid before
       *[unknown] the benefit delay
    }
explain-benefit-start = R7 benefit start: { $p_text }; { $why }; so benefits start in P + { $delay } = { $start }{ $check }
explain-p-paid-for-later = P = { $p }: the period's first payment (position { $position }) was made in { $payment_month } but paid first for { $first_paid }, a later month; the wait runs from that month, it is not served in advance
explain-p-paid-for-earlier = P = { $p }: the month in which the period's first payment (position { $position }) was made, later than the first month it paid for ({ $first_paid })
explain-p-paid-for-same = P = { $p }: the month in which the period's first payment (position { $position }) was made, and the first month it paid for
explain-delay-first = this is the member's first enrollment, so the first-enrollment delay applies: { $delay ->
        [one] { $delay } month
       *[other] { $delay } months
    } (P-delay-first, S6)
explain-delay-not-qualified = the member had not qualified before (no earlier period had a paid month that arrived at or after its benefit start), so enrolling again does not shorten the first-time wait: the first-enrollment delay applies, { $delay ->
        [one] { $delay } month
       *[other] { $delay } months
    } (P-delay-first)
explain-delay-no-reset = the member had qualified in an earlier period and the policy in force in { $p } sets no gap limit (P-reset), so the re-enrollment delay applies: { $delay ->
        [one] { $delay } month
       *[other] { $delay } months
    } (P-delay-re, S1 "from the next month of payment")
explain-delay-gap-within-reset = the member had qualified in an earlier period and the gap, { $gap ->
        [one] { $gap } month
       *[other] { $gap } months
    } strictly between the last paid month before this period ({ $last_paid }) and P, is at most the region's limit of { $reset ->
        [one] { $reset } month
       *[other] { $reset } months
    } (P-reset) in the policy in force in { $p }, so the re-enrollment delay applies: { $delay ->
        [one] { $delay } month
       *[other] { $delay } months
    } (P-delay-re, S1)
explain-delay-gap-beyond-reset = the member had qualified in an earlier period, but the gap, { $gap ->
        [one] { $gap } month
       *[other] { $gap } months
    } strictly between the last paid month before this period ({ $last_paid }) and P, is longer than the region's limit of { $reset ->
        [one] { $reset } month
       *[other] { $reset } months
    } (P-reset, S7) in the policy in force in { $p }, so the break counts as a first enrollment and the first-enrollment delay applies again: { $delay ->
        [one] { $delay } month
       *[other] { $delay } months
    } (P-delay-first)
explain-delay-nothing-paid-before = no month was paid before this period, and the policy in force in { $p } sets a gap limit of { $reset ->
        [one] { $reset } month
       *[other] { $reset } months
    } (P-reset), so the first-enrollment delay applies: { $delay ->
        [one] { $delay } month
       *[other] { $delay } months
    } (P-delay-first)
explain-delay-recorded = {" "}(the delay the ledger recorded when the period's first payment was folded, from the policy then in force in P, D27, D63; the policy in force in P now gives { $delay ->
        [one] { $delay } month
       *[other] { $delay } months
    }, which applies to periods whose first payment comes after it; the recorded delay was { $recorded ->
        [one] { $recorded } month
       *[other] { $recorded } months
    })

## R12: refunds

explain-refund = { $month } was paid ahead and refunded when the member withdrew (R12, new in v2: months paid beyond L are refunded, nobody stays covered after a withdrawal){ $count ->
        [one] {""}
        [2] , twice, { $refunded } in all
       *[other] , { $count } times, { $refunded } in all
    }: { $parts }; { $now }
explain-refund-part = { $refunded } refunded by the withdrawal{ $at } and the refund recorded with it{ $refund_at }. { $withdrawal }
explain-refund-part-alone = { $refunded } refunded{ $refund_at }
explain-refund-withdrawal = The withdrawal ({ $reason }) took effect from { $from }, { $since ->
        [start] the period's first month: no month of it up to the open month was paid, so there is no L (R12)
       *[after_l] the month after L, the last paid month not after the open month
    }
explain-refund-then = {"; then "}
explain-refund-now-outside = { $month } is outside the period: not enrolled, no benefits, nothing paid
explain-refund-now-enrolled = a later enrollment period holds { $month } again, and it is now { $status }

## R17: the personal account

explain-account = of the { $paid } paid for { $month }, { $to_account } goes to the member's personal account{ $how } and { $pooled } to the pooling fund (R17, S10); { $credited }
explain-account-formula = {" "}= round2(wage { $wage } × base ratio { $ratio } × account_rate { $rate }){ $when_paid ->
        [yes] {" "}(by the policy in force for it when it was paid)
       *[no] {""}
    }
explain-account-fixed = {" "}(fixed when it was paid, by the policy and base in force for it then)
explain-account-credited = it is credited to the account balance, now { $balance } (R17)
explain-account-credited-later = it is credited to the account balance once { $month } arrives (the open month is { $open_month }, R17)

## R16: subsidies

explain-subsidy-revoked = a subsidy grant named { $month }, but it was revoked (position { $position }): { $month } is no longer granted and accrues nothing (R16)
explain-subsidy-granted = { $month } is granted a subsidy of share { $share } ({ $category } grant of { $months ->
        [one] { $months } month
       *[other] { $months } months
    } from { $from })
explain-subsidy-accrued = { $granted }; paid, not refunded and closed, it accrued round2(paid × share) = round2({ $paid } × { $share }) = { $subsidy } (R16, S9: pay first, subsidised after); { $paid_out }
explain-subsidy-paid-out = it was paid out to the member{ $at }
explain-subsidy-owed = it is not paid out yet: owed to the member (pay_subsidy)
explain-subsidy-not-closed = { $granted }; it is paid but not closed yet (the open month is { $open_month }), so it has not accrued: it accrues round2({ $paid } × { $share }) = { $at_close } at its close (R16)
explain-subsidy-refunded = { $granted }; its contribution was refunded, so it accrues nothing (R16)
explain-subsidy-unpaid = { $granted }; it is not paid, so it has not accrued (R16: a month accrues only once it is paid, not refunded and closed){ $never ->
        [lapsed] ; lapsed, it never will
        [not_enrolled] ; it is outside every enrollment period
       *[other] {""}
    }
