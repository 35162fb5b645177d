//! One row of each kind pinned to the bytes this format writes: a field renamed,
//! reordered or retyped in a row type (or a value type's encoding changed) fails here
//! before it reaches a store. The bytes are state format 5's; a change to them is a
//! new state format, with a rebuild (D34).

use super::*;

fn month(text: &str) -> Month {
    Month::parse(text).unwrap()
}

fn money(text: &str) -> Money {
    Money::parse(text).unwrap()
}

fn demo() -> RegionName {
    RegionName::parse("demo").unwrap()
}

fn uuid(last: u8) -> Uuid {
    Uuid::from_bytes([0, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, last])
}

/// A member with every field set, so each one's place in the row shows.
fn member() -> state::MemberState {
    state::MemberState {
        member_id: uuid(1),
        region: demo(),
        version: 9,
        last_position: 42,
        deduction_stopped: true,
        periods: vec![
            state::Period {
                start: month("2025-01"),
                benefit_start: Some(month("2025-04")),
                withdrawal: Some(state::Withdrawal {
                    reason: WithdrawalReason::Relocated,
                    effective_from: month("2025-06"),
                }),
            },
            state::Period {
                start: month("2025-09"),
                benefit_start: None,
                withdrawal: None,
            },
        ],
        base_ratios: BTreeMap::from([(month("2025-01"), Ratio::parse("1.5").unwrap())]),
        paid: BTreeMap::from([(month("2025-01"), money("600.00"))]),
        missed: BTreeMap::from([(month("2025-02"), money("600.00"))]),
        refunded: BTreeMap::from([(month("2025-03"), money("600.00"))]),
        to_account: BTreeMap::from([(month("2025-01"), money("120.00"))]),
        grants: vec![state::Grant {
            from_month: month("2025-01"),
            months: 24,
            share: Share::parse("0.5").unwrap(),
            category: SubsidyCategory::Graduate,
        }],
        subsidy_paid: BTreeSet::from([month("2025-01")]),
        unrefunded: BTreeMap::from([(month("2025-05"), money("600.00"))]),
    }
}

fn policy(effective_from: &str, v2: bool) -> policy::Policy {
    policy::Policy {
        region: demo(),
        effective_from: month(effective_from),
        average_monthly_wage: money("6000.00"),
        contribution_rate: Ratio::parse("0.1").unwrap(),
        base_ratio_min: Ratio::parse("0.6").unwrap(),
        base_ratio_max: Ratio::parse("3").unwrap(),
        grace_months: 3,
        benefit_delay_first: 6,
        benefit_delay_reenroll: 3,
        backpay_restores: BackpayRestores::Prospective,
        benefit_tiers: vec![policy::BenefitTier {
            min_continuous_months: 12,
            tier: "silver".to_owned(),
        }],
        first_wait_after_gap_months: v2.then_some(24),
        account_rate: v2.then(|| Ratio::parse("0.02").unwrap()),
    }
}

/// A region with a v1 policy (no optional fields) and a v2 one (both).
fn region() -> state::RegionState {
    state::RegionState {
        name: demo(),
        open_month: month("2025-07"),
        policies: BTreeMap::from([
            (month("2025-01"), policy("2025-01", false)),
            (month("2025-06"), policy("2025-06", true)),
        ]),
        version: 4,
        last_position: 40,
    }
}

fn totals() -> report::MonthTotals {
    report::MonthTotals {
        members_by_status: report::StatusCounts {
            due: 1,
            waiting: 2,
            covered: 3,
            arrears: 4,
            restored: 5,
            lapsed: 6,
        },
        members_with_benefits: 7,
        members_refunded: 8,
        paid: money("9.09"),
        to_account: money("2.02"),
        refunded: money("3.03"),
        subsidy_accrued: money("4.04"),
        subsidy_paid: money("1.01"),
    }
}

fn summary() -> report::RegionSummary {
    report::RegionSummary {
        active: 300,
        in_arrears: 2,
        arrears_total: money("1200.00"),
    }
}

/// A close half walked.
fn closing() -> Closing {
    Closing {
        region: demo(),
        month: month("2025-06"),
        close_position: 41,
        after: Some(uuid(1)),
        members_done: 3,
        members_total: 10,
        missed_recorded: 2,
        withdrawn_recorded: 1,
        recheck: false,
    }
}

