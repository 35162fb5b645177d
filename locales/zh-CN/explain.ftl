# `flexledger-audit explain`：某月为何是这个状态（src/audit/explain.rs）。
# 术语以 docs/GLOSSARY.md 为准；代码名（状态、参数、指令）原样保留。
# 名为 `at` 的参数是所引事件的位置（explain-at-position），没有引用事件时为空。

## 输出的框架

explain-header = 参保人员 { $member }（{ $region }），{ $month }：{ $status }，{ $benefits }（决定规则 { $rule }）
explain-benefits-yes = 有医保待遇：医疗费用可按规定报销
explain-benefits-no = 无医保待遇
explain-money = 应缴费额 { $due }，已缴费 { $paid }
explain-money-refunded = 退费 { $refunded }（R12）
explain-money-account = { $to_account } 划入个人账户，{ $pooled } 进入统筹基金（R17）
explain-money-subsidy = 已形成社会保险补贴 { $subsidy }，{ $paid_out ->
        [yes] 已发放
       *[no] 尚未发放
    }（R16）
explain-separator = ；
explain-why = 原因：
explain-events = 决定该月状态的事件：
explain-position = 位置
explain-rules = 适用的规则（RULES.zh.md）：
explain-rule = { $id } { $title }。{ $text }
explain-rule-part = { $id } { $title }。{ $text }（节选：{ $id } 全文见 RULES.zh.md）
explain-rule-omitted = ……
explain-rule-next = {""}
explain-source-none = 来源：无——本账本自定的规则
explain-source = 来源 { $id }：“{ $sentence }”
explain-source-translation = 来源 { $id }（本账本的中文译写，非原文）：“{ $sentence }”
explain-source-english-kept = 来源 { $id }（中文原文未能找到，保留英文）："{ $sentence }"
explain-source-gist = 大意：{ $gist }（本账本的译写，非原文）

## 无法解释的月份

explain-no-enrollment = 参保人员 { $member } 在这段历史中没有参保记录

## 事件位置与尚无的月份

explain-at-position = （事件位置 { $position }）
explain-at-position-implied = （尚未记录：隐含于事件位置 { $position } 的月结，该月结仍在记录中）
explain-implied = 事件位置 { $position } 的月结仍在记录中：标为“隐含”的事件是该月结对该参保人员的后果，日志中尚未记录；这里按账本将要记录的样子列出，因为在记录它们之前，不会为该参保人员作出任何决定（D17）
explain-role-implied = { $role }；隐含于事件位置 { $position } 的月结，尚未记录
explain-no-month-yet = 尚未确定
explain-after-last-month = 本账本记录的最后一个月 { $last } 之后的月份

## 所引各事件对该月的作用

explain-period-holding = 包含 { $month } 的参保期
explain-period-last-before = { $month } 之前最近一次开始的参保期
explain-role-policy = { $month } 所适用的政策：据此计算该月的应缴费额（R3、R4）
explain-role-policy-account = { $month } 所适用的政策：据此计算该月的应缴费额（R3、R4）；其个人账户划入比例（account_rate）决定缴费在个人账户与统筹基金之间的拆分（R17）
explain-role-policy-when-paid = 缴费时 { $month } 所适用的政策：该月的应缴费额据此计算，此后保持不变（R3、R4）{ $account ->
        [yes] ；缴费时即按其个人账户划入比例（account_rate）将该月缴费一次性拆分，划入个人账户和统筹基金（R17）
       *[no] {""}
    }
explain-role-policy-now = { $month } 现行适用的政策，在该月缴费之后发布：已缴费的月份不按其重新计算，该月保持缴费时的应缴费额{ $account ->
        [yes] 和个人账户划入金额（R4、R17）
       *[no] （R4）
    }
