# `flexledger`'s lines on standard error for a read it cannot answer and a missing
# ledger (src/cli/mod.rs). Its JSON on standard output stays English (D37).

cli-no-ledger = no ledger in { $data_dir }: submit commands first, or pass --data-dir (or set FLEXLEDGER_DATA_DIR)
cli-member-has-no-events = member { $member } has no events: check the id, or enroll the member first
cli-not-a-region-name = { $text } is not a region name (1-64 letters, digits, '_', '.', '-')
cli-not-a-month = --month { $text } is not a month: write YYYY-MM, from 1990-01 to 2999-12
