# The audit page's words (src/audit/page.rs): title, lead, the member's summary, the
# months and events tables, and the pages for a bad id or an unknown member. The
# picture's words are timeline.ftl's; an event's summary is events.ftl's.

page-title = Member { $member } — flexledger audit
page-heading = flexledger audit: one member
page-lead = Member { $member } in region { $region } · folded from the log up to position { $position } · { $count ->
        [one] { $count } event
       *[other] { $count } events
    } of this member. Every status below is derived from these events by the rules of RULES.md; hover a month in the picture for details.

## The member's summary

page-summary = Member
page-field = { $field ->
        [state] state
        [qualified] qualified (R7)
        [continuous] continuous / cumulative months (R14)
        [paid] paid, not refunded
        [refunded] refunded by withdrawals (R12)
        [account_balance] personal account balance (R17)
        [to_account] credited or to be credited to the account, months paid (R17)
        [subsidy_granted_months] subsidy months granted (R16)
       *[subsidy] subsidy accrued / paid out / owed (R16)
    }
page-state = { $state }
page-yes-no = { $value ->
        [yes] yes
       *[no] no
    }

## Months and events

page-months = Months ({ $count })
page-months-columns = { $column ->
        [month] month
        [status] status
        [due] due
        [paid] paid
        [benefits] benefits
        [rule] rule
        [refunded] refunded (R12)
        [to_account] to account (R17)
       *[subsidy] subsidy (R16)
    }
page-subsidy-state = { $paid_out ->
        [yes] paid out
       *[no] owed
    }
page-event-implied = implied by the month close at position { $position }, not recorded yet: { $summary }
page-events = Events ({ $count })
page-events-skipped = { $skipped ->
        [one] The first event is not listed
       *[other] The first { $skipped } events are not listed
    } (at most { $max }); read them all with <code>flexledger-audit replay</code>.
page-events-columns = { $column ->
        [position] position
        [type] type
        [summary] what it records
       *[recorded_at] recorded at (UTC)
    }

## Pages for errors

page-not-found-title = Not found — flexledger audit
page-not-found-heading = 404: no such member
page-not-found-lead = Member { $member } has no events in this ledger. Check the id.
page-bad-request-title = Bad request — flexledger audit
page-bad-request-heading = 400: not a member id
page-bad-request-lead = { $text } is not a member id (a UUID).
page-bad-query-title = Bad request — flexledger audit
page-bad-query-heading = 400: the query's parameters are wrong
page-bad-query-lead = { $text }
page-not-yet-title = Not found — flexledger audit
page-not-yet-heading = 404: nothing at that position
page-not-yet-lead = { $text }
