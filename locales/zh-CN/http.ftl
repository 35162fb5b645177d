# HTTP API 自身的错误消息（src/http/）：凡以错误格式应答、又不是命令拒绝的（命令拒绝见
# refusals.ftl）。错误码不随语言改变。术语以 docs/GLOSSARY.md 为准。

## 服务器故障

http-internal = 服务器内部错误；详情见服务器日志
http-internal-request = 服务器内部错误（请求 { $request }）；详情见服务器日志
http-writer-stopped = 账本的写入进程已停止，暂不接受命令：服务器正在关闭，或一次追加失败后正在停止；原因见服务器日志。服务器重新运行后，请带同一 command_id 重新发送命令
http-writer-failed-because = 账本暂不接受命令：一次追加失败，服务器正在停止：{ $cause }。服务器重新运行后，请带同一 command_id 重新发送命令
http-writer-failed = 一次追加写入失败；服务器重启前，账本不再接受命令
http-read-met-damage = 读取时发现存储已损坏：本服务器只答复未受损坏影响的内容；请对该存储运行 `flexledger verify`，待其确认存储完好后重启本服务器
http-behind-witness = 数据库落后于本服务数据目录中写入进程的头部见证（D86）：写入进程已确认的事件不在其中（从较旧的副本恢复，或在落后时提升的备库），因此本服务不再据此作答。请使用写入进程的 --data-dir 运行 `flexledger verify` 查明这些事件，并在包含它们的数据库上重启本服务
http-store-found-damaged = 发现存储已损坏：账本不再接受命令，服务器正在停止；只有 `flexledger verify` 校验该存储完好之后，服务器才能在其上重新启动；届时请带同一 command_id 重新发送命令，已记录的命令会作为重复命令应答
http-bring-up-to-date-failed = 账本未能为此参保人员记录月结的后果；见服务器日志
http-read-only = 此服务器只读（serve --read-only）；请将命令发送给账本的写入服务器
http-read-only-writer = 此服务器只读（serve --read-only）；请将命令发送给账本的写入服务器 { $writer }
http-read-only-close-pending = { $engine ->
        [directory] 此参保人员所在统筹地区的月结尚未记录此参保人员的结果，只有写入端会记录（不带 --read-only 的 `flexledger serve`，或在该数据目录上运行的任意 `flexledger` 命令）。数据目录同一时间只能由一个进程打开，本服务器占用它时写入端无法打开，再次查询也无济于事：请停止本服务器，再在该目录上运行写入端或任意 `flexledger` 命令以完成月结
       *[database] 此参保人员所在统筹地区的月结仍在记录中；请稍后再查询，或向写入服务器查询。只有写入端会记录它（不带 --read-only 的 `flexledger serve`，或在该存储上运行的任意 `flexledger` 命令）：若没有写入端在运行，月结会一直等到有写入端启动
    }
http-read-only-rows-another-format = 本服务器只读，而其作答所依据的状态行由另一版本的程序写入，状态格式为 { $format }（本服务器读取 { $current }）：据此作答可能有误，只读服务器也不会重建它们。{ $which ->
        [newer] 写入端运行的是更新的版本：请将本服务器升级到该版本
       *[older] 请向写入服务器或与写入端同一版本的服务器查询；本版本的写入端打开存储时会从日志重建状态行，届时本服务器即恢复作答
    }（D89）

## 路由、请求方法、令牌与限额

http-no-route = 没有此路由；GET /v1/openapi.json 列出全部路由（README 的 API 一节有说明）
http-method-not-allowed = 此路由不接受该请求方法，只接受 { $allowed }（见 README 的 API 一节或 GET /v1/openapi.json）
http-backup-log-rewritten = 该账本不再签署任何内容，因此不为它制作备份：`flexledger-audit verify --kept` 发现，在账本外保存的检查点签名之后，其日志被改写（或回退）（标记文件 { $mark }）。请从改写之前的备份恢复
http-overloaded = 同时处理的请求已超过 { $max } 个；请稍后重试
http-connections-full = { $max } 个连接已全部占用；请稍后重试
http-store-unavailable = 暂时无法连接账本的数据库；请稍后重试（详情见服务器日志）
http-token-missing = 请发送 Authorization: Bearer <token>（浏览器不能设置请求头：以 GET 打开事件推送、审计页面或时间线图片时，可改用 ?access_token=<token>）
http-token-unknown = 未知的令牌：本服务器没有这个令牌；请核对是否完整复制，或向运行该服务器的人员索取
http-authorization-twice = 请求头 Authorization 出现了不止一次：请只发送一个令牌，且只发送一次（Authorization: Bearer <token>）
http-host-header = HTTP/1.1 请求必须恰好带一个 Host 请求头（RFC 9112），写明所请求的服务器；此请求带了 { $count } 个
http-role-forbidden = 角色 { $role } 不能使用此路由（允许的角色：{ $allowed }）
http-role-command-forbidden = 角色 { $role } 不能发送 { $command }（可发送：{ $allowed }）；本次请求中的命令均未处理

