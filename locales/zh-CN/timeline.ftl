# 时间线图的文字（src/audit/timeline.rs）：标题、网格、月份格和提示、图例及参保期列表。
# 代码（状态、停保原因）经 events.ftl 的 `word-` 消息显示。术语以 docs/GLOSSARY.md 为准。

## 标题

timeline-title = 参保人员 { $member }（{ $region }）：{ SAME($first, $last) ->
        [yes] { $first }
       *[no] { $first } 至 { $last }
    } 共 { $count } 个月
timeline-heading-member = 参保人员 { $member }
timeline-heading-status = 统筹地区 { $region } · { $state } · 待遇档次 { $tier } · 连续缴费月数 { $continuous } / 累计缴费月数 { $cumulative } · { $arrears }
timeline-state = { $state ->
        [active] 正常参保
        [in_arrears] 欠费中
       *[withdrawn] 已停保
    }
timeline-tier-none = 无
timeline-no-arrears = 无欠费
timeline-arrears = 欠费 { $amount }（{ $months }{ $deadline }）
timeline-backpay-deadline = ，补缴期限 { $month }
timeline-benefit-start-none = 尚无待遇起始月（本次参保尚未缴费）
timeline-benefit-start-past-last = 待遇起始月在本账本记录的最后一个月 { $last } 之后，账本范围内没有享受待遇的月份（R7）
timeline-benefits-from = 自 { $month } 起享受待遇
timeline-benefit-start = 待遇起始月 { $month }（R7），适用于已缴费的月份
timeline-heading-benefits = { $start } · 已缴费至 { $paid_through } · 第 { $enrollment } 次参保 · 扣费{ $deduction ->
        [stopped] 已停止（R8）
       *[on] 正常
    } · 截至日志位置 { $position }
timeline-not-drawn = 最早的 { $count } 个月未画出（最多 { $years } 年）
timeline-heading-money = 已取得待遇资格：{ $qualified ->
        [yes] 是
       *[no] 否
    }（R7） · 个人账户 { $balance }（R17） · { $subsidy }
timeline-subsidy-none = 未给予社会保险补贴（R16）
timeline-subsidy = 社会保险补贴：给予 { $granted } 个月，已形成 { $accrued }，已发放 { $paid }，待发放 { $owed }（R16）
timeline-refunded-total = 退费 { $amount }（R12）
timeline-footer = flexledger · 状态和规则见 RULES.zh.md“月份状态” · 将鼠标移到月份上可查看应缴费额、已缴费、退费、划入个人账户金额、社会保险补贴、待遇、规则和事件

## 网格和月份格

timeline-month-name = { $month }月
timeline-cell-refunded = 已退费

## 提示

timeline-tooltip-money = 应缴费额 { $due } · 已缴费 { $paid } · 待遇：{ $benefits ->
        [yes] 有
       *[no] 无
    } · 规则 { $rule }
timeline-money-refunded = 退费 { $amount }（R12）
timeline-money-account = { $to_account } 划入个人账户，{ $pooled } 进入统筹基金（R17）
timeline-money-subsidy = 已形成社会保险补贴 { $subsidy }，{ $paid_out ->
        [yes] 已发放
       *[no] 待发放
    }（R16）
timeline-more = ……另有 { $count } 项
timeline-enrolled = R5 参保，缴费基数比例 { $ratio } · 事件位置 { $position }
timeline-reenrolled = R13 重新参保，缴费基数比例 { $ratio }（第 { $enrollment } 次参保） · 事件位置 { $position }
timeline-withdrawal = { $rule } 停保（{ $reason }），{ $when ->
        [close] 由月结办理，自首个欠费月份起生效
       *[request] 依申请办理，自本月起生效
    }；{ $lapsed } · 事件位置 { $position }
timeline-withdrawal-nothing-lapsed = 无欠费失效的月份
timeline-withdrawal-lapsed = { $months } 欠费失效：{ $count } 个月，应缴费额 { $amount } 不能再补缴；这些月份的医疗费用由参保人员本人承担
timeline-withdrawal-then = { $earlier }；随后 { $later }
timeline-position-implied = { $position }，隐含于该月结，尚未记录
timeline-missed = 中断缴费：月结时该月未缴费，应缴费额 { $due }（R9，事件位置 { $position }）
timeline-refunded = 停保（事件位置 { $withdrawal }）时退还该月缴费 { $refunded }（R12；同时记录的退费：共 { $count } 个月，合计 { $amount }，事件位置 { $position }）
timeline-refunded-alone = 退还该月缴费 { $refunded }（R12；退费：共 { $count } 个月，合计 { $amount }，事件位置 { $position }）
timeline-paid-by = 该月费用由 { $paid_on } 的缴费缴纳（{ $kind }，事件位置 { $position }）
timeline-payment-made = 本月办理缴费：{ $paid_on } 缴纳 { $amount }，共 { $count } 个月（事件位置 { $position }）
timeline-subsidy-granted = 自本月起给予社会保险补贴（{ $category }）：{ $months } 个月，补贴比例 { $share }（R16，事件位置 { $position }）
timeline-subsidy-revoked = 自本月起撤销社会保险补贴（R16，事件位置 { $position }）
timeline-subsidy-paid = 社会保险补贴于 { $paid_on } 发放（R16，事件位置 { $position }）

## 图例和参保期

timeline-legend-statuses = 月份状态
timeline-status-meaning = { $status ->
        [not_enrolled] 未参保
        [due] 待缴（应缴费额尚未缴纳）
        [waiting] 等待期（尚无待遇）
        [covered] 享受待遇
        [arrears] 欠费（可补缴）
        [restored] 补缴恢复（待遇恢复视政策）
       *[lapsed] 欠费失效（不能再补缴）
    }
timeline-legend-marks = 标记
timeline-mark = { $mark ->
        [benefits] 享受待遇
        [paid] 该月已缴费
        [payment] 本月办理缴费
        [missed] 中断缴费
        [enrolled] 参保 / 重新参保
        [withdrawn] 自此停保
        [refunded] 退费（R12）
       *[subsidy] 社会保险补贴 R16：实心＝已发放
    }
timeline-notes = 参保期
timeline-notes-more = ……另有 { $count } 条（见该参保人员的事件）
