//! A member's history as an auditor reads it: the member's stream and its region's
//! stream merged in log order, cut at a position or a time, and folded one event at a
//! time so every step shows what it changed.
//!
//! The region stream is needed because policies (R3) and month closes (R1, R9) live
//! there: without them no month can be priced or given a status. Other members'
//! events never change this member's coverage, so they are not read. The reading is
//! the ledger's ([`member_events`], which `flexledger member --as-of` folds too).

use crate::domain::coverage::{coverage, month_changes, MemberCoverage, MonthChange};
use crate::domain::event::Event;
use crate::domain::policy::RegionName;
use crate::domain::rule::RuleId;
use crate::domain::state::{FoldError, FoldProblem, LedgerState};
use crate::i18n::{count, say, text, Arg, Language};
use crate::ledger::{first_member_event, member_events, read_member_row, FirstEvent, LedgerError};
use crate::store::envelope::Envelope;
use crate::store::{ReadStore, StoreError};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Where a history stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    /// Every event in the store.
    Everything,
    /// Events at global positions up to and including this one.
    Position(u64),
    /// The longest prefix of the member's and region's events (in log order) recorded
    /// at or before this instant. A prefix, not a filter: an event recorded later is
    /// excluded together with everything after it, so the history is always one the
    /// ledger really passed through (D18).
    Time(DateTime<Utc>),
}

/// Why a member has no history at a cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoHistory {
    /// The member has no events at all: the id is wrong (or not enrolled yet).
    Unknown,
    /// The member's events all come after the cut: the id is right, and `first` says
    /// where its history begins, so the reader can ask from there.
    NotYet { cut: Cut, first: FirstEvent },
    /// The cut lies beyond what the ledger has written: a position after its head, or
    /// an instant after `now`. What the log will hold there is not known yet, so an
    /// answer would change as events arrive, and an "as of" that changes is no
    /// record at all (D66): the reader is told where the log ends instead.
    BeyondHead {
        cut: Cut,
        head: u64,
        now: DateTime<Utc>,
    },
}

/// One member's events and its region's, in log order.
#[derive(Clone, Debug)]
pub struct MemberHistory {
    pub member_id: Uuid,
    pub region: RegionName,
    /// Region and member events merged by global position; then, at the end, the
    /// `implied` ones.
    pub events: Vec<Envelope>,
    /// How many of the last `events` the log does not hold yet: the consequences a
    /// month close still being recorded implies for this member (its month missed, and
    /// the automatic withdrawal that may bring, R9-R11), which the close's chunks, or
    /// the writer before any command of the member, will record (D17). The audit tools
    /// never append, so they show them as the ledger will record them, marked implied
    /// (D75): without them a closed month read "recorded missed" beside arrears of
    /// 0.00, and a member four months behind read as still enrolled. Each carries the
    /// position of the `MonthClosed` that implies it (the recorded fact an auditor can
    /// look up), and is folded after every recorded event ([`Self::fold_position`]).
    pub implied: usize,
}

/// One event of a history and what the member's coverage looked like after it.
#[derive(Clone, Debug)]
pub struct Step {
    /// Index into [`MemberHistory::events`].
    pub index: usize,
    /// Months whose status, benefits or money this event changed (empty for most
    /// region events; a `MonthClosed` lists the month it made `arrears` and, v2, the
    /// months whose subsidy it accrued, R16).
    pub changes: Vec<MonthChange>,
    /// The coverage after this event; `None` before the member's enrollment.
    pub coverage: Option<MemberCoverage>,
}

impl MemberHistory {
    /// Reads a member's history, or `None` if the member has no events before `cut`.
    pub fn load(
        store: &(impl ReadStore + ?Sized),
        member_id: Uuid,
        cut: Cut,
    ) -> Result<Option<MemberHistory>, LedgerError> {
        let position_max = match cut {
            Cut::Position(position) => position,
            Cut::Everything | Cut::Time(_) => u64::MAX,
        };
        let Some((region, events)) = member_events(store, member_id, position_max)? else {
            return Ok(None);
        };
        let events = match cut {
            // The instant's prefix, then cut at its last position as a position cut
            // is, so that a close's consequences its chunk recorded after the instant
            // come with the close (D64), as they do for `--as-of POSITION`.
            Cut::Time(instant) => match prefix_recorded_by(events, instant).last() {
                Some(last) => member_events(store, member_id, last.position)?
                    .map(|(_, events)| events)
                    .unwrap_or_default(),
                None => Vec::new(),
            },
            Cut::Everything | Cut::Position(_) => events,
        };
        if !events
            .iter()
            .any(|envelope| envelope.event.member_id() == Some(member_id))
        {
            return Ok(None);
        }
        let mut history = MemberHistory {
            member_id,
            region,
            events,
            implied: 0,
        };
        let implied = history.implied_by_close_in_progress(store, cut == Cut::Everything)?;
        history.implied = implied.len();
        history.events.extend(implied);
        Ok(Some(history))
    }

