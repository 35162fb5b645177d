# 拒绝消息（src/domain/refusal.rs 的 `RefusalText`）：每个变体一条消息，参数名即变体的字段名。
# 术语以 docs/GLOSSARY.md 为准：英文消息用到术语表的英文词时，这里必须用其中文术语
# （tests/it/i18n.rs 检查）。命令名、字段名（如 `expected_version`）和规则编号照原样保留。

refusal-version-conflict = 参保人员的事件流当前为第 { $actual } 版，而非第 { $expected } 版：请重新查询该参保人员，并以 expected_version { $actual } 重新提交
refusal-unknown-region = 统筹地区“{ $region }”尚未发布政策：{ $known_count ->
        [0] 目前还没有任何统筹地区发布政策，请先通过 publish_policy 为其发布政策（R3）
       *[other] 请核对名称，须完全一致，大小写也要相同（已发布政策的统筹地区：{ $known }）；新的统筹地区须先通过 publish_policy 发布政策（R3）
    }
refusal-member-withdrawn = 参保人员 { $member } 已停保：请先办理重新参保（reenroll，R13）
refusal-already-withdrawn = 参保人员 { $member } 已自 { $since } 起停保（{ $rule }）：无需再办理停保
refusal-pay-member-withdrawn = 参保人员 { $member } 已自 { $since } 起停保：已结束的参保期内的月份不能再缴费（R11、R12）；如需再缴费，请办理重新参保（reenroll，R13），并自新参保期的第一个月起缴费
refusal-member-unknown = 没有编号为 { $member } 的参保人员：请核对编号；若是新参保人员，请先办理参保（enroll，R5）
refusal-base-ratio-out-of-range = 缴费基数比例 { $ratio } 超出统筹地区 { $region } 在 { $month } 允许的范围 { $min }–{ $max }（{ $rule }）：请在该范围内选择缴费基数比例
refusal-policy-retroactive = 统筹地区 { $region } 的 { $month } 已月结（R3）：政策最早只能自当前征缴月 { $open } 起生效
refusal-policy-before-region = { $month } 早于统筹地区 { $region } 的首月 { $first }（其第一份政策生效之月，R1）：政策最早只能自当前征缴月 { $open } 起生效（R3）
refusal-policy-too-far-ahead = { $month } 超出统筹地区 { $region } 的预缴月份范围（R3、R6）：政策最晚自 { $limit } 起生效，即当前征缴月为 { $open } 时一笔缴费（预缴）所能缴到的最后一个月份；请待 { $publish_from } 成为当前征缴月后再发布
refusal-previously-enrolled = 参保人员 { $member } 曾参保且已停保：请办理重新参保（reenroll，R13）
refusal-previously-enrolled-elsewhere = 参保人员 { $member } 曾在统筹地区 { $region } 参保且已停保：重新参保（reenroll）只会让其在该地区再次参保（R13）；参保人员编号只属于其首次参保的统筹地区，在统筹地区 { $asked } 参保须使用该地区自己的参保人员编号（规则中没有跨地区接续缴费月数的规定）
refusal-already-enrolled = 参保人员 { $member } 已在统筹地区 { $region } 参保（R5），无需再办理参保（缴费请用 pay，调整缴费基数请用 change_base）
refusal-employer-scheme-required = 已与用人单位建立劳动关系的人员应随用人单位参加职工基本医疗保险，不以灵活就业人员身份参保（R5、S2）：请由用人单位为其参保；只有无用人单位的人员才发送 `labor_relationship` 为 `none`
refusal-month-before-region = { $month } 早于统筹地区 { $region } 的首月 { $first }（其第一份政策生效之月，R1）：此前的月份从未开放征缴；请改用当前征缴月 { $open } 或之后的月份
refusal-enroll-month-closed = 统筹地区 { $region } 的 { $month } 已月结（R5）：请自当前征缴月 { $open } 或之后的月份起参保
refusal-enroll-too-far-ahead = { $month } 超出预缴月数上限（R5、R6）：参保最晚自 { $limit } 起，即当前征缴月为 { $open } 时一笔缴费（预缴）所能缴到的最后一个月份
refusal-pay-deduction-stopped = 已停止扣费（R8）：请先恢复扣费（resume_deduction，重新办理相关手续）再缴费
refusal-paid-on-outside-open-month = 缴费日期（paid_on）{ $paid_on } 不在当前征缴月 { $open }（R6）：缴费须在当前征缴月办理
refusal-months-not-contiguous = 缴费月份须按升序连续排列，不得间断或重复（R6）：{ $kind ->
        [gap] { $after } 与 { $next } 之间缺少 { SAME($missing_first, $missing_last) ->
            [yes] { $missing_first }
           *[no] { $missing_first } 至 { $missing_last }
        }
        [repeat] { $after } 重复列出
       *[order] { $next } 列在 { $after } 之后
    }