/// A change with a month newly listed and one whose status moved.
fn change() -> coverage::CoverageChanged {
    coverage::CoverageChanged {
        member_id: uuid(1),
        position: 42,
        command_id: uuid(2),
        months: vec![
            coverage::MonthChange {
                month: month("2025-02"),
                old_status: Some(coverage::MonthStatus::Arrears),
                new_status: coverage::MonthStatus::Restored,
                old_benefits: false,
                new_benefits: true,
                refunded: Money::ZERO,
                to_account: money("120.00"),
                subsidy: money("300.00"),
                subsidy_paid: true,
            },
            coverage::MonthChange {
                month: month("2025-08"),
                old_status: None,
                new_status: coverage::MonthStatus::Waiting,
                old_benefits: false,
                new_benefits: false,
                refunded: Money::ZERO,
                to_account: Money::ZERO,
                subsidy: Money::ZERO,
                subsidy_paid: false,
            },
        ],
    }
}

/// [`member`]'s row: the format byte, then postcard (ids as 16 bytes, varints,
/// strings and decimal text with their lengths, maps and lists with their counts).
/// The same member as state formats 3 and 4 wrote it (months, amounts and ratios as
/// text): refused by this build, whose rows are rebuilt on open.
const MEMBER_ROW_FORMAT_4: &str = concat!(
    "0110000000000000400080000000000000010464656d6f092a01020732303235",
    "2d30310107323032352d3034010207323032352d303607323032352d30390000",
    "0107323032352d303103312e350107323032352d3031063630302e3030010732",
    "3032352d3032063630302e30300107323032352d3033063630302e3030010732",
    "3032352d3031063132302e30300107323032352d30311803302e350101073230",
    "32352d30310107323032352d3035063630302e3030"
);

const MEMBER_ROW: &str = concat!(
    "0210000000000000400080000000000000010464656d6f092a0102ecbd0101ef",
    "bd010102f1bd01f4bd01000001ecbd010f0101ecbd01e0d40301edbd01e0d403",
    "01eebd01e0d40301ecbd01e05d01ecbd011803302e350101ecbd0101f0bd01e0",
    "d403",
);

/// [`region`]'s row.
const REGION_ROW: &str = concat!(
    r#"{"name":"demo","open_month":"2025-07","policies":{"2025-01":{"region":"demo","#,
    r#""effective_from":"2025-01","average_monthly_wage":"6000.00","#,
    r#""contribution_rate":"0.1","base_ratio_min":"0.6","base_ratio_max":"3","#,
    r#""grace_months":3,"benefit_delay_first":6,"benefit_delay_reenroll":3,"#,
    r#""backpay_restores":"prospective","benefit_tiers":[{"min_continuous_months":12,"#,
    r#""tier":"silver"}]},"2025-06":{"region":"demo","effective_from":"2025-06","#,
    r#""average_monthly_wage":"6000.00","contribution_rate":"0.1","base_ratio_min":"0.6","#,
    r#""base_ratio_max":"3","grace_months":3,"benefit_delay_first":6,"#,
    r#""benefit_delay_reenroll":3,"backpay_restores":"prospective","#,
    r#""benefit_tiers":[{"min_continuous_months":12,"tier":"silver"}],"#,
    r#""first_wait_after_gap_months":24,"account_rate":"0.02"}},"version":4,"#,
    r#""last_position":40}"#
);

/// [`totals`]' row.
const MONTH_TOTALS_ROW: &str = concat!(
    r#"{"members_by_status":{"due":1,"waiting":2,"covered":3,"arrears":4,"restored":5,"#,
    r#""lapsed":6},"members_with_benefits":7,"members_refunded":8,"paid":"9.09","#,
    r#""to_account":"2.02","refunded":"3.03","subsidy_accrued":"4.04","#,
    r#""subsidy_paid":"1.01"}"#
);

/// [`summary`]'s row.
const SUMMARY_ROW: &str = "01ac020207313230302e3030";

/// [`change`] as a feed item.
const COVERAGE_ITEM: &str = concat!(
    "0110000000000000400080000000000000012a10000000000000400080000000",
    "000000020207323032352d3032010405000104302e3030063132302e30300633",
    "30302e30300107323032352d30380002000004302e303004302e303004302e30",
    "3000"
);

/// [`change`] as a feed item of the builds that stored JSON.
const COVERAGE_ITEM_JSON: &str = concat!(
    r#"{"member_id":"00000000-0000-4000-8000-000000000001","position":42,"#,
    r#""command_id":"00000000-0000-4000-8000-000000000002","months":[{"month":"2025-02","#,
    r#""old_status":"arrears","new_status":"restored","old_benefits":false,"#,
    r#""new_benefits":true,"refunded":"0.00","to_account":"120.00","subsidy":"300.00","#,
    r#""subsidy_paid":true},{"month":"2025-08","old_status":null,"new_status":"waiting","#,
    r#""old_benefits":false,"new_benefits":false,"refunded":"0.00","to_account":"0.00","#,
    r#""subsidy":"0.00","subsidy_paid":false}]}"#
);

