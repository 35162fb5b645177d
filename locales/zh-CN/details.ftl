# 解析拒绝中 serde 的原话（`detail`），由 src/i18n/detail.rs 拆成各部分后在此重述。
# 英文消息须与 serde 原文逐字相同（该模块会核对，不同则照原文显示英文）。
# 字段名、取值和数字照原样保留。

detail-at = { $detail }（第 { $line } 行第 { $column } 列）
detail-at-line-start = { $detail }（第 { $line } 行开头）
detail-at-first-line = { $detail }（第 { $column } 列）
detail-invalid-type = 类型不符：收到{ $unexpected }，应为{ $expected }
detail-invalid-value = 取值不符：收到{ $unexpected }，应为{ $expected }
detail-invalid-length = 长度不符：长度为 { $length }，应为{ $expected }
detail-unknown-variant = 未知取值 `{ $name }`，应为{ $names }
detail-unknown-variant-none = 未知取值 `{ $name }`，此处没有可用的取值
detail-unknown-field = 未知字段 `{ $name }`，应为{ $names }
detail-unknown-field-none = 未知字段 `{ $name }`，此处不接受任何字段
detail-missing-field = 缺少字段 `{ $name }`
detail-duplicate-field = 字段 `{ $name }` 重复
detail-names-one = { " " }{ $name }
detail-names-two = { " " }{ $first }{ $closed ->
        [yes] {""}
       *[no] { " " }
    }或 { $second }
detail-names-many = 以下之一：{ $names }
# serde 列出的取值之后，括注其含义（命令名、停保原因、补贴人员类别、补缴恢复方式、劳动关系）；其他名称不加括注
detail-name-meaning = { $name ->
        [publish_policy] （发布政策）
        [close_month] （月结）
        [enroll] （参保）
        [pay] （缴费）
        [stop_deduction] （停止扣费）
        [resume_deduction] （恢复扣费）
        [change_base] （调整缴费基数）
        [withdraw] （停保）
        [reenroll] （重新参保）
        [grant_subsidy] （给予社会保险补贴）
        [revoke_subsidy] （撤销社会保险补贴）
        [pay_subsidy] （发放社会保险补贴）
        [voluntary] （本人申请停保）
        [employer_scheme] （转入用人单位参保）
        [relocated] （迁出统筹地区）
        [deceased] （参保人员死亡）
        [hardship] （就业困难人员）
        [graduate] （高校毕业生）
        [other] （其他人员）
        [retroactive] （补缴的月份待遇恢复）
        [prospective] （补缴的月份不享受待遇，只保持连续缴费关系）
        [employer] （有用人单位劳动关系）
        [none] （无劳动关系）
       *[unknown] {""}
    }
detail-expected-got = 应为{ $expected }，收到 { $got }
detail-key-twice = 键 { $key } 在同一个对象中出现了两次

## uuid 库的原话

detail-uuid = UUID 格式有误：{ $reason }
detail-uuid-character = 位置 { $index }（从 0 数起）的字符 `{ $character }` 无效
detail-uuid-group-count = 应分为 5 组，实际为 { $count } 组
detail-uuid-group-length = 第 { $group } 组（从 0 数起）应有 { $expected } 个字符，实际为 { $found } 个
detail-uuid-length = 长度 { $length } 无效

## serde_json 的语法错误

detail-json-eof-list = 数组不完整，在此处结束
detail-json-eof-object = 对象不完整，在此处结束
detail-json-eof-string = 字符串不完整，在此处结束
detail-json-eof-value = 缺少值，内容在此处结束
detail-json-expected-colon = 此处应为 `:`
detail-json-expected-list-comma = 此处应为 `,` 或 `]`
detail-json-expected-object-comma = 此处应为 `,` 或 `{ "}" }`
detail-json-expected-ident = 无法识别的内容（此处只能是 true、false 或 null）
detail-json-expected-value = 此处应为 JSON 值
detail-json-expected-quote = 此处应为 `"`
detail-json-invalid-escape = 无效的转义序列
detail-json-invalid-number = 无效的数字
detail-json-number-out-of-range = 数字超出范围
detail-json-invalid-code-point = 无效的 Unicode 码位
detail-json-control-character = 字符串中含有未转义的控制字符（码位 0 至 31）
detail-json-key-not-a-string = 对象的键必须是字符串
detail-json-lone-surrogate = 十六进制转义中有孤立的前导代理项
detail-json-trailing-comma = 多余的逗号
detail-json-trailing-characters = JSON 之后还有多余的字符
detail-json-hex-escape-end = 十六进制转义不完整
detail-json-recursion-limit = 嵌套层数超出上限