explain-role-enrolled = 参保，{ $period }由此开始（R5）
explain-role-enrolled-later = 该参保人员自 { $from } 起参保：{ $month } 在此之前，不属于任何参保期（R5）
explain-role-reenrolled = 重新参保，{ $period }由此开始（R13）
explain-role-base = 自 { $from } 起变更缴费基数比例（R15）
explain-role-first-payment = 本参保期的首次缴费：P 取其办理月份与所缴第一个月份中较晚者；待遇自 P + 待遇等待期起享受（R7）
explain-role-pays = 为 { $month } 缴费（R6）
explain-role-pays-refunded = 曾为 { $month } 缴费（R6），其后已退费（R12）：它不再是该月的缴费
explain-role-pays-first = 为 { $month } 缴费（R6）；这也是本参保期的首次缴费：P 取其办理月份与所缴第一个月份中较晚者；待遇自 P + 待遇等待期起享受（R7）
explain-role-pays-accrues = ；{ $month } 在月结后补缴且在补贴期内，随本次缴费形成社会保险补贴 { $subsidy }（R16）
explain-role-deduction-stopped = 停止扣费：恢复扣费之前不能为 { $month } 缴费（R8）
explain-role-missed = 月结时记录 { $month } 中断缴费（R9）
explain-role-closes = 对 { $month } 办理月结（R9）
explain-role-closes-accrues = 对 { $month } 办理月结（R9）：该月已缴费且在补贴期内，本次月结形成社会保险补贴 { $subsidy }（R16）
explain-role-refunds = 退还 { $month } 的缴费 { $refunded }：该月为预缴月份，已由同时记录的停保移出参保期（本次共退费 { $amount }，{ $months } 个月，R12）
explain-role-grants = 给予社会保险补贴，补贴期包含 { $month }（{ $category }，补贴比例 { $share }，自 { $from } 起共 { $months } 个月，R16）
explain-role-revokes = 自 { $from } 起撤销社会保险补贴：{ $month } 不再给予补贴（R16）
explain-role-subsidy-paid = 于 { $paid_on } 向参保人员发放 { $month } 已形成的社会保险补贴（R16）
explain-role-lapses = 使 { $month } 欠费失效：该月从未享受待遇，不能再补缴{ $rule ->
        [R11] ，其医疗费用由参保人员本人承担（R11）
       *[other] （{ $rule }）
    }
explain-role-ends = 自 { $from } 起停保，参保期结束（{ $rule }）
explain-role-ends-previous = 自 { $from } 起停保，上一参保期结束（{ $rule }）；本参保期因此是重新参保：连续缴费月数从零起算，待遇起始月重新确定（R13、R7）
explain-role-ends-refunded = 自 { $from } 起停保（{ $rule }），本月的缴费是在该参保期内预缴的，因此予以退费

## 原因

explain-due-priced = { $month } 的应缴费额为 { $amount }：上年度职工月平均工资 { $wage } × 缴费基数比例 { $ratio } × 缴费比例 { $rate }，四舍五入（R4、R2）
explain-due-priced-paid = { $month } 的应缴费额为 { $amount }：上年度职工月平均工资 { $wage } × 缴费基数比例 { $ratio } × 缴费比例 { $rate }，四舍五入（R4、R2）；该月已按 { $amount } 缴费，保持这一应缴费额（R4）
explain-due-ratio-clamped = 参保人员的缴费基数比例 { $chosen } 不在{ $paid ->
        [yes] 缴费时
       *[no] {""}
    } { $month } 所适用政策允许的 { $min }–{ $max } 之内，该月按最接近的 { $ratio } 计算（R4）
explain-due-paid-under = { $month } 的应缴费额为 { $amount }，即缴费时的应缴费额：按缴费时该月所适用的政策{ $at }，上年度职工月平均工资 { $wage } × 缴费基数比例 { $ratio } × 缴费比例 { $rate }，四舍五入（R4、R2）；{ $repriced ->
        [yes] 即使按现行政策和缴费基数应为 { $priced_now }，该月仍保持这一应缴费额
       *[no] 按现行适用于该月的政策计算结果相同，该月保持这一应缴费额
    }（R4）
