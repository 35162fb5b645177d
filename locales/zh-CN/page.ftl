# 审计页面的文字（src/audit/page.rs）：标题、导语、参保人员概况、月份表和事件表，
# 以及 id 有误或参保人员不存在时的页面。图中文字见 timeline.ftl，事件摘要见 events.ftl。
# 术语以 docs/GLOSSARY.md 为准。

page-title = 参保人员 { $member } — flexledger 审计
page-heading = flexledger 审计：单个参保人员
page-lead = 参保人员 { $member }，统筹地区 { $region } · 按截至位置 { $position } 的日志推算 · 该参保人员共 { $count } 个事件。以下每个状态均依 RULES.zh.md 的规则由这些事件推出；将鼠标移到图中的月份上可查看详情。

## 参保人员概况

page-summary = 参保人员
page-field = { $field ->
        [state] 参保状态
        [qualified] 已取得待遇资格（R7）
        [continuous] 连续缴费月数 / 累计缴费月数（R14）
        [paid] 已缴费（不含退费）
        [refunded] 停保时退费（R12）
        [account_balance] 个人账户余额（R17）
        [to_account] 已缴费月份已划入或应划入个人账户的金额（R17）
        [subsidy_granted_months] 给予社会保险补贴的月数（R16）
       *[subsidy] 社会保险补贴：已形成 / 已发放 / 待发放（R16）
    }
page-state = { $state ->
        [active] 正常参保
        [in_arrears] 欠费中
        [withdrawn] 已停保
       *[other] { $state }
    }
page-yes-no = { $value ->
        [yes] 是
       *[no] 否
    }

## 月份和事件

page-months = 月份（{ $count }）
page-months-columns = { $column ->
        [month] 月份
        [status] 状态
        [due] 应缴费额
        [paid] 已缴费
        [benefits] 待遇
        [rule] 规则
        [refunded] 退费（R12）
        [to_account] 划入个人账户（R17）
       *[subsidy] 社会保险补贴（R16）
    }
page-subsidy-state = { $paid_out ->
        [yes] 已发放
       *[no] 待发放
    }
page-event-implied = 隐含于事件位置 { $position } 的月结，尚未记录：{ $summary }
page-events = 事件（{ $count }）
page-events-skipped = 最早的 { $skipped } 个事件未列出（最多 { $max } 个）；可用 <code>flexledger-audit replay</code> 查看全部。
page-events-columns = { $column ->
        [position] 位置
        [type] 类型
        [summary] 记录的内容
       *[recorded_at] 记录时间（北京时间）
    }

## 出错时的页面

page-not-found-title = 未找到 — flexledger 审计
page-not-found-heading = 404：无此参保人员
page-not-found-lead = 参保人员 { $member } 在本账本中没有任何事件，请核对编号。
page-bad-request-title = 请求有误 — flexledger 审计
page-bad-request-heading = 400：不是参保人员编号
page-bad-request-lead = { $text } 不是参保人员编号（须为 UUID）。
page-bad-query-title = 请求有误 — flexledger 审计
page-bad-query-heading = 400：请求参数有误
page-bad-query-lead = { $text }
page-not-yet-title = 未找到 — flexledger 审计
page-not-yet-heading = 404：该位置尚无记录
page-not-yet-lead = { $text }