## 字段应为

detail-expected-string = 字符串
detail-expected-sequence = 数组
detail-expected-boolean = 布尔值（true 或 false）
detail-expected-uuid = 格式正确的 UUID 字符串
detail-expected-hyphenated-uuid = 连字符形式的 UUID（8-4-4-4-12 位十六进制数字）
detail-expected-string-or-map = 字符串或对象
detail-expected-single-key-map = 只有一个键的对象
detail-expected-amount = 金额：不带正负号的十进制字符串，小数点前最多 12 位、小数点后最多 2 位，如 "600.00"
detail-expected-share = 补贴比例：不带正负号的十进制字符串，小数点前最多 3 位、小数点后最多 4 位，如 "0.6667"
detail-expected-ratio = 比例：不带正负号的十进制字符串，小数点前最多 3 位、小数点后最多 6 位，如 "0.60"
detail-expected-month = 月份，格式 "YYYY-MM"，介于 1990-01 与 2999-12 之间
detail-expected-date = 真实存在的日期，格式 "YYYY-MM-DD"，介于 1990-01-01 与 2999-12-31 之间
detail-expected-region = 由 1 至 64 个英文字母、数字、'_'、'.' 或 '-' 组成的统筹地区名称（中文地名请写作拼音或行政区划代码，如 `beijing` 或 `110100`）
detail-expected-struct = 对象（`{ $name }`）
detail-expected-u8 = 不超过 255 的非负整数
detail-expected-u16 = 不超过 65535 的非负整数
detail-expected-u32 = 不超过 4294967295 的非负整数
detail-expected-u64 = 不超过 18446744073709551615 的非负整数
detail-expected-usize = 不超过 18446744073709551615 的非负整数
detail-expected-other = “{ $text }”

## 收到的是

detail-got-null = 空值 null
detail-got-map = 对象
detail-got-sequence = 数组
detail-got-unit = 空值
detail-got-boolean = 布尔值 { $value }
detail-got-integer = 整数 { $value }
detail-got-float = 浮点数 { $value }
detail-got-string = 字符串 { $value }
detail-got-character = 字符 { $value }
detail-got-other = “{ $text }”

## 命令行中无法解析的值（`i18n::Sentence`；clap 把它写在参数名之后）
value-not-an-instant = { $text } 不是时间点：请按 RFC 3339 写出日期、时间与时区偏移，例如 2026-01-31T23:59:59Z 或 2026-01-31T23:59:59+08:00
value-not-a-month = { $text } 不是月份：请写 YYYY-MM，介于 1990-01 与 2999-12 之间，例如 2025-07
value-data-dir-dash = "-" 不是目录：数据目录须写出其路径（"-" 只对文件表示标准输入或标准输出）
value-not-a-region = { $text } 不是统筹地区名称（1 到 64 个英文字母、数字、'_'、'.' 或 '-'；中文地名请写作拼音或行政区划代码，如 `beijing` 或 `110100`）
value-origin-no-scheme = { $text } 不是源（origin）：请先写协议 http:// 或 https://，再写主机（及 :端口）
value-origin-shape = { $text } 不是源（origin）：只能有协议、主机和可选的端口，不带路径，末尾不带斜杠（例如 https://app.example.org:8443）；每个源各用一个 --cors-origin
value-not-an-origin = { $text } 不是源（origin）
value-not-a-uuid = { $why }（参保人员编号是 UUID：8-4-4-4-12 位十六进制数字，例如 0b53af7d-bb50-5037-9d21-49eba4cb5782）