explain-due-kept = { $month } 的应缴费额为 { $amount }，即{ $when ->
        [paid] 缴费时
       *[missed] 记录中断缴费时
    }的应缴费额；即使按现行政策和缴费基数应为 { $priced_now }，该月仍保持这一应缴费额（R4）
explain-deduction-stopped = 已停止扣费（R8）：恢复扣费（resume_deduction）之前，缴费一律不予受理，因此该月目前无法缴费
explain-status-due = { $month } 尚未月结（当前征缴月为 { $open_month }），也未缴费：须按从早到晚的顺序，从最早的未缴费月份缴起（R6），并在 { $month } 月结之前缴费（R9）
explain-status-due-beyond-prepay = { $month } 尚未月结（当前征缴月为 { $open_month }），也未缴费；现在还不能缴纳：一次缴费最多预缴到 { $horizon }，即 12 个月（R6）
explain-status-waiting = 已缴费{ $at }，但本参保期的待遇起始月为 { $start }（P + { $delay_kind }，R7）；{ $month } 早于待遇起始月，因此处于等待期
explain-status-waiting-ended = 已缴费{ $at }，但参保人员自 { $from } 起已停保（{ $reason }，{ $rule }）{ $ended_at }，本参保期在本应开始享受待遇的待遇起始月 { $start }（P + { $delay_kind }，R7）之前即已结束：{ $month } 停留在等待期，从未享受待遇——该月的缴费没有换来任何待遇，{ $refunded ->
        [earlier] 也未退费（R12 只对 L 即最后一个已缴费月份之后预缴的月份退费；{ $month } 已退的 { $refunded_amount } 是此前参保期为该月缴纳的费用）
       *[no] 也未退费（R12 只对 L 即最后一个已缴费月份之后预缴的月份退费）
    }
explain-status-covered = 该月已缴费{ $at }，未记录中断缴费，且不早于待遇起始月 { $start }（P + { $delay_kind }，R7）：享受待遇
explain-status-arrears = { $month } 月结时未缴费，{ $recorded ->
        [no] 应记录中断缴费
       *[yes] 已记录中断缴费
    }{ $at }（R9）；该月欠费：补缴之前不享受待遇（R10）
explain-arrears-run = 参保人员欠费共计 { $owed }，连续欠费 { $months } 个月，自 { $first } 起；可按缴费顺序（从早到晚）补缴，补缴截止月为 { $deadline }，即最后一个可以补缴的月份（须在该月月结之前缴费；{ $shortened ->
        [yes] 即当前征缴月：之后的政策缩短了宽限期，首个欠费月份 + { $grace } 个月宽限期已早于当前征缴月，R10、D57
        [later] 若届时仍未补缴，该月月结后将连续欠费 { $run } 个月，超过 { $deadline } 所适用政策的 { $month_grace } 个月宽限期，R10、R11、D62；按 R10 的公式，首个欠费月份 + 当前征缴月所适用政策的 { $grace } 个月宽限期为 { $sum }，但何时视为自动退保由各月月结决定
       *[no] 首个欠费月份 + { $grace } 个月宽限期，R10
    }）；{ $shortened ->
        [later] 某月月结后连续欠费超过该月所适用政策的宽限期的，参保人员视为自动退保而停保（R11）
       *[other] 月结后连续欠费超过 { $grace } 个月的，参保人员视为自动退保而停保（R11）
    }
explain-status-restored = { $month } 月结时已记录中断缴费{ $missed_at }（R9），并在宽限期内补缴{ $paid_at }（R10）：补缴恢复，连续缴费关系保持
explain-restored-benefits = 待遇：{ $benefits ->
        [yes] 享受
       *[no] 不享受
    }——按 { $month } 所适用的政策（P-restore，R10），{ $restores }
