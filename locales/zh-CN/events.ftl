# 事件记录了什么：以审计人员的话说，并注明所依据的规则
# （src/audit/history.rs `describe_in`：replay、explain 和时间线的提示），
# 以及各审计输出共用的代码中文说法。术语以 docs/GLOSSARY.md 为准。

## 代码的中文说法

word-status = { $status ->
        [not_enrolled] 未参保
        [due] 待缴
        [waiting] 等待期
        [covered] 享受待遇
        [arrears] 欠费
        [restored] 补缴恢复
        [lapsed] 欠费失效
       *[other] { $status }
    }（{ $status }）
word-event-type = { $type ->
        [PolicyPublished] 发布政策
        [MonthClosed] 月结
        [MemberEnrolled] 参保
        [ContributionPaid] 缴费
        [ContributionMissed] 中断缴费
        [DeductionStopped] 停止扣费
        [DeductionResumed] 恢复扣费
        [MemberWithdrawn] 停保
        [MemberReenrolled] 重新参保
        [BaseChanged] 调整缴费基数
        [ContributionRefunded] 退费
        [SubsidyGranted] 给予社会保险补贴
        [SubsidyRevoked] 撤销社会保险补贴
        [SubsidyPaid] 发放社会保险补贴
       *[other] { $type }
    }
word-status-short = { $status ->
        [not_enrolled] 未参保
        [due] 待缴
        [waiting] 等待期
        [covered] 享受待遇
        [arrears] 欠费
        [restored] 补缴恢复
        [lapsed] 欠费失效
       *[other] { $status }
    }
word-reason = { $reason ->
        [voluntary] 本人申请停保
        [employer_scheme] 转入用人单位参保
        [relocated] 迁出统筹地区
        [deceased] 参保人员死亡
        [arrears_exceeded_grace] 连续欠费超过宽限期，视为自动退保
       *[other] { $reason }
    }
word-category = { $category ->
        [graduate] 高校毕业生
        [hardship] 就业困难人员
       *[other] 其他人员
    }
word-restores = { $restores ->
        [retroactive] 补缴的月份待遇恢复（retroactive）
        [prospective] 补缴的月份仍不享受待遇，只保持连续缴费关系（prospective）
       *[other] { $restores }
    }
word-payment-kind = { $kind ->
        [on_time] 按时缴费
        [backpay] 补缴
        [prepaid] 预缴
       *[other] { $kind }
    }
# 从 first 到 last 的连续月份（只有一个月时直接写该月，不用本消息），以及列举多段月份时的分隔符
# （“2025-04 至 2025-07、2025-09”）。
word-month-range = { $first } 至 { $last }
word-month-runs-separator = 、
# 同一笔缴费中几种缴费类型之间的分隔符（按时缴费、预缴）
word-payment-kinds-separator = { "、" }

## 事件

event-policy = R3 { $region } 自 { $from } 起的政策：上年度职工月平均工资 { $wage }，缴费比例 { $rate }，缴费基数比例 { $min }–{ $max }，宽限期 { $grace } 个月，待遇等待期 { $first }/{ $reenroll } 个月（首次参保/重新参保），{ $restores }{ $optional }
event-policy-reset = ，中断间隔超过 { $reset } 个月须重新经过首次参保的待遇等待期（P-reset，R7）
event-policy-account = ，个人账户划入比例 { $rate }（R17）
event-month-closed = R9 { $region } 对 { $month } 办理月结（{ $missed } 人中断缴费，{ $withdrawn } 人停保）；当前征缴月为 { $next }
event-enrolled = R5 在 { $region } 自 { $month } 起参保，缴费基数比例 { $ratio }
event-paid = R6 为 { $months } 缴费（{ $count } 个月，{ $amount }，{ $kinds }），缴费日期 { $paid_on }
event-paid-no-months = 无月份
event-missed = R9 { $month } 中断缴费（应缴费额 { $due }）：现为欠费（R10）
event-missed-lapsed = R9 { $month } 中断缴费（应缴费额 { $due }）：随即因本次月结紧接着记录的停保（视为自动退保）而欠费失效（R11）
event-deduction-stopped = R8 停止扣费：恢复扣费之前，缴费一律不予受理
event-deduction-resumed = R8 恢复扣费
event-withdrawn = { $rule } 自 { $from } 起停保（{ $reason }）；{ $lapsed }
event-withdrawn-nothing-lapsed = 无欠费失效的月份
event-withdrawn-lapsed = { $months } 欠费失效（应缴费额合计 { $amount }，{ $borne ->
        [member] 不能再补缴；这些月份的医疗费用由参保人员本人承担
       *[unpaid] 未缴费
    }）
event-reenrolled = R13 自 { $month } 起重新参保，缴费基数比例 { $ratio }（第 { $enrollment } 次参保）
event-base-changed = R15 自 { $from } 起缴费基数比例为 { $ratio }
event-refunded = R12 退费 { $amount }，退还 { $months }（停保时已缴费的预缴月份，共 { $count } 个月）：这些月份现不属于参保期
event-subsidy-granted = R16 给予社会保险补贴（{ $category }）：自 { $from } 起 { $months } 个月，补贴比例 { $share }（按每个已缴费月份的缴费额计）
event-subsidy-revoked = R16 撤销社会保险补贴：自 { $from } 起（含该月）的月份不再给予补贴
event-subsidy-paid = R16 发放 { $months } 的社会保险补贴（{ $amount }），发放日期 { $paid_on }