    /// The consequences the region's close in progress implies for the member and the
    /// log does not hold yet (D17, D75): none when no close of the region is being
    /// recorded, when the history's last close is another month's (a cut before the
    /// close), or when they are recorded (a member's consequences are a pure,
    /// idempotent function of its state: `domain::decide::close_consequences`, what
    /// the writer records for it first).
    ///
    /// A `whole` history is told from its own fold, not from the `Closing` row: read
    /// after the log, the row of a close that ended in between was gone, and a server
    /// that only reads served the history without the consequences it was missing
    /// (2026-12-06). In a whole history only a close still being recorded leaves its
    /// consequences owed (the walk records exactly `close_consequences`, D17).
    fn implied_by_close_in_progress(
        &self,
        store: &(impl ReadStore + ?Sized),
        whole: bool,
    ) -> Result<Vec<Envelope>, LedgerError> {
        let closing_month = match whole {
            true => None,
            false => match crate::ledger::read_closing(store, &self.region)? {
                Some(closing) => Some(closing.month),
                None => return Ok(Vec::new()),
            },
        };
        let last_close = self
            .events
            .iter()
            .rev()
            .find_map(|envelope| match &envelope.event {
                Event::MonthClosed(closed) => Some((envelope, closed.month)),
                _ => None,
            });
        let in_progress = |month: &crate::domain::month::Month| {
            closing_month.is_none_or(|closing| *month == closing)
        };
        let Some((close, month)) = last_close.filter(|(_, month)| in_progress(month)) else {
            return Ok(Vec::new());
        };
        let state = self.state()?;
        let (Some(member), Some(region)) = (
            state.members.get(&self.member_id),
            state.regions.get(&self.region),
        ) else {
            return Ok(Vec::new());
        };
        let version = self.member_events().last().map_or(0, |last| last.version);
        let implied = crate::domain::decide::close_consequences(member, region, month);
        Ok((1..)
            .zip(implied)
            .map(|(step, event)| {
                // No event id, command or hash: nothing recorded them yet.
                let nothing = Uuid::nil();
                let at = close.recorded_at;
                Envelope::new(close.position, version + step, event, nothing, at, nothing)
            })
            .collect())
    }

    /// How many of `events` the log holds: those before the implied ones.
    fn recorded(&self) -> usize {
        self.events.len() - self.implied
    }

    /// The position of the last recorded event (0 for none).
    fn last_recorded_position(&self) -> u64 {
        let recorded = &self.events[..self.recorded()];
        recorded.last().map_or(0, |last| last.position)
    }

    /// Whether the event at `index` is implied, not recorded (`implied`).
    pub fn is_implied(&self, index: usize) -> bool {
        index >= self.recorded()
    }

    /// The position the event at `index` is folded at: its own, and for an implied one
    /// (which shows its close's) one after the last recorded event and the implied
    /// ones before it, since a fold takes positions in increasing order only.
    fn fold_position(&self, index: usize) -> u64 {
        if !self.is_implied(index) {
            return self.events[index].position;
        }
        self.last_recorded_position() + 1 + (index - self.recorded()) as u64
    }

    /// The coverage `state` folds to, as of the last recorded event: implied events
    /// are folded after it, but no position of the log holds them.
    fn coverage_of(&self, state: &LedgerState) -> Option<MemberCoverage> {
        let mut coverage = coverage(state, self.member_id)?;
        if self.recorded() > 0 {
            coverage.position = coverage.position.min(self.last_recorded_position());
        }
        Some(coverage)
    }

