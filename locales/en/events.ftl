# What an event records, in an auditor's words, with the rule it rests on
# (src/audit/history.rs `describe_in`: replay, explain and the timeline's tooltips),
# and the words for codes every audit renderer uses. In English a code is shown as
# RULES.md writes it, except where the code is not plain English: a withdrawal's
# reasons `employer_scheme` and `arrears_exceeded_grace` in words, and P-restore's
# `retroactive`/`prospective` in words with the code after them. Counts select their plural (`[one]`: "1 month").

## Words for codes

word-status = { $status }
word-event-type = { $type }
word-status-short = { $status }
word-reason = { $reason ->
        [employer_scheme] to an employer's scheme
        [arrears_exceeded_grace] automatically, for arrears beyond the grace
       *[other] { $reason }
    }
word-category = { $category }
word-restores = { $restores ->
        [retroactive] back-paid months regain their benefits (retroactive)
        [prospective] back-paid months keep continuity but get no benefits (prospective)
       *[other] { $restores }
    }
word-payment-kind = { $kind }
# A run of months from first to last (never one month: that is shown as itself), and
# what separates runs in a list (`2025-04..2025-07, 2025-09`).
word-month-range = { $first }..{ $last }
word-month-runs-separator = { ", " }
# What joins the kinds of one payment (`on_time+prepaid`).
word-payment-kinds-separator = { "+" }

## Events

event-policy = R3 policy for { $region } from { $from }: wage { $wage }, rate { $rate }, base { $min }–{ $max }, grace { $grace ->
        [one] { $grace } month
       *[other] { $grace } months
    }, benefit delay { $first ->
        [one] { $first } month
       *[other] { $first } months
    } on first enrollment and { $reenroll ->
        [one] { $reenroll } month
       *[other] { $reenroll } months
    } on re-enrollment, { $restores }{ $optional }
event-policy-reset = , first wait again after a gap of over { $reset ->
        [one] { $reset } month
       *[other] { $reset } months
    } (P-reset, R7)
event-policy-account = , account rate { $rate } (R17)
event-month-closed = R9 { $month } closed in { $region } ({ $missed } missed, { $withdrawn } withdrawn); { $next } is open
event-enrolled = R5 enrolled in { $region } from { $month } at base ratio { $ratio }
event-paid = R6 paid { $months } ({ $count ->
        [one] { $count } month
       *[other] { $count } months
    }, { $amount }, { $kinds }) on { $paid_on }
event-paid-no-months = no months
event-missed = R9 missed { $month } (due { $due }): now in arrears (R10)
event-missed-lapsed = R9 missed { $month } (due { $due }): lapsed at once, by the automatic withdrawal this month close records next (R11)
event-deduction-stopped = R8 deduction stopped: payments refused until resumed
event-deduction-resumed = R8 deduction resumed
event-withdrawn = { $rule } withdrawn ({ $reason }) from { $from }; { $lapsed }
event-withdrawn-nothing-lapsed = nothing lapsed
event-withdrawn-lapsed = lapsed { $months } ({ $amount } { $borne ->
        [member] in dues no longer payable; medical expenses in them borne by the member
       *[unpaid] unpaid
    })
event-reenrolled = R13 re-enrolled from { $month } at base ratio { $ratio } (enrollment { $enrollment })
event-base-changed = R15 base ratio { $ratio } from { $from }
event-refunded = R12 refunded { $amount } for { $months } ({ $count ->
        [one] { $count } month
       *[other] { $count } months
    } paid ahead of the withdrawal): now outside the period
event-subsidy-granted = R16 subsidy granted ({ $category }): { $months ->
        [one] { $months } month
       *[other] { $months } months
    } from { $from } at share { $share } of each paid month
event-subsidy-revoked = R16 subsidy revoked from { $from }: later months are no longer granted
event-subsidy-paid = R16 subsidy paid out for { $months } ({ $amount }) on { $paid_on }