## 命令请求

http-body-unreadable = 无法读取请求体（{ $reason }）；请求体最多 { $max } 字节
http-body-declared-too-large = 请求体过大（Content-Length 声明为 { $bytes } 字节，上限为 { $max } 字节）：请分批提交
http-uri-too-long = 请求目标（路径和查询）长 { $bytes } 字节，最多读取 { $max } 字节，本 API 没有任何路由需要这么长的目标：请检查 URL
http-head-too-large = 请求头部（请求行和各请求头）长 { $bytes } 字节，最多读取 { $max } 字节：请减少或缩短请求头
http-body-too-large = 请求体超过 { $max } 字节，即一个请求最多能带的字节数：请每次少发一些命令
http-body-timeout = 请求体中断：{ $seconds } 秒内没有收到数据；未处理任何命令，请重新发送请求
http-body-too-slow = 请求体在 { $seconds } 秒后仍未传完，已超过请求体的最长传输时间；未处理任何命令，请更快地重新发送请求
http-body-not-json = 请求体不是有效的 JSON（{ $detail }）；请发送一个命令对象，或由命令对象组成的数组
http-body-number-out-of-range = 请求体中有一个数字超出了本账本能读取的范围（{ $detail }）：金额应写成十进制字符串（"600.00"），计数应为较小的整数
http-body-not-utf8 = 请求体不是 UTF-8 文本：请以 UTF-8 编码发送，Content-Type 为 application/json（保存为 GBK 或 UTF-16 的内容可用 `iconv -f GBK -t UTF-8` 或 `iconv -f UTF-16 -t UTF-8` 转换）
http-body-encoded = 请求体以 Content-Encoding: { $encoding } 发送：请以未压缩的 UTF-8 JSON 原文发送（服务不解码任何内容编码）
http-body-content-type = 请求体以 Content-Type: { $type } 发送：请以 UTF-8 JSON 发送命令，并带上 Content-Type: application/json（未作任何处理）
http-idempotency-key-not-uuid = Idempotency-Key 必须是连字符形式的 UUID（8-4-4-4-12 位十六进制数字），例如 3f2b8c1e-5d4a-4e6f-9a7b-0c1d2e3f4a5b；收到的是 { $text }
http-idempotency-key-twice = 请求头 Idempotency-Key 出现了不止一次：请只发送一个
http-idempotency-key-with-array = Idempotency-Key 只适用于单个命令；请为数组中的每一项各给一个 command_id
http-idempotency-key-differs = Idempotency-Key { $key } 与 command_id { $id } 不同；请只发送其中之一，或两处使用同一个 id
http-too-many-commands = 每个请求最多 { $max } 个命令；请拆分数组

## 路径与查询参数

http-bad-query = 查询字符串无法解析：{ $reason }
http-bad-path = 路径无法解析：{ $reason }
http-path-not-utf8 = 路径中的 { $key } 在解开 % 转义后不是 UTF-8 文本
http-not-a-member-id = { $text } 不是参保人员编号（须为 UUID）
http-member-has-no-events = 参保人员 { $member } 没有任何事件：请核对编号
http-member-not-yet = 参保人员 { $member } 截至位置 { $position } 还没有事件：编号无误，其第一个事件在位置 { $first }（记录于 { $recorded }）；请用 as_of={ $first } 或更大的位置查询
http-not-a-month = { $text } 不是月份：请写成 YYYY-MM，1990-01 至 2999-12 之间
http-not-a-region-name = { $text } 不是统筹地区名称（1 至 64 个英文字母、数字、'_'、'.'、'-'；中文地名请写作拼音或行政区划代码，如 `beijing` 或 `110100`）
http-region-unknown = 统筹地区 { $region } 在此账本中没有政策：请核对名称
http-region-has-no-policy = 统筹地区 { $region } 在此账本中没有政策：请核对名称
http-month-not-closed = 统筹地区 { $region } 的 { $month } 尚未月结（当前征缴月为 { $open }）：其数字仍会变动；{ $none_closed ->
        [yes] 该统筹地区尚无已月结的月份：请先对 { $open } 进行月结（close_month），再查询该月
       *[no] 请查询 { $open } 之前的月份
    }
http-month-close-in-progress = 统筹地区 { $region } { $closing } 的月结仍在记录中（{ $total } 名参保人员中已完成 { $done } 名）；完成前，{ $moving_from } 及以后各月的数字仍会变动：{ $earlier ->
        [yes] 请稍后再查，或查询 { $moving_from } 之前的月份
       *[no] 请稍后再查（在此之前该统筹地区的每个月份都会变动）
    }