    /// [`MemberHistory::load`], and when it finds nothing, why: an unknown member, or
    /// one whose first event comes after `cut`; and before reading, a cut beyond the
    /// log's head or after `now` (the caller's clock) is refused (D66).
    pub fn load_or_why_not(
        store: &(impl ReadStore + ?Sized),
        member_id: Uuid,
        cut: Cut,
        now: DateTime<Utc>,
    ) -> Result<Result<MemberHistory, NoHistory>, LedgerError> {
        let beyond = match cut {
            Cut::Everything => false,
            Cut::Position(position) => position > store.head()?.0,
            Cut::Time(instant) => instant > now,
        };
        if beyond {
            let head = store.head()?.0;
            return Ok(Err(NoHistory::BeyondHead { cut, head, now }));
        }
        if let Some(history) = MemberHistory::load(store, member_id, cut)? {
            return Ok(Ok(history));
        }
        let first = match cut {
            Cut::Everything => None,
            Cut::Position(_) | Cut::Time(_) => first_member_event(store, member_id)?,
        };
        Ok(Err(match first {
            Some(first) => NoHistory::NotYet { cut, first },
            None => NoHistory::Unknown,
        }))
    }

    /// Folds the history one event at a time, handing `each` every step and the
    /// coverage before it. Only the step in hand and the one before are held: a
    /// member's coverage lists all of its months, so keeping one per event grew as
    /// events × months (a probe's member of 14,882 events over 2,400 months took
    /// 1.6 GB to replay).
    pub fn for_each_step(
        &self,
        mut each: impl FnMut(&Step, Option<&MemberCoverage>),
    ) -> Result<(), FoldError> {
        let mut state = LedgerState::default();
        let mut before: Option<MemberCoverage> = None;
        // As `member --as-of` shows the member at a close (D18, D64): with the
        // consequences it implies, so the month it made `arrears` and the arrears owed
        // change on the same row (they came a row apart), and those consequences' own
        // rows change nothing more. A region event recorded between the close and its
        // chunk (a policy published meanwhile) shows them too: `member --as-of` its
        // position takes them, and without them its row undid the close's arrears
        // and the next row made them again (an auditor's probe, 2026-12-05). Index →
        // the implied events still to apply after it.
        let mut implied_after = std::collections::HashMap::new();
        for index in 0..self.events.len() {
            if let Some(implied) = self.implied_by_close(index) {
                implied_after.insert(index, implied.clone());
                for between in index + 1..*implied.start() {
                    implied_after.insert(between, implied.clone());
                }
                for inside in implied.clone() {
                    implied_after.insert(inside, inside + 1..=*implied.end());
                }
            }
        }
        for (index, envelope) in self.events.iter().enumerate() {
            state.apply(self.fold_position(index), &envelope.event)?;
            let after = match implied_after.get(&index).filter(|rest| !rest.is_empty()) {
                Some(rest) => {
                    let mut closed = state.clone();
                    for inside in rest.clone() {
                        closed.apply(self.fold_position(inside), &self.events[inside].event)?;
                    }
                    self.coverage_of(&closed)
                }
                None => self.coverage_of(&state),
            };
            let changes = match (&before, &after) {
                (Some(before), Some(after)) => month_changes(&before.months, &after.months),
                (None, Some(after)) => month_changes(&[], &after.months),
                (_, None) => Vec::new(),
            };
            let step = Step {
                index,
                changes,
                coverage: after,
            };
            each(&step, before.as_ref());
            before = step.coverage;
        }
        Ok(())
    }

    /// The indexes of the member's events a `MonthClosed` at `index` implies and its
    /// chunk records later (the month missed, and the automatic withdrawal it may
    /// bring: R9-R11, D17), as `ledger::member_events` takes them at a cut; `None` for
    /// any other event, or a close that implies none for this member.
    fn implied_by_close(&self, index: usize) -> Option<std::ops::RangeInclusive<usize>> {
        let Event::MonthClosed(closed) = &self.events[index].event else {
            return None;
        };
        let member = crate::domain::StreamId::Member(self.member_id);
        let start = index + 1;
        let first = start
            + self.events[start..]
                .iter()
                .position(|envelope| member.is_named(&envelope.stream))?;
        let Event::ContributionMissed(missed) = &self.events[first].event else {
            return None;
        };
        if missed.month != closed.month {
            return None;
        }
        let withdrawn = self.events.get(first + 1).is_some_and(|next| {
            matches!(&next.event, Event::MemberWithdrawn(withdrawn)
                if withdrawn.reason == crate::domain::command::WithdrawalReason::ArrearsExceededGrace)
        });
        Some(first..=first + usize::from(withdrawn))
    }

