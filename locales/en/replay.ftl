# `flexledger-audit replay`: a member's events in order, each with what it changed
# (src/audit/replay.rs). The events' summaries are in events.ftl.

replay-header = member { $member } (region { $region }), { $events ->
        [one] { $events } event
       *[other] { $events } events
    }; after each event: arrears, continuous months, tier, qualified (R7), personal account balance (R17) and subsidy owed (R16)
replay-column-position = position
replay-column-type = type
replay-column-arrears = arrears
replay-column-continuous = cont.
replay-column-tier = tier
replay-column-qualified = qual.
replay-column-account = account
replay-column-owed = owed
replay-column-what = what happened (→ months it changed, + = with benefits)
replay-implied = implied by the month close at position { $position }, not recorded yet: { $summary }
replay-yes = yes
replay-no = no
replay-new = new
replay-separator = {", "}
replay-notes = {" "}({ $notes })
replay-note-refunded = refunded { $refunded }, R12
replay-note-refunded-more = refunded { $amount } more, { $refunded } in all, R12
replay-note-account = { $to_account } to the personal account, R17
replay-note-account-none = nothing to the personal account, R17
replay-note-subsidy = subsidy { $subsidy } accrued, R16
replay-note-subsidy-none = subsidy no longer accrued, R16
replay-note-subsidy-paid = subsidy paid out, R16
replay-note-subsidy-unpaid = subsidy no longer paid out, R16