pay-from = { SAME($payable_in, $open) ->
        [yes] 请自 { $next_unpaid } 起缴费
       *[no] 待 { $payable_in } 成为当前征缴月后，请自 { $next_unpaid } 起缴费（R6：最多预缴至当前征缴月之后 11 个月；当前征缴月为 { $open }）
    }
refusal-pay-before-enrollment = { $month } 早于自 { $start } 开始的参保期，而缴费须从本参保期最早的未缴月份开始（R6）：{ pay-from }
refusal-pay-already-paid = { $month } 已缴费（已缴至 { $paid_through }），而缴费须从最早的未缴月份开始（R6）：{ pay-from }
refusal-arrears-must-be-paid-first = 缴费须按月份顺序、从最早的未缴月份开始（R6）：请自 { $next_unpaid } 起缴费；{ SAME($next_unpaid, $last_owed) ->
        [yes] { $next_unpaid }
       *[no] { $next_unpaid } 至 { $last_owed }
    } 是本次缴费所缴第一个月份之前未缴的月份，共 { $count } 个月，应缴 { $amount }
refusal-prepay-limit-exceeded = { $month } 超出一笔缴费可缴的月份范围：当前征缴月 { $open } 及其后 11 个月，共 12 个月（R6）；最多缴费至 { $limit }
refusal-pay-amount-mismatch = 缴费金额 { $amount } 与 { SAME($first, $last) ->
        [yes] { $first } 的应缴费额 { $total }
       *[no] { $first } 至 { $last } 的应缴费额合计 { $total }
    } 不符（R4、R6）：请按 { $total } 缴费
refusal-month-not-open = { $month } 不是统筹地区 { $region } 的当前征缴月（R9）：下一个应月结的月份是 { $open }
refusal-close-last-month = { $month } 是本账本记录的最后一个月（R1）：月结该月将开启其后的月份，而该月份无法记录，因此 { $month } 仍为统筹地区 { $region } 的当前征缴月；请勿月结
refusal-pay-paid-through-last-month = { $month } 已缴费：本参保期已缴费至本账本记录的最后一个月 { $last }（R1、R6），已无可缴费的月份
refusal-withdraw-past-last-month = 参保人员 { $member } 已缴费至本账本记录的最后一个月 { $last }，且该月为当前征缴月：停保将自其后的月份起生效（R1、R12），而该月份无法记录；该参保人员的参保持续至 { $last }
refusal-deduction-already-stopped = 已停止扣费（R8）：如需恢复扣费，请办理 resume_deduction
refusal-deduction-not-stopped = 未停止扣费，扣费正常进行（R8）：无需恢复
refusal-never-enrolled = 没有编号为 { $member } 的参保人员，从未参保：请核对编号；若是新参保人员，请办理参保（enroll，R5）
refusal-not-withdrawn = 参保人员 { $member } 仍在参保，未停保（R13）：只有已停保的参保人员才能重新参保；无需办理（如需调整缴费基数，请发送 change_base）
refusal-reenroll-month-closed = 重新参保最早只能自 { $earliest } 起（R13：不早于当前征缴月，不早于停保生效的月份，也不得落在停保前已缴费的月份内）
refusal-reenroll-past-last-month = 参保人员 { $member } 停保前已缴费至本账本记录的最后一个月 { $last }：重新参保不得落在这些已缴费的月份内（R13），因此已无可重新参保的月份
refusal-change-base-month-closed = { $month } 已月结（R15）：请自当前征缴月 { $open } 或之后的月份起调整缴费基数
refusal-change-base-before-enrollment = { $month } 早于自 { $start } 开始的参保期（R15）：请自 { $start } 或之后的月份起调整缴费基数
refusal-change-base-already-paid = { $month } 已缴费，其应缴费额按缴费时的标准保持不变（R4、R15）：请自 { $next_unpaid } 或之后的月份起调整缴费基数
refusal-change-base-paid-through-last-month = { $month } 已缴费，其应缴费额按缴费时的标准保持不变（R4、R15）：本参保期已缴费至本账本记录的最后一个月 { $last }，已无可调整缴费基数的月份
refusal-grant-month-closed = { $month } 已月结（R16）：社会保险补贴须自当前征缴月 { $open } 或之后的月份起给予
refusal-grant-too-long = { $category ->
        [graduate] 高校毕业生
        [hardship] 就业困难人员
       *[other] 其他人员
    }的社会保险补贴最长 { $limit } 个月（R16），本次申请 { $months } 个月：请减少补贴月数