    /// The member's coverage at the end of the history.
    pub fn coverage(&self) -> Result<Option<MemberCoverage>, FoldError> {
        Ok(self.coverage_of(&self.state()?))
    }

    /// The ledger state (this member and its region) at the end of the history.
    pub fn state(&self) -> Result<LedgerState, FoldError> {
        self.state_through(u64::MAX)
    }

    /// The ledger state (this member and its region) after the history's events up to
    /// and including `position`: what the ledger held when that event was folded. The
    /// implied events come after every recorded one: only a `position` at or after
    /// the last recorded event takes them.
    pub fn state_through(&self, position: u64) -> Result<LedgerState, FoldError> {
        let mut state = LedgerState::default();
        let last = self.last_recorded_position();
        for (index, envelope) in self.events.iter().enumerate() {
            let taken = if self.is_implied(index) {
                position >= last
            } else {
                envelope.position <= position
            };
            if !taken {
                break;
            }
            state.apply(self.fold_position(index), &envelope.event)?;
        }
        Ok(state)
    }

    /// The member's coverage at the end of the history; an error if the history holds
    /// no such member (a caller's mistake, named as a fold error at the last event).
    pub fn final_coverage(&self) -> Result<MemberCoverage, FoldError> {
        self.coverage()?.ok_or_else(|| FoldError {
            position: self.events.last().map_or(0, |envelope| envelope.position),
            problem: FoldProblem::NoSuchMember {
                member: self.member_id,
            },
        })
    }

    /// The member's own events (not the region's), in order, each with whether it is
    /// implied (`implied`): what the timeline draws.
    pub fn member_events_marked(&self) -> Vec<(&Envelope, bool)> {
        let member_id = self.member_id;
        (self.events.iter().enumerate())
            .filter(|(_, envelope)| envelope.event.member_id() == Some(member_id))
            .map(|(index, envelope)| (envelope, self.is_implied(index)))
            .collect()
    }

    /// The member's own events (not the region's), in order.
    pub fn member_events(&self) -> impl Iterator<Item = &Envelope> {
        let member_id = self.member_id;
        self.events
            .iter()
            .filter(move |envelope| envelope.event.member_id() == Some(member_id))
    }
}

/// Every member id with a state row, with its region, sorted by id: the members an
/// export or a what-if over a region or the whole store visits.
pub fn members(
    store: &(impl ReadStore + ?Sized),
    region: Option<&RegionName>,
) -> Result<Vec<Uuid>, StoreError> {
    let mut ids = Vec::new();
    for member_id in store.member_row_ids()? {
        let Some(member) = read_member_row(store, member_id)? else {
            continue;
        };
        if region.is_none_or(|region| &member.region == region) {
            ids.push(member_id);
        }
    }
    ids.sort();
    Ok(ids)
}

fn prefix_recorded_by(events: Vec<Envelope>, instant: DateTime<Utc>) -> Vec<Envelope> {
    events
        .into_iter()
        .take_while(|envelope| envelope.recorded_at <= instant)
        .collect()
}

/// One line saying what an event records, in an auditor's words, with the rule it
/// rests on. Used by replay, explain and the timeline's tooltips.
pub fn describe(event: &Event) -> String {
    describe_in(Language::En, event)
}

/// [`describe_in`] of `event`, told by the next event of its stream (`next`) what
/// became of a missed month: lapsed at once by the automatic withdrawal the same close
/// records right after it (R11), or else in arrears (R10). Every missed month had read
/// "now in arrears", beside a withdrawal that had already lapsed it.
pub fn describe_followed_in(language: Language, event: &Event, next: Option<&Event>) -> String {
    if let (Event::ContributionMissed(missed), Some(Event::MemberWithdrawn(withdrawn))) =
        (event, next)
    {
        let automatic =
            withdrawn.reason == crate::domain::command::WithdrawalReason::ArrearsExceededGrace;
        if automatic && withdrawn.lapsed_months.contains(&missed.month) {
            let args = [("month", text(missed.month)), ("due", text(missed.due))];
            return say(language, "event-missed-lapsed", &args);
        }
    }
    describe_in(language, event)
}