explain-status-lapsed = { $month } 月结时{ $recorded ->
        [no] 应记录中断缴费
       *[yes] 已记录中断缴费
    }{ $at }（R9），此后从未补缴
explain-lapse-automatic = { $closed } 月结后连续欠费 { $months } 个月，超过其 { $grace } 个月的宽限期，参保人员自首个欠费月份起视为自动退保而停保（{ $rule }）；该月欠费失效——从未享受待遇，不能再补缴，欠费期间发生的医疗费用由参保人员本人承担{ $at }
explain-lapse-withdrew = 参保人员在该月欠费期间停保（{ $reason }，{ $rule }）；该月欠费失效——从未享受待遇，不能再补缴{ $at }
explain-lapse-withdrawn = 参保人员已停保；该月欠费失效{ $at }
explain-not-enrolled-withdrawn = { $month } 不属于任何参保期：参保人员自 { $from } 起停保（{ $reason }）{ $at }（{ $rule }），此后未就该月重新参保（R13）
explain-not-enrolled-before = { $month } 早于参保人员首次参保的月份（R5）

## R7：待遇起始月

explain-delay-kind = { $kind ->
        [first] 首次参保的待遇等待期
        [not_qualified] 首次参保的待遇等待期，因此前尚未取得待遇资格
        [reenroll] 重新参保的待遇等待期
        [gap] 首次参保的待遇等待期，因中断间隔超过 P-reset 视为首次参保
        [nothing_before] 首次参保的待遇等待期，因此前没有已缴费的月份
       *[unknown] 待遇等待期
    }
explain-benefit-start = R7 待遇起始月：{ $p_text }；{ $why }；因此待遇自 P + { $delay } = { $start } 起享受{ $check }
explain-p-paid-for-later = P = { $p }：本参保期的首次缴费（事件位置 { $position }）在 { $payment_month } 办理，但所缴的第一个月份是更晚的 { $first_paid }；待遇等待期自该月起算，不能预先度过
explain-p-paid-for-earlier = P = { $p }：本参保期首次缴费（事件位置 { $position }）的办理月份，晚于这次缴费所缴的第一个月份（{ $first_paid }）
explain-p-paid-for-same = P = { $p }：本参保期首次缴费（事件位置 { $position }）的办理月份，也是这次缴费所缴的第一个月份
explain-delay-first = 这是参保人员的首次参保，适用首次参保的待遇等待期：{ $delay } 个月（P-delay-first，S6）
explain-delay-not-qualified = 参保人员此前尚未取得待遇资格（此前没有一个参保期有在其待遇起始月或之后到来的已缴费月份），重新参保不能缩短首次参保的待遇等待期：适用首次参保的待遇等待期，{ $delay } 个月（P-delay-first）
explain-delay-no-reset = 参保人员在此前的参保期已取得待遇资格，且 { $p } 所适用的政策未设中断间隔上限（P-reset），适用重新参保的待遇等待期：{ $delay } 个月（P-delay-re，S1“自缴费次月起”）
explain-delay-gap-within-reset = 参保人员在此前的参保期已取得待遇资格，中断间隔（本参保期之前最后一个已缴费月份 { $last_paid } 与 P 之间、不含两端的月数）为 { $gap } 个月，不超过统筹地区在 { $p } 所适用政策的中断间隔上限 { $reset } 个月（P-reset），适用重新参保的待遇等待期：{ $delay } 个月（P-delay-re，S1）
explain-delay-gap-beyond-reset = 参保人员在此前的参保期已取得待遇资格，但中断间隔（本参保期之前最后一个已缴费月份 { $last_paid } 与 P 之间、不含两端的月数）为 { $gap } 个月，超过统筹地区在 { $p } 所适用政策的中断间隔上限 { $reset } 个月（P-reset，S7），中断后的参保视为首次参保，重新适用首次参保的待遇等待期：{ $delay } 个月（P-delay-first）
explain-delay-nothing-paid-before = 本参保期之前没有已缴费的月份，且 { $p } 所适用的政策设有中断间隔上限 { $reset } 个月（P-reset），适用首次参保的待遇等待期：{ $delay } 个月（P-delay-first）
explain-delay-recorded = （这是本参保期首次缴费入账时，账本按当时 P 所适用的政策记录的待遇等待期，{ $recorded } 个月，D27、D63；P 现在所适用的政策给出 { $delay } 个月，适用于其后才首次缴费的参保期）