refusal-share-too-large = 补贴比例 { $share } 高于 { $max }（R16：社会保险补贴原则上不超过实际缴费的三分之二）：请降低补贴比例
refusal-granted-months-exceeded = 参保人员 { $member } 已获社会保险补贴 { $granted } 个月，再给予 { $months } 个月将超过 { $max } 个月的上限（R16）：{ $remaining ->
        [0] 不能再给予（请先撤销不需要的补贴月份）
       *[other] 最多还可给予 { $remaining } 个月
    }
refusal-graduate-months-exceeded = 参保人员 { $member } 已按高校毕业生获社会保险补贴 { $granted } 个月，再给予 { $months } 个月将超过高校毕业生合计 { $max } 个月（两年）的上限（R16）：{ $remaining ->
        [0] 不能再按高校毕业生给予
       *[other] 按高校毕业生最多还可给予 { $remaining } 个月
    }
refusal-grant-past-last-month = 自 { $first } 起 { $months } 个月的社会保险补贴将超出本账本记录的最后一个月 { $last }（R1、R16）：请只对 { SAME($first, $last) ->
        [yes] { $first }
       *[no] { $first } 至 { $last }
    } 的月份给予补贴
refusal-subsidy-overlap = { SAME($first, $last) ->
        [yes] { $first }
       *[no] { $first } 至 { $last }
    } 与自 { $other_first } 起给予的社会保险补贴重叠（R16：补贴期不得重叠）：请自 { $other_last } 之后开始，或先撤销该项补贴
refusal-revoke-month-closed = { $month } 已月结（R16）：请自当前征缴月 { $open } 或之后的月份起撤销
refusal-no-subsidy = 参保人员 { $member } 自 { $month } 起没有给予社会保险补贴的月份（R16）：无可撤销
refusal-subsidy-paid-on-outside-open-month = 发放日期（paid_on）{ $paid_on } 不在当前征缴月 { $open }（R16）：社会保险补贴须在当前征缴月发放
refusal-subsidy-already-paid = { $month } 的社会保险补贴已发放（R16）：本次发放请去掉该月
refusal-subsidy-not-accrued = { $month } 的社会保险补贴尚未形成：{ $reason ->
        [not_granted] 该月没有给予补贴（R16：给予补贴的月份在缴费并月结后形成补贴）
        [refunded] 该月缴费已退费（R12；R16：给予补贴的月份在缴费并月结后形成补贴）
        [unpaid] 该月尚未缴费（R16：给予补贴的月份在缴费并月结后形成补贴）
        [not_enrolled] 参保人员在该月未参保（不在任何参保期内的月份不形成补贴；R16：给予补贴的月份在缴费并月结后形成补贴）
       *[not_closed] 该月尚未月结（补贴在该月月结时形成；R16：给予补贴的月份在缴费并月结后形成补贴）
    }；请只发放已形成补贴的月份
refusal-subsidy-amount-mismatch = 发放金额 { $amount } 与这些月份已形成的社会保险补贴合计 { $total } 不符（R16）：请按 { $total } 发放

## 无法解析的命令（错误码 invalid_command；src/domain/command.rs）。句中 serde 自己的英文（`detail`）在各语言中照原样保留。