/// The event of `envelope`'s stream recorded right after it in the log (at its
/// position + 1), if `next` (the event after it in a history, in log order) is that
/// one: what a month close recorded right after an event of its chunk.
pub fn recorded_next<'a>(envelope: &Envelope, next: Option<&'a Envelope>) -> Option<&'a Event> {
    next.filter(|next| next.position == envelope.position + 1 && next.stream == envelope.stream)
        .map(|next| &next.event)
}

/// [`describe`] in `language` (`locales/<tag>/events.ftl`).
pub fn describe_in(language: Language, event: &Event) -> String {
    match event {
        Event::PolicyPublished(policy) => describe_policy(language, policy),
        Event::MonthClosed(closed) => {
            let args = [
                ("month", text(closed.month)),
                ("region", text(&closed.region)),
                ("missed", text(closed.members_missed)),
                ("withdrawn", text(closed.members_withdrawn)),
                ("next", text(closed.next_open_month)),
            ];
            say(language, "event-month-closed", &args)
        }
        Event::MemberEnrolled(enrolled) => {
            let args = [
                ("region", text(&enrolled.region)),
                ("month", text(enrolled.month)),
                ("ratio", text(enrolled.base_ratio)),
            ];
            say(language, "event-enrolled", &args)
        }
        Event::ContributionPaid(paid) => describe_paid(language, paid),
        Event::ContributionMissed(missed) => {
            let args = [("month", text(missed.month)), ("due", text(missed.due))];
            say(language, "event-missed", &args)
        }
        Event::DeductionStopped(_) => say(language, "event-deduction-stopped", &[]),
        Event::DeductionResumed(_) => say(language, "event-deduction-resumed", &[]),
        Event::MemberWithdrawn(withdrawn) => describe_withdrawn(language, withdrawn),
        Event::MemberReenrolled(reenrolled) => {
            let args = [
                ("month", text(reenrolled.month)),
                ("ratio", text(reenrolled.base_ratio)),
                ("enrollment", text(reenrolled.enrollment)),
            ];
            say(language, "event-reenrolled", &args)
        }
        Event::BaseChanged(changed) => {
            let args = [
                ("ratio", text(changed.base_ratio)),
                ("from", text(changed.from_month)),
            ];
            say(language, "event-base-changed", &args)
        }
        Event::ContributionRefunded(refund) => {
            let args = [
                ("amount", text(refund.amount)),
                ("months", all_month_runs(language, &refund.months)),
                ("count", count(refund.months.len())),
            ];
            say(language, "event-refunded", &args)
        }
        Event::SubsidyGranted(granted) => {
            let args = [
                ("category", category_word(language, &granted.category)),
                ("months", count(granted.months)),
                ("from", text(granted.from_month)),
                ("share", text(granted.share)),
            ];
            say(language, "event-subsidy-granted", &args)
        }
        Event::SubsidyRevoked(revoked) => {
            let args = [("from", text(revoked.from_month))];
            say(language, "event-subsidy-revoked", &args)
        }
        Event::SubsidyPaid(paid) => {
            let args = [
                ("months", all_month_runs(language, &paid.months)),
                ("amount", text(paid.amount)),
                ("paid_on", text(paid.paid_on)),
            ];
            say(language, "event-subsidy-paid", &args)
        }
    }
}

/// A policy's parameters, the v2 ones only when set (R3).
fn describe_policy(language: Language, policy: &crate::domain::event::PolicyPublished) -> String {
    // v2 parameters are named only when set: a v1 policy reads as before.
    let mut optional = String::new();
    if let Some(reset) = policy.first_wait_after_gap_months {
        optional.push_str(&say(
            language,
            "event-policy-reset",
            &[("reset", count(reset))],
        ));
    }
    if let Some(rate) = policy.account_rate {
        optional.push_str(&say(
            language,
            "event-policy-account",
            &[("rate", text(rate))],
        ));
    }
    let args = [
        ("region", text(&policy.region)),
        ("from", text(policy.effective_from)),
        ("wage", text(policy.average_monthly_wage)),
        ("rate", text(policy.contribution_rate)),
        ("min", text(policy.base_ratio_min)),
        ("max", text(policy.base_ratio_max)),
        ("grace", count(policy.grace_months)),
        ("first", count(policy.benefit_delay_first)),
        ("reenroll", count(policy.benefit_delay_reenroll)),
        (
            "restores",
            restores_word(language, &policy.backpay_restores),
        ),
        ("optional", text(optional)),
    ];
    say(language, "event-policy", &args)
}

