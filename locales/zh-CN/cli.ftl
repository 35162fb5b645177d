# `flexledger` 在标准错误上的提示：无法回答的查询和找不到账本（src/cli/mod.rs）。
# 标准输出上的 JSON 始终为英文（D37）。术语以 docs/GLOSSARY.md 为准。

cli-no-ledger = { $data_dir } 中没有账本：请先提交命令，或用 --data-dir 指定数据目录（或设置 FLEXLEDGER_DATA_DIR）
cli-member-has-no-events = 参保人员 { $member } 没有任何事件：请核对编号，或先为其办理参保
cli-not-a-region-name = { $text } 不是统筹地区名称（1 至 64 个字母、数字、'_'、'.'、'-'）
cli-not-a-month = --month { $text } 不是月份：请写成 YYYY-MM，1990-01 至 2999-12 之间