http-month-before-region = 统筹地区 { $region } 的 { $month } 从未月结：该统筹地区的月份自其第一份政策生效的 { $first } 起（R1）；{ $none_closed ->
        [yes] 该统筹地区尚无已月结的月份：请先对 { $first } 进行月结（close_month），再查询该月
       *[no] 请查询 { $first } 及以后的月份
    }

## 事件推送与备份

http-feed-member-not-uuid = { $text } 不是参保人员编号（须为 UUID）
http-feed-unknown-type = types：{ $text } 不是事件推送中的条目类型；可用的类型有 { $types }
http-feed-not-a-boolean = { $name }：{ $text } 既不是 true 也不是 false
http-feed-unknown-parameter = 事件推送没有参数 { $name }：可用的参数有 { $known }
http-feed-parameter-twice = 参数 { $name } 出现了两次：请只提供一次（多个类型写成一个以逗号分隔的列表：types=A,B）
http-unknown-parameter = 此路由不接受参数 { $name }：可用的参数有 { $known }
http-no-parameters = 此路由不接受查询参数：请去掉 { $name }
http-parameter-twice = 参数 { $name } 出现了两次：请只提供一次
http-not-a-position = { $name } 应为日志位置，即不小于 0 的整数：收到 { $text }
http-position-too-large = { $name } 超出了任何日志位置（最大为 { $max }）：收到 { $text }
http-feed-full = 事件推送已有 { $max } 个订阅者；请稍后重试
http-feed-region-not-yet = 统筹地区 { $region } 尚未发布政策：本订阅等待其第一条条目（如本应已有，请核对名称）
http-feed-member-not-yet = 参保人员 { $member } 尚无事件：本订阅等待其第一条条目（如本应已有，请核对编号）
http-feed-beyond-head = 日志止于事件位置 { $head }：本订阅从事件位置 { $position } 开始，等待该位置写入（如本应已有条目，请核对起始位置：它可能属于另一个账本）
http-feed-no-closing-notices-here = 本服务器只读账本，不发送 Closing 通知（月结的各批结果由写入端记录，并由其事件推送发送）；在此可用 GET /v1/regions/NAME 查看统筹地区进行中的月结（"closing"）
http-last-event-id = Last-Event-ID（请求头，或 lastEventId 参数）必须是事件推送消息的 id：POSITION 或 POSITION.N，其后是推送发送时附带的 -TAG（8 位十六进制数字）
http-feed-another-history = 此游标来自另一段历史：其 id 指向事件位置 { $position } 上标记为 { $sent } 的事件，而本账本该位置上的事件标记为 { $here }（账本从较旧的副本恢复、备库在落后时被提升，或来自另一个账本）。两段历史最后一个共同位置之后本账本所记录的事件从未发送给您：请用 ?from= 从您已核对过事件（其 hash 与 prev_hash）的位置重新读取，或从 1 开始
http-feed-read-failed-after-message = 无法读取消息 { $id } 之后的日志；详情见服务器日志
http-feed-read-failed-after-position = 无法读取事件位置 { $position } 之后的日志；详情见服务器日志
http-feed-region-unreadable = 无法读取某参保人员的统筹地区，事件推送无法按统筹地区筛选；详情见服务器日志
http-feed-region-another-format = 无法读取参保人员 { $member } 的统筹地区，事件推送无法按统筹地区筛选：状态行由另一版本的程序写入（状态格式 { $format }，D89）；请向与写入端同一版本的服务器订阅
http-feed-cursor-unchecked = 无法读取事件位置 { $position } 的日志以核对游标；详情见服务器日志
http-last-event-id-twice = Last-Event-ID 发送了两次：请只发送一次最后处理的消息的 id
http-backup-busy = 已有 { $max } 个备份正在发送；请在其中一个完成后再请求（大型账本的备份需要数分钟）
http-backup-empty-log = 没有可备份的内容：日志为空
http-backup-no-signing-key = 本服务器没有该账本的签名密钥，无法为备份签名：请从写入端获取备份（其数据目录中有该密钥），或用写入端的密钥启动本服务器（其 --data-dir，或 $FLEXLEDGER_SIGNING_KEY）
http-backup-writer-no-signing-key = 本服务器是该账本的写入端，但找不到账本的签名密钥，因此无法为备份签名：请按服务器日志所说把密钥文件放回原处，然后重试（在此期间命令照常记录）
http-backup-other-signing-key = 本服务器的签名密钥不是为该账本检查点签名的那把（密钥标识 { $signer }）：请从写入端获取备份，或用该账本的密钥启动本服务器
http-as-of-beyond-head = 本服务器的日志目前止于位置 { $head }：as_of={ $position } 尚未写入，届时记载什么尚不可知，按它作答会随新事件而改变。请用 as_of={ $head } 或更小的位置查询，或不带 as_of 查看参保人员当前的情况