/// [`closing`]'s row.
const CLOSING_ROW: &str = concat!(
    r#"{"region":"demo","month":"2025-06","close_position":41,"#,
    r#""after":"00000000-0000-4000-8000-000000000001","members_done":3,"members_total":10,"#,
    r#""missed_recorded":2,"withdrawn_recorded":1,"recheck":false}"#,
);

/// An unfinished copy's row, as a copy stopped part-way leaves it.
const COPY_UNFINISHED_ROW: &str =
    r#"{"from":"postgresql://ledger:***@db/ledger","copied":4096,"source_head":249013}"#;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&text[at..at + 2], 16).unwrap())
        .collect()
}

#[test]
fn a_member_row_keeps_its_bytes_and_reads_back() {
    let row = encode_member_row(&member());
    assert_eq!(hex(&row), MEMBER_ROW);
    assert_eq!(decode_member_row(&unhex(MEMBER_ROW)).unwrap(), member());
}

#[test]
fn a_region_row_keeps_its_bytes_and_reads_back() {
    let row = encode_region_row(&region());
    assert_eq!(String::from_utf8(row).unwrap(), REGION_ROW);
    assert_eq!(decode_region_row(REGION_ROW.as_bytes()).unwrap(), region());
}

#[test]
fn a_month_totals_row_keeps_its_bytes_and_reads_back() {
    let row = encode_month_totals_row(&totals());
    assert_eq!(String::from_utf8(row).unwrap(), MONTH_TOTALS_ROW);
    assert_eq!(
        decode_month_totals_row(MONTH_TOTALS_ROW.as_bytes()).unwrap(),
        totals()
    );
}

#[test]
fn a_summary_row_keeps_its_bytes_and_reads_back() {
    assert_eq!(hex(&encode_summary_row(&summary())), SUMMARY_ROW);
    assert_eq!(decode_summary_row(&unhex(SUMMARY_ROW)).unwrap(), summary());
}

#[test]
fn a_closing_row_keeps_its_bytes_and_reads_back() {
    let row = encode_closing_row(&closing());
    assert_eq!(String::from_utf8(row).unwrap(), CLOSING_ROW);
    assert_eq!(
        decode_closing_row(CLOSING_ROW.as_bytes()).unwrap(),
        closing()
    );
}

#[test]
fn an_unfinished_copy_row_keeps_its_bytes_and_reads_back() {
    let copy = CopyUnfinished {
        from: "postgresql://ledger:***@db/ledger".to_owned(),
        copied: 4096,
        source_head: 249_013,
    };
    let row = encode_copy_unfinished_row(&copy);
    assert_eq!(String::from_utf8(row).unwrap(), COPY_UNFINISHED_ROW);
    assert_eq!(
        decode_copy_unfinished_row(COPY_UNFINISHED_ROW.as_bytes()).unwrap(),
        copy
    );
}

#[test]
fn a_feed_item_keeps_its_bytes_and_reads_back_in_both_encodings() {
    assert_eq!(hex(&encode_coverage_item(&change())), COVERAGE_ITEM);
    assert_eq!(
        decode_coverage_item(&unhex(COVERAGE_ITEM)).unwrap(),
        change()
    );
    let json = decode_coverage_item(COVERAGE_ITEM_JSON.as_bytes()).unwrap();
    assert_eq!(json, change());
    let stored = CoverageChanged::from(&change());
    assert_eq!(serde_json::to_string(&stored).unwrap(), COVERAGE_ITEM_JSON);
}

#[test]
fn a_row_of_an_unknown_format_or_damaged_is_an_error_naming_it() {
    let mut row = unhex(MEMBER_ROW);
    row[0] = 3;
    let unknown = decode_member_row(&row).unwrap_err();
    assert!(unknown.contains("member row format 3"), "{unknown}");
    let older = decode_member_row(&unhex(MEMBER_ROW_FORMAT_4)).unwrap_err();
    assert!(older.contains("written by an older build"), "{older}");
    let mut cut = unhex(MEMBER_ROW);
    cut.pop();
    assert!(decode_member_row(&cut).is_err());
    assert!(decode_member_row(&[])
        .unwrap_err()
        .contains("empty member row"));
    let cut = decode_summary_row(&unhex(SUMMARY_ROW)[..4]).unwrap_err();
    assert!(cut.starts_with("region summary row: "), "{cut}");
    assert!(decode_region_row(b"{}").is_err());
    assert!(decode_coverage_item(b"{").is_err());
}
