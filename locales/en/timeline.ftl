# The timeline picture's words (src/audit/timeline.rs): heading, grid, cells and
# tooltips, legend and the enrollment periods list. Codes (statuses, reasons) are shown
# through the `word-` messages of events.ftl.

## Heading

timeline-title = Member { $member } ({ $region }): { $count ->
        [one] { $count } month
       *[other] { $count } months
    } from { $first } to { $last }
timeline-heading-member = Member { $member }
timeline-heading-status = region { $region } · { $state } · tier { $tier } · { $continuous } continuous / { $cumulative } cumulative months · { $arrears }
timeline-state = { $state ->
        [active] active
        [in_arrears] in arrears
       *[withdrawn] withdrawn
    }
timeline-tier-none = none
timeline-no-arrears = no arrears
timeline-arrears = arrears { $amount } ({ $months }){ $deadline }
timeline-backpay-deadline = , pay back by { $month }
timeline-benefit-start-none = no benefit start yet (nothing paid in this enrollment)
timeline-benefit-start-past-last = no benefit start within the ledger's months: it falls after { $last }, the last month the ledger records (R7)
timeline-benefits-from = benefits from { $month }
timeline-benefit-start = benefit start { $month } (R7), for months that are paid
timeline-heading-benefits = { $start } · paid through { $paid_through } · enrollment { $enrollment } · deduction { $deduction ->
        [stopped] stopped (R8)
       *[on] on
    } · as of log position { $position }
timeline-not-drawn = { $count ->
        [one] the first month is not drawn
       *[other] the first { $count } months are not drawn
    } (at most { $years } years)
timeline-heading-money = qualified { $qualified ->
        [yes] yes
       *[no] no
    } (R7) · personal account { $balance } (R17) · { $subsidy }
timeline-subsidy-none = no subsidy granted (R16)
timeline-subsidy = subsidy: { $granted ->
        [one] { $granted } month
       *[other] { $granted } months
    } granted, { $accrued } accrued, { $paid } paid out, { $owed } owed (R16)
timeline-refunded-total = refunded { $amount } (R12)
timeline-footer = flexledger · statuses and rules as in RULES.md "Month statuses" · hover a month for its due, paid, refund, account part, subsidy, benefits, rule and events

## Grid and cells

timeline-month-name = { $month ->
        [1] Jan
        [2] Feb
        [3] Mar
        [4] Apr
        [5] May
        [6] Jun
        [7] Jul
        [8] Aug
        [9] Sep
        [10] Oct
        [11] Nov
       *[12] Dec
    }
timeline-cell-refunded = refunded

## Tooltips

timeline-tooltip-money = due { $due } · paid { $paid } · benefits { $benefits ->
        [yes] yes
       *[no] no
    } · rule { $rule }
timeline-money-refunded = refunded { $amount } (R12)
timeline-money-account = { $to_account } to the personal account, { $pooled } to the pooling fund (R17)
timeline-money-subsidy = subsidy { $subsidy } accrued, { $paid_out ->
        [yes] paid out
       *[no] owed, not paid out yet
    } (R16)
timeline-more = … and { $count } more
timeline-enrolled = R5 enrolled at base ratio { $ratio } · position { $position }
timeline-reenrolled = R13 re-enrolled at base ratio { $ratio } (enrollment { $enrollment }) · position { $position }
timeline-withdrawal = { $rule } withdrawn ({ $reason }) { $when ->
        [close] by a month close, effective from its first arrears month
       *[request] on request, effective from here
    }; { $lapsed } · position { $position }
timeline-withdrawal-nothing-lapsed = nothing lapsed
timeline-withdrawal-lapsed = lapsed { $months }: { $count ->
        [one] { $count } month
       *[other] { $count } months
    }, { $amount } in dues no longer payable; medical expenses in them borne by the member
timeline-withdrawal-then = { $earlier }; then { $later }
timeline-position-implied = { $position }, implied by its month close, not recorded yet
timeline-missed = missed at the month close, due { $due } (R9, position { $position })
timeline-refunded = refunded { $refunded } by the withdrawal at position { $withdrawal } (R12; the refund recorded with it: { $count ->
        [one] { $count } month
       *[other] { $count } months
    }, { $amount } in all, position { $position })
timeline-refunded-alone = refunded { $refunded } (R12; the refund: { $count ->
        [one] { $count } month
       *[other] { $count } months
    }, { $amount } in all, position { $position })
timeline-paid-by = paid on { $paid_on } ({ $kind }, position { $position })
timeline-payment-made = payment made { $paid_on }: { $amount } for { $count ->
        [one] { $count } month
       *[other] { $count } months
    } (position { $position })
timeline-subsidy-granted = subsidy granted from here ({ $category }): { $months ->
        [one] { $months } month
       *[other] { $months } months
    } at share { $share } (R16, position { $position })
timeline-subsidy-revoked = subsidy revoked from here (R16, position { $position })
timeline-subsidy-paid = subsidy paid out on { $paid_on } (R16, position { $position })

## Legend and the enrollment periods

timeline-legend-statuses = Month status
timeline-status-meaning = { $status ->
        [not_enrolled] not enrolled
        [due] due (open, unpaid)
        [waiting] waiting (no benefits yet)
        [covered] covered (benefits)
        [arrears] arrears (payable)
        [restored] restored (paid back)
       *[lapsed] lapsed (no longer payable)
    }
timeline-legend-marks = Marks
timeline-mark = { $mark ->
        [benefits] benefits
        [paid] month paid for
        [payment] payment made here
        [missed] missed
        [enrolled] (re-)enrolled
        [withdrawn] withdrawn from here
        [refunded] refunded (R12)
       *[subsidy] subsidy (R16, filled = paid)
    }
timeline-notes = Enrollment periods
timeline-notes-more = … and { $count } more (see the member's events)