## R12：退费

explain-refund = { $month } 为预缴月份，参保人员停保时已退费（R12，第 2 版新增：L 之后已缴费的月份予以退费，停保后均不再享受任何待遇）{ $count ->
        [1] {""}
       *[other] ，共退费 { $count } 次，累计 { $refunded }
    }：{ $parts }；{ $now }
explain-refund-part = 停保{ $at }及同时记录的退费{ $refund_at }退还 { $refunded }。{ $withdrawal }
explain-refund-part-alone = 退费{ $refund_at }退还 { $refunded }
explain-refund-withdrawal = 该次停保（{ $reason }）自 { $from } 起生效，{ $since ->
        [start] 即该参保期的第一个月：该参保期截至当前征缴月没有任何已缴费月份，因此没有 L（R12）
       *[after_l] 即 L（不晚于当前征缴月的最后一个已缴费月份）的次月
    }
explain-refund-then = ；其后，
explain-refund-now-outside = { $month } 不属于参保期：未参保，不享受待遇，无缴费
explain-refund-now-enrolled = 之后的参保期又包含了 { $month }，该月现为{ $status }

## R17：个人账户

explain-account = { $month } 已缴费的 { $paid } 中，{ $to_account } 划入参保人员的个人账户{ $how }，{ $pooled } 进入统筹基金（R17、S10）；{ $credited }
explain-account-formula = （= 上年度职工月平均工资 { $wage } × 缴费基数比例 { $ratio } × 个人账户划入比例 { $rate }，四舍五入保留两位小数{ $when_paid ->
        [yes] ，按缴费时该月所适用的政策计算
       *[no] {""}
    }）
explain-account-fixed = （缴费时按该月当时所适用的政策和缴费基数确定）
explain-account-credited = 已记入个人账户余额，余额现为 { $balance }（R17）
explain-account-credited-later = 待 { $month } 到来时记入个人账户余额（当前征缴月为 { $open_month }，R17）

## R16：社会保险补贴

explain-subsidy-revoked = { $month } 曾在一项社会保险补贴的补贴期内，但该补贴已撤销（事件位置 { $position }）：{ $month } 不再给予补贴，不形成补贴（R16）
explain-subsidy-granted = { $month } 在社会保险补贴的补贴期内（{ $category }，补贴比例 { $share }，自 { $from } 起共 { $months } 个月）
explain-subsidy-accrued = { $granted }；该月已缴费、未退费并已月结，形成社会保险补贴：缴费额 { $paid } × 补贴比例 { $share }，四舍五入保留两位小数 = { $subsidy }（R16、S9：先缴后补）；{ $paid_out }
explain-subsidy-paid-out = 补贴已发放给参保人员{ $at }
explain-subsidy-owed = 补贴尚未发放：应发放给参保人员（pay_subsidy）
explain-subsidy-not-closed = { $granted }；该月已缴费但尚未月结（当前征缴月为 { $open_month }），因此尚未形成补贴：月结时将形成 { $paid } × { $share }，四舍五入保留两位小数 = { $at_close }（R16）
explain-subsidy-refunded = { $granted }；该月的缴费已退费，因此不形成补贴（R16）
explain-subsidy-unpaid = { $granted }；该月未缴费，因此尚未形成补贴（R16：月份须已缴费、未退费并已月结，才形成补贴）{ $never ->
        [lapsed] ；该月已欠费失效，永远不会形成补贴
        [not_enrolled] ；该月不属于任何参保期
       *[other] {""}
    }
