# `flexledger-audit` 的其他可读输出：verify、checkpoint、prove、export、verify-bundle、
# public-key、timeline 的写出摘要和 whatif（src/audit/commands.rs、src/audit/cli.rs、
# src/audit/whatif/cli.rs）。--json 始终为英文，不随语言改变。术语以 docs/GLOSSARY.md 为准。

audit-separator = ，
audit-damaged = 已损坏（位置 { $position }）：{ $message }

## public-key
audit-public-key-id = 密钥标识 { $key_id }（ed25519）；请公布此公钥，供审计人员固定（--public-key）

## checkpoint
audit-checkpoint-signed = 检查点：{ $events } 个事件，{ $streams } 条事件流；已签名并保存
audit-checkpoint-kept = 检查点：{ $events } 个事件，{ $streams } 条事件流；已保存过（检查点从不替换）
audit-checkpoint-signature = 签名  { $signature }
audit-checkpoint-public-key = 公钥 { $public_key }（密钥标识 { $key_id }）
audit-checkpoint-consistent = 与上一个检查点（大小 { $size }）一致：{ $hashes } 个哈希的一致性证明已验证（RFC 9162）
audit-checkpoint-row = 大小 { $size }  根哈希 { $root }  流头 { $heads }  { $created }
audit-checkpoint-invalid = 无效：{ $error }

## prove
audit-no-checkpoint = 没有已保存的检查点：请先运行 `flexledger-audit checkpoint`
audit-no-checkpoint-at-size = 没有大小为 { $size } 的已保存检查点：请先运行 `flexledger-audit checkpoint`
audit-log-rewritten = 日志前 { $size } 个事件的根哈希已与检查点不符：日志被改写过
audit-no-event = 在 { $size } 个事件的检查点中，位置 { $position } 没有事件
audit-inclusion = 事件 { $position }（哈希 { $hash }）包含在已签名检查点的 { $size } 个事件的日志中，根哈希 { $root }
audit-inclusion-path = 审计路径（从叶到根，RFC 9162），已验证：
audit-no-consistency = 无法给出从大小 { $from } 到 { $to } 的一致性证明：旧大小须在 1 与新大小之间
audit-consistency = { $new_size } 个事件的日志（根哈希 { $new_root }）是 { $old_size } 个事件的日志（根哈希 { $old_root }）的延续
audit-consistency-path = 一致性路径（RFC 9162），已验证：
audit-consistency-compare = 请将旧根哈希与您保存的检查点中的根哈希比对

## export
audit-export-csv = 已写出 { $rows } 行参保人员月度记录（{ $members } 名参保人员）到 { $path }
audit-export-bundle = 已写出 { $events } 个事件（{ $streams } 条事件流，{ $members } 名参保人员），以已签名的 { $size } 个事件的检查点证明（根哈希 { $root }），到 { $path }（{ $bytes } 字节）
audit-export-check = 可在任何地方核验：flexledger-audit verify-bundle { $file } --public-key { $public_key }
audit-export-file = 文件

## verify-bundle
audit-bundle-valid = 有效：{ $events } 个事件，{ $streams } 条事件流，{ $members } 份参保人员参保记录
audit-bundle-invalid = 无效：{ $events } 个事件，{ $streams } 条事件流，{ $members } 份参保人员参保记录
audit-bundle-checkpoint = 检查点：{ $size } 个事件，根哈希 { $root }，签名于 { $created }
audit-bundle-pinned = 由固定的公钥签名（密钥标识 { $key_id }）
audit-bundle-unpinned = 由密钥标识 { $key_id } 签名：该公钥未固定——请与经办机构公布的公钥比对，或传入 --public-key
audit-bundle-failed = 未通过 { $check }{ $place }：{ $message }
audit-bundle-place = （{ $place }）
audit-bundle-line = 第 { $line } 行
audit-bundle-position = 位置 { $position }

## verify
audit-verify-ok = 校验通过：{ $events } 个事件，{ $streams } 条事件流，{ $members } 名参保人员；哈希、链、索引和状态行均已核对
audit-verify-checkpoints = { $count } 个已签名的检查点与日志相符；最新的：{ $size } 个事件，根哈希 { $root }
audit-verify-no-checkpoint = 尚无检查点：`flexledger-audit checkpoint` 可签署一个

## timeline
audit-timeline-wrote = 已写出 { $path }：参保人员 { $member }，{ $months } 个月，{ $bytes } 字节