/// A payment's months, count, amount and kinds (R6).
fn describe_paid(language: Language, paid: &crate::domain::event::ContributionPaid) -> String {
    let first = paid.months.first().map(|line| line.month);
    let last = paid.months.last().map(|line| line.month);
    let months = match (first, last) {
        (Some(first), Some(last)) => month_range(language, first, last),
        _ => say(language, "event-paid-no-months", &[]),
    };
    let kinds: Vec<String> = paid
        .months
        .iter()
        .map(|line| serde_plain(&line.kind))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|kind| say(language, "word-payment-kind", &[("kind", text(kind))]))
        .collect();
    let args = [
        ("months", text(months)),
        ("count", count(paid.months.len())),
        ("amount", text(paid.amount)),
        (
            "kinds",
            text(kinds.join(&say(language, "word-payment-kinds-separator", &[]))),
        ),
        ("paid_on", text(paid.paid_on)),
    ];
    say(language, "event-paid", &args)
}

/// A withdrawal's rule (R11 or R12), reason, date and what lapsed.
fn describe_withdrawn(
    language: Language,
    withdrawn: &crate::domain::event::MemberWithdrawn,
) -> String {
    let rule = withdrawn.reason.rule();
    let lapsed = if withdrawn.lapsed_months.is_empty() {
        say(language, "event-withdrawn-nothing-lapsed", &[])
    } else {
        let borne = if rule == RuleId::R11 {
            "member"
        } else {
            "unpaid"
        };
        let args = [
            ("months", all_month_runs(language, &withdrawn.lapsed_months)),
            ("amount", text(withdrawn.lapsed_amount)),
            ("borne", text(borne)),
        ];
        say(language, "event-withdrawn-lapsed", &args)
    };
    let args = [
        ("rule", text(rule)),
        ("reason", reason_word(language, &withdrawn.reason)),
        ("from", text(withdrawn.effective_from)),
        ("lapsed", text(lapsed)),
    ];
    say(language, "event-withdrawn", &args)
}

/// A month status in words: its code in English (as RULES.md writes it), the
/// glossary's term in Chinese.
pub fn status_word(language: Language, status: crate::domain::coverage::MonthStatus) -> Arg {
    let args = [("status", text(serde_plain(&status)))];
    text(say(language, "word-status", &args))
}

/// A month status in one word, for tables and lists: its code in English, the
/// glossary's term alone in Chinese.
pub fn status_word_short(
    language: Language,
    status: crate::domain::coverage::MonthStatus,
) -> String {
    let args = [("status", text(serde_plain(&status)))];
    say(language, "word-status-short", &args)
}

/// An event's type for tables (`replay`, `explain`'s events, the audit page): its
/// code in English, the glossary's words in Chinese (`word-event-type`), where the
/// code had stood among Chinese columns. JSON keeps the code in every language.
pub fn event_type_word(language: Language, event_type: &str) -> String {
    say(language, "word-event-type", &[("type", text(event_type))])
}

/// A withdrawal reason in words (its code only where the catalog has no words for it).
pub fn reason_word(language: Language, reason: &crate::domain::command::WithdrawalReason) -> Arg {
    let args = [("reason", text(serde_plain(reason)))];
    text(say(language, "word-reason", &args))
}

/// A subsidy category in words (its code in English).
pub fn category_word<T: serde::Serialize>(language: Language, category: &T) -> Arg {
    let args = [("category", text(serde_plain(category)))];
    text(say(language, "word-category", &args))
}

/// P-restore's value in words (its code in English).
pub fn restores_word<T: serde::Serialize>(language: Language, restores: &T) -> Arg {
    let args = [("restores", text(serde_plain(restores)))];
    text(say(language, "word-restores", &args))
}

