# `flexledger-audit replay`：参保人员的事件依次列出，并注明每个事件改变了什么
# （src/audit/replay.rs）。事件摘要见 events.ftl。术语以 docs/GLOSSARY.md 为准。

replay-header = 参保人员 { $member }（统筹地区 { $region }），共 { $events } 个事件；每个事件之后列出：欠费金额、连续缴费月数、待遇档次、是否已取得待遇资格（R7）、个人账户余额（R17）和待发放的社会保险补贴（R16）
replay-column-position = 位置
replay-column-type = 事件类型
replay-column-arrears = 欠费
replay-column-continuous = 连续
replay-column-tier = 待遇档次
replay-column-qualified = 资格
replay-column-account = 个人账户
replay-column-owed = 待发放补贴
replay-column-what = 发生了什么（→ 该事件改变的月份，+ = 享受待遇）
replay-implied = 隐含于事件位置 { $position } 的月结，尚未记录：{ $summary }
replay-yes = 是
replay-no = 否
replay-new = 新列入
replay-separator = ，
replay-notes = （{ $notes }）
replay-note-refunded = 退费 { $refunded }，R12
replay-note-refunded-more = 再退费 { $amount }，累计退费 { $refunded }，R12
replay-note-account = { $to_account } 划入个人账户，R17
replay-note-account-none = 不再划入个人账户，R17
replay-note-subsidy = 形成社会保险补贴 { $subsidy }，R16
replay-note-subsidy-none = 不再形成社会保险补贴，R16
replay-note-subsidy-paid = 社会保险补贴已发放，R16
replay-note-subsidy-unpaid = 社会保险补贴改为未发放，R16