refusal-parse-not-json = 不是有效的 JSON（{ $detail }）；每条命令请发送一个 JSON 对象
refusal-parse-number-out-of-range = 有一个数字超出了本账本能读取的范围（{ $detail }）：金额应写成十进制字符串（"600.00"），计数应为较小的整数
refusal-parse-number-inexact = 数字 { $number } 不是整数，只是按 64 位浮点数读起来像整数：命令中的数字都是整数（月数、版本号；金额、费率和比例写成十进制字符串，例如 "600.00"），请按此写
refusal-parse-line-not-utf8 = 该行不是有效的 UTF-8 文本：请把文件保存为 UTF-8 编码（以 GBK 或 UTF-16 保存的文件可用 `iconv -f GBK -t UTF-8` 或 `iconv -f UTF-16 -t UTF-8` 转换）
refusal-parse-line-too-long = 该行超过 { $bytes_max } 字节；请把它拆成较小的命令
refusal-parse-line-empty = 该行为空；每行请放一条 JSON 命令
refusal-parse-not-an-object = 命令必须是带有 "command" 字段的 JSON 对象
refusal-parse-line-unfinished = 这一行在 JSON 结束之前就结束了（{ $detail }）：每条命令须写在一行内；分多行排版的命令会被逐行读取并拒绝（`jq -c` 可把每条命令输出为一行）
refusal-parse-line-array = 每行只能是一个命令对象，不能是数组：请把数组中的每条命令各放一行（`jq -c '.[]'` 可做到）
refusal-parse-command-not-a-string = 字段 `command` 必须是写明命令名称的字符串
refusal-parse-command-missing = 缺少字段 `command`（可选：{ $names }）
refusal-parse-unknown-command = 未知的命令 { $name }；应为以下之一：{ $names }
refusal-parse-command-id-not-a-uuid = 字段 `command_id` 必须是连字符形式的 UUID 字符串（8-4-4-4-12 位十六进制数字）
refusal-parse-expected-version-not-a-count = 字段 `expected_version` 必须是 0 到 18446744073709551615 之间的整数
refusal-parse-expected-version-not-a-member-command = { $command }：expected_version 只适用于参保人员的命令
refusal-parse-months-count = { $command }：字段 `months` 须列出 1 至 { $max } 个月份
refusal-parse-withdraw-arrears-exceeded-grace = withdraw：停保原因 `arrears_exceeded_grace`（欠费超过宽限期，视为自动退保）只由月结记录（R11）；请使用 voluntary、employer_scheme、relocated 或 deceased
refusal-parse-grant-months = grant_subsidy：字段 `months` 至少为 1（R16）
refusal-parse-grant-share = grant_subsidy：字段 `share` 必须大于 0（R16）
refusal-parse-pay-subsidy-month-twice = pay_subsidy：字段 `months` 重复列出了同一个月份；每个已形成补贴的月份只列一次

# 缴费政策为何不合规（按检查项 `PolicyCheck::name`）：用于 `publish_policy` 的拒绝，
# 以及假设分析的政策文件。
policy-check = { $check ->
        [not_positive] 字段 `{ $field }` 必须大于 0
        [not_below] 字段 `{ $field }` 必须小于 { $limit }
        [above_max] 字段 `{ $field }` 不得超过 { $limit }
        [rate_range] 字段 `{ $field }`（缴费比例）必须大于 0 且不超过 { $limit }
        [band_inverted] 字段 `{ $field }` 不得大于 `{ $limit }`（缴费基数比例的下限不得高于上限）
        [account_above_rate] 字段 `{ $field }` 为 { $value }，不得超过缴费比例 `contribution_rate`（{ $limit }）（R17：划入个人账户的是缴费的一部分）
        [too_many_tiers] 字段 `{ $field }` 至多 { $limit } 项
        [tier_name_length] 字段 `{ $field }` 须为 1 至 { $limit } 字节
        [due_rounds_to_zero] 最低应缴费额（`average_monthly_wage` × `{ $field }` × `contribution_rate`）四舍五入后为 { $value }：参保人员不缴费也能享有该月待遇（R2、R4）；最低应缴费额至少应为 { $limit }
        [delay_below_next_month] 字段 `{ $field }` 至少为 { $limit }：待遇最早从缴费次月起享受（S1、R7）；为 0 时，参保人员在哪个月缴费（即使在月末）就享受哪个月的待遇
       *[tier_repeats] 字段 `{ $field }` 与前面某一待遇档次的相同
    }
refusal-parse-policy-invalid = publish_policy：{ policy-check }
refusal-parse-field-missing = { $command }：缺少字段 `{ $field }`
refusal-parse-field-invalid = { $command }：字段 `{ $field }` 有误：{ $detail }

## 账本本身的拒绝（src/ledger.rs，D10）：command_id 已用于另一条已受理的命令。

refusal-command-id-reused = command_id { $command_id } 已用于另一条已受理的命令（其事件自位置 { $position } 起）：请为新命令使用新的 command_id；如需取得原命令的结果，请原样重新提交原命令