/// A month's money beyond due and paid, in words, one phrase per part that is not zero:
/// the refund (R12), the split (R17) and the subsidy (R16). Explain joins them on a
/// line, the timeline's tooltip one per line.
pub fn money_phrases(line: &crate::domain::coverage::MonthLine) -> Vec<String> {
    let mut phrases = Vec::new();
    if !line.refunded.is_zero() {
        phrases.push(format!("refunded {} (R12)", line.refunded));
    }
    if !line.to_account.is_zero() {
        phrases.push(format!(
            "{} to the personal account, {} to the pooling fund (R17)",
            line.to_account,
            line.paid - line.to_account
        ));
    }
    if !line.subsidy.is_zero() {
        let paid_out = if line.subsidy_paid {
            "paid out"
        } else {
            "owed, not paid out yet"
        };
        phrases.push(format!(
            "subsidy {} accrued, {paid_out} (R16)",
            line.subsidy
        ));
    }
    phrases
}

/// Every run of `months` in `language`, as a message argument.
fn all_month_runs(language: Language, months: &[crate::domain::month::Month]) -> Arg {
    text(month_runs_text(language, months, usize::MAX))
}

/// Months `first` through `last` in `language`: `2025-04..2025-07` (`2025-04 至
/// 2025-07` in Chinese), and a single month as itself.
pub fn month_range(
    language: Language,
    first: crate::domain::month::Month,
    last: crate::domain::month::Month,
) -> String {
    if first == last {
        return first.to_string();
    }
    let args = [("first", text(first)), ("last", text(last))];
    say(language, "word-month-range", &args)
}

/// Sorted months as runs in `language`, `2025-04..2025-07, 2025-09` (`2025-04 至
/// 2025-07、2025-09` in Chinese), naming at most `runs_max` runs and then "…".
pub fn month_runs_text(
    language: Language,
    months: &[crate::domain::month::Month],
    runs_max: usize,
) -> String {
    let mut runs: Vec<(crate::domain::month::Month, crate::domain::month::Month)> = Vec::new();
    for &month in months {
        match runs.last_mut() {
            Some((_, last)) if last.checked_plus(1) == Some(month) => *last = month,
            _ => runs.push((month, month)),
        }
    }
    let mut named: Vec<String> = runs
        .iter()
        .take(runs_max)
        .map(|(first, last)| month_range(language, *first, *last))
        .collect();
    if runs.len() > runs_max {
        named.push("…".to_owned());
    }
    named.join(&say(language, "word-month-runs-separator", &[]))
}

/// A unit enum's serde name (`on_time`, `retroactive`, …).
pub fn serde_plain<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        Ok(other) => other.to_string(),
        Err(error) => format!("<{error}>"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::command::WithdrawalReason;
    use crate::domain::event::{ContributionMissed, MemberWithdrawn};

    /// A missed month is "lapsed at once" only beside the automatic withdrawal its
    /// close recorded right after it; a voluntary withdrawal, or one that did not
    /// lapse it, leaves it "now in arrears" (a review found a voluntary withdrawal
    /// a month later said to lapse it at once).
    #[test]
    fn a_missed_month_is_lapsed_at_once_only_by_its_close_s_automatic_withdrawal() {
        let month = crate::domain::month::Month::parse("2025-07").unwrap();
        let missed = Event::ContributionMissed(ContributionMissed {
            member_id: Uuid::nil(),
            month,
            due: crate::domain::money::Money::parse("600.00").unwrap(),
        });
        let withdrawn = |reason, lapsed: Vec<crate::domain::month::Month>| {
            Event::MemberWithdrawn(MemberWithdrawn {
                member_id: Uuid::nil(),
                reason,
                effective_from: month,
                lapsed_months: lapsed,
                lapsed_amount: crate::domain::money::Money::parse("600.00").unwrap(),
            })
        };
        let said = |next: Option<&Event>| describe_followed_in(Language::En, &missed, next);
        let automatic = withdrawn(WithdrawalReason::ArrearsExceededGrace, vec![month]);
        assert!(said(Some(&automatic)).contains("lapsed at once"));
        let voluntary = withdrawn(WithdrawalReason::Voluntary, vec![month]);
        assert!(said(Some(&voluntary)).contains("now in arrears"));
        let other = withdrawn(WithdrawalReason::ArrearsExceededGrace, vec![]);
        assert!(said(Some(&other)).contains("now in arrears"));
        assert!(said(None).contains("now in arrears"));
    }
}
