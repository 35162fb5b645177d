# 两个命令行（flexledger、flexledger-audit）的中文帮助（--help，D52）。英文原文在代码里
# （clap derive 的文档注释和 about），这里只有中文：每个命令一条消息
# help-<程序>[-<子命令>]，其属性为命令的说明（about、long-about、after-help）和各参数的
# 帮助（以参数 id 为名）。术语以 docs/GLOSSARY.md 为准。

help-clap =
    .help-command = 显示本帮助，或所给子命令的帮助
    .help-command-arg = 要显示帮助的子命令
    .help = 显示帮助
    .help-short = 显示帮助（--help 显示详细说明）
    .help-long = 显示帮助（-h 显示摘要）
    .version = 显示版本

## 几个命令共用的文字
-data-dir-existing = 账本 sled 存储所在的目录；其中必须已有账本（由 `submit` 或 `serve` 创建）
-data-dir-created = 账本 sled 存储所在的目录（不存在则创建）
-member-uuid = 参保人员的 UUID
-as-of = 截止到此全局日志位置（含）
-as-of-time = 截止到此时刻或之前记录的最后一个事件（RFC 3339，例如 2026-01-31T23:59:59Z）

## flexledger

help-flexledger =
    .about = 灵活就业人员职工基本医疗保险的事件溯源缴费账本
    .long-about =
        灵活就业人员职工基本医疗保险的事件溯源缴费账本。

        每一项事实（参保、缴费、中断缴费、停保……）都是 --data-dir 下嵌入式 sled 存储中一个不可更改的事件。命令按缴费规则（docs/spec/RULES.zh.md 第 2 版的 R1..R17）检查：接受的命令追加事件，被拒绝的命令不追加任何内容。

        退出码：0 成功，1 有命令被拒绝、参保人员不存在或存储的数据已损坏，2 无法运行。

        每个文件参数和选项都接受 '-'：读文件时为标准输入，写文件时为标准输出。
    .data_dir = 账本 sled 存储所在的目录：`submit` 和 `serve` 在其不存在时创建它，`restore` 新建一个，其他命令需要已有账本的目录
    .store = 把账本保存在 PostgreSQL 中，而不是 --data-dir 中的 sled 存储：一个 URL，postgres://USER@HOST[:PORT]/DATABASE（经 Unix 套接字：postgresql:///DATABASE?host=/var/run/postgresql），密码取自 PGPASSWORD 或 ~/.pgpass（PGPASSFILE），不写在 URL 中。跨机器连接时加上 ?sslmode=require（私有 CA 再加 &sslrootcert=CA.pem）：这样总会验证服务器的证书和名称。先用 `flexledger --store URL migrate` 建表一次。--data-dir 仍保存审计签名密钥和演示令牌
    .lang = 供人阅读的内容所用的语言：en 或 zh-CN。未给出时，依次由 FLEXLEDGER_LANG、LC_ALL、LANG 决定（zh_CN.UTF-8 即 zh-CN；其他任何值，包括 C 和 POSIX，即 en）。JSON、代码值和字段名在各语言中都相同，只有给出 --lang 时拒绝的说明（message）除外（submit 拒绝的行，无法作答的查询）

help-flexledger-submit =
    .about = 提交命令（每行一个 JSON 对象），每行输出一个结果
    .long-about =
        提交命令（每行一个 JSON 对象），按输入顺序每行输出一个 JSON 结果。

        命令由 "command" 指定：publish_policy（发布政策）、close_month（月结）、enroll（参保）、pay（缴费）、stop_deduction（停止扣费）、resume_deduction（恢复扣费）、change_base（调整缴费基数）、withdraw（停保）、reenroll（重新参保）、grant_subsidy（给予社会保险补贴）、revoke_subsidy（撤销社会保险补贴）、pay_subsidy（发放社会保险补贴）；各命令的字段见 schemas/commands/NAME.schema.json 和 docs/spec/CONTRACT.md，examples/demo.jsonl 中有大多数命令的示例。

        每一行单独处理：格式错误或被拒绝的行得到一个指出问题的 {"{"}"ok":false,...{"}"} 结果，其他各行照常处理（最后一条命令之后的空行会被跳过）。给出 --lang 时，拒绝的说明（message）使用该语言，其代码（code）不变。结果只在其事件持久保存后才输出（接受的命令分批写入，每批最多 1000 条，每批是一次原子的、经 fsync 的追加）。

        带有 "command_id" 且此前已被接受的命令返回其第一次的结果，并带 "duplicate":true，不追加任何内容；因此重新运行一个各行都带 id 的文件，会从上次中断处继续，不会重复。同一命令指字段与取值都相同，顺序不限（小数按数值比较，null 视同未给出）；已用过的 id 下若是另一条命令，则以 command_id_reused 拒绝（D10）。

        退出码：0 全部接受，1 有命令被拒绝，2 无法读取文件，130 被 Ctrl-C、SIGTERM 或 SIGHUP 中止（已读取的每一行都有答复，并说明进行到哪里）。
    .file = 命令文件，每行一个 JSON 对象；'-' 读取标准输入
    .data_dir = { -data-dir-created }

help-flexledger-member =
    .about = 输出参保人员的参保记录：每个月的状态、应缴费额、已缴费额、待遇和规则
    .long-about =
        输出参保人员的参保记录（JSON）：状态、欠费、各项月数、待遇档次，以及自首次参保月起的每个月及其状态、应缴费额、已缴费额、待遇和决定它的规则（R1..R17）；还有资金：退费（R12）、划入个人账户（R17）、已形成和已发放的社会保险补贴（R16）。

        --as-of POSITION 只按该全局位置为止的事件推算，显示账本当时所见的该参保人员。

        退出码：0 找到，1 参保人员不存在或所给位置超出日志头部（输出一个错误 JSON），2 无法运行。
    .id = { -member-uuid }
    .as_of = 只按全局日志位置不超过此值的事件推算
    .data_dir = { -data-dir-existing }

help-flexledger-verify =
    .about = 检查整个存储：哈希、哈希链、索引和状态行
    .long-about =
        遍历并检查整个存储：每个事件的 SHA-256 与其字节是否相符，日志和每条事件流的哈希链（因此能发现被修改、删除或调换顺序的事件），每个事件流索引、每条命令记录，以及每个已保存的状态行与由日志重新计算所得的结果是否一致。

        输出一个 JSON 对象：完好时为 {"{"}"ok":true,"events":N,...,"head_hash":...{"}"}，否则为 {"{"}"ok":false,"finding":F,"position":P,"message":...{"}"}，指出第一个断开的环节（F 为 damaged；behind_head_witness：PostgreSQL 数据库比其写入进程的头部见证更旧；another_history_than_witness：数据库在其写入进程的头部见证所记录的位置上是另一个事件）。

        使用 --accept-head（仅限 sled 数据目录）：用于头部见证（文件 `head-witness`，在存储引擎的文件之外记录最后一个持久位置）缺失或无法读取、以致每个命令都拒绝打开的存储。若整个日志检查无误，就在日志头部写入新的见证，存储即可再次打开。这等于按现状接受日志：其头部之后丢失了什么（如果有），无从知晓。如有可能，请放回该文件，或恢复备份。

        退出码：0 完好，1 已损坏（或存储校验通过，但仍带有审计工具留下的标记，该标记只能由审计工具自己的核验删除，D61：输出的 "ok" 为 false，并指明该标记），2 无法运行（或无法比对状态行：它们由另一版本的程序写入，输出对象中的 "state_rows_format" 指明其格式；本版本的写入端打开存储时会重建它们，D89）。
    .accept_head = 按现状接受日志头部（见 --help），并在日志检查无误时写入新的头部见证
    .data_dir = { -data-dir-existing }

help-flexledger-rebuild =
    .about = 由日志重建每个已保存的状态行，并报告哪些不同
    .long-about =
        按日志从头重新计算（显示进度条），并以其结果替换每个已保存的状态行（参保人员、统筹地区、参保索引和补贴索引、月度汇总、统筹地区汇总、月结的进度、检查点）。可以中断：检查点最先删除、最后写入，因此下一个打开存储的命令会完成中断的重建。输出一个 JSON 对象，列出此前不同的行（最多 100 行）。在 `verify` 报告状态行不一致后使用；事件永不改变。请先停止 `serve`：重建需要存储的锁，而运行中的服务进程持有它。

        退出码：0 已重建（无论有无差异），1 日志本身已损坏（未替换任何内容），2 无法运行。
    .data_dir = { -data-dir-existing }

help-flexledger-migrate =
    .about = 创建或升级 PostgreSQL 存储的表（--store URL）；sled 无需此操作
    .long-about =
        对 --store 所指的数据库执行 PostgreSQL 存储的表结构迁移（源码中的 migrations/postgres/，已编入程序），每个迁移在各自的事务中进行，并输出数据库所处的表结构版本。在新数据库上第一次 `submit` 或 `serve` 之前运行一次，升级 flexledger 之后也要运行：表结构版本为本程序所不知的存储会拒绝打开，并说明原因。再次运行不会改变任何内容。有写入进程占用存储时，迁移会被拒绝。

        sled 存储无需迁移（它在打开时升级自己的行）：未给出 --store 时会如此说明。

        退出码：0 已迁移（或无需迁移），2 无法运行（数据库不存在、无权限、有写入进程占用）。

help-flexledger-copy =
    .about = 把整个账本复制到另一个存储，保留每个位置、id 和哈希
    .long-about =
        把整个账本从一个存储复制到另一个：sled 到 PostgreSQL、PostgreSQL 到 sled，或一个 sled 数据目录到一个新目录。每个事件都保留其位置、事件 id、命令 id、记录时间和两个哈希（目标存储重新封存每个事件，并与源存储的哈希核对）；每条命令记录保留其内容摘要，每个事件推送条目和每个已签名的审计检查点都被复制；随后由复制来的日志重建目标存储的状态行。输出一个 JSON 对象：events（目标存储现有的事件数）、resumed_after（它此前已有的事件数）、本次复制的命令数和事件推送条目数、检查点数（全部检查点，每次运行都会重新写入）、头部哈希，以及重建的状态行。

        目标存储必须为空，或存有同一源存储的一次中断的复制：复制随即从中断处继续。复制完成之前，目标存储被标记为未完成，其他所有命令都拒绝打开它（再次运行同一复制即可完成）。不经 --data-dir 或 --store 读取任何内容：请写明两个存储。请先停止源存储的写入进程（`serve` 运行时 sled 目录被锁定）。签名密钥不属于存储：请自行复制数据目录中的 audit-signing-key，或让 FLEXLEDGER_SIGNING_KEY 指向它。

        退出码：0 已复制，1 已保存的数据损坏，2 无法运行（目标存储存有另一个账本，或某个存储无法打开）。
    .from = 要复制的存储：一个数据目录，或 PostgreSQL URL（postgres://…）
    .to = 要填入的存储：一个新的或空的数据目录，或已迁移的 PostgreSQL 数据库（postgres://…）
    .from_data_dir = 当 --from 是 PostgreSQL URL 时，源存储写入端的数据目录：在读取任何内容之前，用其写入端保存在那里的头部见证（head-witness.postgresql）核对源存储，因此从较旧副本放回的数据库会作为损坏被拒绝，而不会被复制；不含见证的目录会被拒绝。不给出时，复制会在标准错误上说明源存储未经见证核对。

help-flexledger-serve =
    .about = 提供 HTTP API：命令、参保记录、统筹地区和实时事件推送（SSE）
    .long-about =
        在 --listen 上提供 HTTP API（端口 0 表示任选一个空闲端口；输出的第一行是实际绑定的地址）。

        路由及可使用它们的角色（角色列在路由下一行；其他角色的令牌得到 403）：
          POST /v1/commands
                 operator, subsidy_office（仅限社会保险补贴命令）
          GET  /v1/members/{"{"}id{"}"}[?as_of=P]
                 operator, auditor, subscriber, subsidy_office
          GET  /v1/members/{"{"}id{"}"}/months/{"{"}YYYY-MM{"}"}
                 operator, auditor, subscriber, subsidy_office
          GET  /v1/members/{"{"}id{"}"}/timeline.svg[?as_of=P&lang=zh-CN]
                 operator, auditor, subscriber, subsidy_office
          GET  /v1/members/{"{"}id{"}"}/events
                 operator, auditor
          GET  /v1/regions/{"{"}name{"}"}
                 operator, auditor
          GET  /v1/regions/{"{"}name{"}"}/months/{"{"}YYYY-MM{"}"}
                 operator, auditor, subsidy_office
          GET  /v1/backup
                 operator, auditor
          GET  /metrics
                 operator, auditor
          GET  /audit/members/{"{"}id{"}"}[?as_of=P&lang=zh-CN]
                 operator, auditor
          GET  /v1/feed
                 auditor, subscriber, subsidy_office
          GET  /healthz
                 无需令牌
          GET  /v1/openapi.json
                 无需令牌

        operator 提交命令并读取参保人员和统筹地区；auditor 读取一切；subscriber 读取参保记录和事件推送；subsidy_office（公共就业服务机构）只能发送 grant_subsidy、revoke_subsidy 和 pay_subsidy，并读取参保记录、统筹地区月度报表和事件推送。请发送 Authorization: Bearer <token>；浏览器以 GET 打开事件推送、审计页面或时间线图片时可改用 ?access_token=<token>。事件推送为 Server-Sent Events（?from=P 或 Last-Event-ID，?types=、?region=、?member=、?progress=true，?closing=true 推送月结进度）。/v1/openapi.json 描述每个路由，它引用的 JSON Schema 就在它旁边提供（/v1/defs.schema.json、/v1/commands/pay.schema.json……）。每个错误都是 {"{"}"ok":false,"error":{"{"}"code":...,"message":...{"}"}{"}"}。

        令牌：--auth FILE 指定一个 TOML 文件，其中的 [[token]] 表含 role（operator、auditor、subscriber、subsidy_office）和 sha256（令牌的十六进制 SHA-256；文件中从不保存令牌本身）。--demo 向空账本写入演示统筹地区，并在未给出 --auth 时为每个角色创建一个令牌，保存在 DATA_DIR/demo-tokens（权限 0600，重启后的演示沿用它们），每次启动时输出。

        浏览器：--cors-origin ORIGIN（可重复）允许来自该源的页面调用 API（CORS；默认关闭）；其预检 OPTIONS 请求无需令牌即予应答。

        限制：最多同时打开 768 个连接（更多的在接受队列中排队）；客户端自连接起，或自其上一个响应结束起，有 10 秒发送完整的请求头，否则断开；一个连接 5 秒内没有传输任何字节、且其上没有进行中的请求时即被关闭（客户端在读取的事件推送流从不切断）；服务器等待写入时，客户端 60 秒内取走的响应不足 16 KiB，该响应即被切断、连接重置。进行中的请求：512 个（更多的得到 503），其中同时读取存储的最多 16 个（其余排队等候）；事件推送订阅者：256 个。

        SIGTERM 或 Ctrl-C：停止接受连接，完成进行中的命令，结束事件推送流，退出码 0（仍在发送请求头的客户端最迟在其 10 秒用完时断开）。使用 --auth FILE 时收到 SIGHUP：重新读取 FILE，此后只接受其中的令牌（新文件中不再有的令牌所打开的事件推送流随即结束）；无法使用的文件会记入日志，不改变任何东西。

        访问日志：FLEXLEDGER_LOG=warn,flexledger::access=info 为每个已答复的请求记一行（方法、路径、状态码、毫秒数、令牌的角色、请求 ID；从不记录令牌）。
    .after-help =
        示例：
          # 试用：写入演示统筹地区；先输出地址，再为每个角色输出一个令牌
          flexledger --data-dir served-demo serve --demo
          # 在另一个 shell 中，使用它输出的令牌（AUDITOR=auditor-...）：
          curl -s -H "Authorization: Bearer $AUDITOR" 127.0.0.1:7878/v1/regions/demo
          curl -s -N -H "Authorization: Bearer $AUDITOR" \
            "127.0.0.1:7878/v1/feed?from=1&types=MonthClosed"
          # 实际使用：令牌摘要取自文件，换一个端口，浏览器应用在别处
          flexledger --data-dir ledger-data serve --auth tokens.toml \
            --listen 127.0.0.1:8080 --cors-origin https://app.example.org
    .data_dir = { -data-dir-created }
    .listen = 监听的地址
    .auth = 令牌文件（含 role 和 sha256 的 TOML [[token]] 表）
    .demo = 账本为空时写入演示统筹地区；未给出 --auth 时为每个角色输出一个令牌
    .cors_origins = 允许来自 ORIGIN 的浏览器页面调用 API（CORS），例如 https://app.example.org；可重复。默认关闭
    .read_only = 只读：从存储回答参保记录、事件、统筹地区、事件推送和审计路由（例如 PostgreSQL 热备库：--store postgres://standby…），对命令回答 503。在 PostgreSQL 存储上可以在唯一的写入进程之外运行任意多个；数据目录同一时间只能由一个进程打开，因此在数据目录上它只能单独运行（例如在用 `flexledger restore` 做出的副本上）
    .writer_url = 写入进程的地址，--read-only 服务器在回答命令时给出它
    .health_listen = 同时在此地址上只回答 GET /healthz：存活探针专用的端口，API 的任何客户端都无法把它占满（请给出只有监管程序能访问的地址）

help-flexledger-region =
    .about = 输出统筹地区已月结月份的经办报表：资金和按状态统计的参保人员
    .long-about =
        输出一个统筹地区某月的报表（JSON）：该月收到的缴费（已缴费额，以及划入统筹基金和个人账户的部分，R17），退费（R12），已形成、已发放和待发放的社会保险补贴（R16），按该月状态统计的参保人员，以及其中享受待遇的人数。每个数字都是各参保人员自己的月度记录（`member ID`）之和，每个命令都会随时更新：回答时只读取两个已保存的行。

        只报告已月结的月份：当前征缴月的数字仍在变动。

        退出码：0 已输出，1 统筹地区名称或月份格式有误（`invalid_command`，与 HTTP 相同）、统筹地区不存在或该月尚未月结（输出一个错误 JSON），2 无法运行。
    .name = 统筹地区名称
    .month = 要报告的已月结月份，YYYY-MM
    .data_dir = { -data-dir-existing }

help-flexledger-events =
    .about = 按日志顺序以 JSON 行输出已保存的事件（连同其位置、哈希等元数据）
    .long-about = 按全局日志顺序以 JSON 行输出已保存的事件（每行一个事件及其元数据：position、stream、version、event_id、type、payload、schema_version、recorded_at、command_id、prev_hash、stream_prev_hash、hash）。读到的每个事件都与其键和事件流索引核对；损坏会连同其位置一起报告（退出码 1）；--member 所指的参保人员不存在时退出码为 1。
    .from = 输出的第一个全局位置
    .member = 只输出该参保人员的事件
    .data_dir = { -data-dir-existing }

help-flexledger-backup =
    .about = 写出整个日志一致的、已签名的备份（取自 --data-dir，或取自正在运行的服务器）
    .long-about =
        把整个账本的一致备份写到 --out：从位置 1 到备份开始时日志头部的每个事件（与 `events` 的输出完全相同；每条命令的内容摘要在其第一个事件之前）、每条事件流的头部、每个参保人员的参保记录、对所有内容摘要签名的一行，以及该位置上用账本密钥签名的日志检查点（一个范围为 all 的第 3 版审计包：可用 `flexledger-audit verify-bundle` 检查）。备份运行期间追加的命令不在其中。文件先写在 --out 旁边，完成后再改名就位。

        从没有进程占用的数据目录备份：--data-dir DIR（检查点也保存到账本中）。`serve` 运行时占用着目录的锁：请用 --server URL 和 operator 或 auditor 的令牌（--token 或 $FLEXLEDGER_TOKEN；GET /v1/backup）从它获取备份；下载的备份在保留之前先经验证，给出 --public-key 时以该公钥验证。

        输出一个 JSON 对象：ok、out 和摘要（position、head_hash、streams、members、root、key_id、public_key、bytes；使用 --server 时还有 key_pinned，以及 commands_signed：服务器发来内容摘要未签名的旧版备份时为 false，并附一条注意）；使用 --out - 时输出到标准错误。

        退出码：0 已写出，1 存储已损坏或下载的备份未通过验证，2 无法运行，130 被 Ctrl-C、SIGTERM 或 SIGHUP 中止（--out 处不留下任何东西）。
    .out = 备份写到哪里（'-' 写到标准输出）
    .server = 从此 URL（http://HOST:PORT）上运行的 `flexledger serve` 获取备份，而不读取 --data-dir
    .token = 与 --server 一起使用：operator 或 auditor 的持有者令牌（宜用 $FLEXLEDGER_TOKEN：命令行参数对其他用户可见）
    .public_key = 与 --server 一起使用：账本的公钥（64 位十六进制数字）；下载的备份必须由它签名
    .data_dir = 要备份的账本所在的目录；其中必须已有账本。使用 --server 时不读取

help-flexledger-restore =
    .about = 验证备份，并把它恢复到一个新的、空的 --data-dir
    .long-about =
        把备份恢复到一个新的数据目录（--data-dir，它必须不存在或为空）。备份只读一遍，逐行检查：每个事件的哈希、位置、日志和事件流的哈希链、由事件推算出的状态、每条事件流的头部和参保记录，最后检查检查点的签名和两个 Merkle 根。验证通过的事件原样（位置、哈希、命令 id）追加到目标旁边的暂存目录中，重建状态行，然后才把其中的文件移入目标目录。目标目录从恢复开始起就带有标记（restore-unfinished），因此其间在它上面启动的 serve 或 submit 会被拒绝，而不会在那里新建账本；被拒绝的备份让目标目录保持原样。

        验证只需要公钥：--public-key（或 $FLEXLEDGER_PUBLIC_KEY）指定账本公布的公钥；不给出时使用备份所写的公钥，输出中会有 "key_pinned":false。若要继续用账本的密钥签署检查点，请用 --signing-key 给出其密钥文件（必须是签署该备份的密钥；它会被安装到新目录中），或让 $FLEXLEDGER_SIGNING_KEY 继续指向它。两者都没有时，不安装任何密钥，并有警告说明：请在使用恢复后的账本之前把密钥放好。它从不自行生成新密钥（第二把密钥会以另一个身份签署同一份日志）：密钥放回之前，它照常接受命令，但不签署任何东西：backup、checkpoint 以及审计工具的导出都会拒绝运行，而审计工具中只读的命令照常可用（如带 --public-key 的 verify）（docs/DECISIONS.md D33）。

        每条命令的内容摘要随其命令 id 一起恢复，因此在已接受的 id 下提交不同的命令，会像在原账本上一样被拒绝（command_id_reused）。备份对这些内容摘要签名（审计包第 3 版，"commands_signed":true）：其中任何一条被删除或改动都会被拒绝。较旧的备份也能恢复，并附一条注意：2026-12-04 或 05 写出的备份（第 2 版）内容摘要未签名（"commands_signed":false）；更早写出的备份，或 2026-12-05 之前由 `flexledger-audit export --all` 导出的文件（第 1 版），没有内容摘要，其命令 id 像 v1 接受的 id 一样应答：除非该 id 的事件不可能由该命令产生，否则回答为重复。备份中没有、因而不会恢复的：已保存的参保记录变更的事件推送条目，以及更早保存的检查点（备份自己的检查点会被保存）。

        输出一个 JSON 对象：ok、data_dir、events、head_position、head_hash、streams、members、root、key_id、key_pinned、commands_signed、signing_key。

        退出码：0 已恢复，1 备份被改动、被截短或由另一个密钥签名（会指出行和位置），2 无法运行（目标不为空、文件无法读取、--signing-key 不对），130 被 Ctrl-C、SIGTERM 或 SIGHUP 中止（不留下任何东西）。
    .file = 备份文件（'-' 读取标准输入）
    .public_key = 账本公布的公钥（64 位十六进制数字）：备份必须由它签名
    .signing_key = 账本的签名密钥文件（即其 audit-signing-key；'-' 读取标准输入）：与备份的签名核对，并安装到新的数据目录中
    .data_dir = 要恢复到的新数据目录；它必须不存在或为空

## flexledger-audit

help-flexledger-audit =
    .about = 审计 flexledger 存储：回放、解释、检查点与证明、导出审计包、时间线、假设分析
    .long-about =
        审计 flexledger 存储，无需信任其运营方。

        查看参保人员在任一时点的历史（replay），弄清某月为何是这个状态、由哪条规则和哪句出处原文决定（explain），用账本的 Ed25519 密钥签署日志检查点，并证明包含性、一致性和参保人员记录的完整性（checkpoint、prove），导出任何人无需数据目录即可检查的自包含审计包（export、verify-bundle），画出参保人员的各个月份（timeline），以及在另一套政策下回放同样的事件（whatif）。

        请先停止 `flexledger serve`，或审计用 `flexledger backup --server URL` 与 `flexledger restore` 得到的数据目录副本（sled 会锁定数据目录）：用 `cp` 复制正在被写入的目录，校验时可能显示为已损坏。

        退出码：0 通过或已写出，1 检查未通过或参保人员不存在，2 无法运行。

        每个文件参数和选项都接受 '-'：读文件时为标准输入，写文件时为标准输出。
    .data_dir = 账本 sled 存储所在的目录；其中必须已有账本（由 `flexledger submit` 或 `serve` 创建）
    .store = 从 PostgreSQL 而不是 --data-dir 中的 sled 存储读取账本：postgres://USER@HOST[:PORT]/DATABASE（密码取自 ~/.pgpass 或 PGPASSWORD；跨机器连接时加上 ?sslmode=require，私有 CA 再加 &sslrootcert=CA.pem）。--data-dir 仍保存审计签名密钥
    .json = 输出 JSON（一个对象，或注明处为 JSON 行），而不是可读的表格
    .lang = 可读文字（每个命令的表格或报告）所用的语言：en 或 zh-CN。未给出时，依次由 FLEXLEDGER_LANG、LC_ALL、LANG 决定（zh_CN.UTF-8 即 zh-CN；其他任何值，包括 C 和 POSIX，即 en）。--json 的输出在各语言中都相同

help-flexledger-audit-replay =
    .about = 按顺序列出参保人员的事件，及每个事件改变了什么
    .long-about =
        按日志顺序输出参保人员的事件（及其统筹地区的政策和月结事件），每个事件附上它改变了什么：状态或待遇有变的月份，以及该事件之后的欠费、连续缴费月数、累计缴费月数和待遇档次。--as-of / --as-of-time 显示账本当时所见的该参保人员。

        退出码：0 已输出，1 参保人员不存在，或截止点超出日志头部或晚于当前时间，2 无法运行。
    .member = { -member-uuid }
    .as_of = { -as-of }
    .as_of_time = { -as-of-time }

help-flexledger-audit-explain =
    .about = 某月为何是这个状态：原因、起决定作用的事件、规则和出处原文
    .long-about =
        解释参保人员参保记录中的一个月：其状态、应缴费额、已缴费额和待遇；用平实的话说明原因（含应缴费额的算式、待遇起始月、欠费的起止和补缴期限、使该月欠费失效的停保）；按位置列出起决定作用的事件；以及所适用的规则，引用 RULES.zh.md 的规则原文和每条规则所依据的出处原文。任何月份都按 `GET /v1/members/{"{"}id{"}"}/months/{"{"}month{"}"}` 的答复解释：首次参保之前或停保之后的月份为 not_enrolled（未参保），参保记录所列月份之后的月份为 due（待缴）。

        退出码：0 已解释，1 参保人员不存在，或截止点超出日志头部或晚于当前时间，2 无法运行。
    .member = { -member-uuid }
    .month = 月份，YYYY-MM
    .as_of = { -as-of }
    .as_of_time = { -as-of-time }

help-flexledger-audit-timeline =
    .about = 把参保人员的各个月份画成 SVG 图
    .long-about =
        写出参保人员各个月份的 SVG 图：每月一格，按其状态着色（RULES.zh.md“月份状态”），并标出缴费、中断缴费、停保和重新参保，附图例。可用任何浏览器打开。服务器在 GET /v1/members/{"{"}id{"}"}/timeline.svg 提供同样的图。

        退出码：0 已写出，1 参保人员不存在，或截止点超出日志头部或晚于当前时间，2 无法运行。
    .member = { -member-uuid }
    .svg = SVG 写到哪里；`-` 写到标准输出
    .as_of = { -as-of }
    .as_of_time = { -as-of-time }

help-flexledger-audit-public-key =
    .about = 输出账本的签名公钥（请公布它：审计人员会指定它）
    .long-about =
        输出账本的 Ed25519 公钥（64 位十六进制数字）及其密钥标识。密钥对在数据目录第一次以写入方式打开时生成；私钥保存在 <data dir>/audit-signing-key（或 $FLEXLEDGER_SIGNING_KEY）。请把公钥公布在审计人员能找到的地方：`verify-bundle --public-key` 指定它，由其他任何密钥签名的检查点都会被拒绝。

        退出码：0 已输出，2 没有密钥（先以写入方式打开一次账本，例如 `flexledger submit`）。
    .data_dir = 要输出其公钥的账本所在的目录：读取其中的 audit-signing-key（或 $FLEXLEDGER_SIGNING_KEY），不读取其存储

help-flexledger-audit-checkpoint =
    .about = 签署并保存日志的检查点（事件和事件流头部的 Merkle 根）
    .long-about =
        遍历整个日志（读取时检查每个事件的哈希和哈希链），以各事件的哈希构建 RFC 6962 Merkle 树，再以每条事件流的头部构建第二棵，并用账本的 Ed25519 密钥签署两个根。检查点保存到账本中并输出：其说明文本（即被签名的原文）、签名和公钥。若已有更早的检查点，还输出从它开始的一致性证明（新日志是旧日志的延续：没有内容被改写）。请公布检查点：日后的改写不可能与它们一致。

        --list 改为输出已保存的检查点，每个签名按 --public-key HEX（或 $FLEXLEDGER_PUBLIC_KEY）核对，没有时按账本的密钥文件，再没有时按各检查点自己写明的公钥；它不需要签名密钥。由账本已更换的密钥（--new-key 之前）签名的检查点，在以 --earlier-key HEX 给出该密钥时列为有效，并注明由旧密钥所签。

        退出码：0 已签署（或已列出，且每个签名都有效），1 日志已损坏，或所列检查点中有签名未通过校验，2 无法运行。
    .list = 列出已保存的检查点，而不是新建一个
    .public_key = 与 --list 一起使用：签名必须出自的账本公钥（64 位十六进制数字，取自 `flexledger-audit public-key`）
    .new_key = 账本的签名密钥已永久丢失：生成一个新的并立即用它签署（请公告新公钥）
    .earlier_key = 与 --list 一起使用：账本在当前密钥之前签名所用的密钥（可重复给出，从最早的开始）

help-flexledger-audit-prove =
    .about = 证明某个事件包含在日志中，或日志是更早检查点的延续
    .long-about =
        针对一个已保存的检查点（最新的，或 --to SIZE 所指的）输出（并检查）Merkle 证明：
          --position P   包含性：位置 P 的事件在检查点所覆盖的日志中（RFC 9162 审计路径）
          --from SIZE    一致性：检查点所覆盖的日志是 SIZE 个事件的日志的延续（RFC 9162 一致性路径）

        退出码：0 已证明，1 没有该事件或检查点，2 无法运行。
    .position = 事件的全局位置
    .from = 更早的树大小（您保存的某个检查点）
    .to = 据以证明的已保存检查点（默认：最新的）

help-flexledger-audit-export =
    .about = 导出自包含的审计包（或参保人员月度记录的 CSV）
    .long-about =
        写出自包含的审计包：若干 JSON 行，含范围内的每个事件（与 `flexledger events` 的输出完全相同；即参保人员的事件流及其统筹地区的政策和月结）、每个事件的包含性证明、每条事件流已提交的头部及其证明（证明历史完整）、每个参保人员的参保记录，以及当前头部处已签名的检查点（最新的检查点较旧时当场生成）。`verify-bundle` 无需数据目录即可检查它。--all 写出的与 `flexledger backup` 相同：没有包含性证明（整个日志可重建整棵树），并带有每条命令的内容摘要及对它们的签名，因此 `flexledger restore` 可以恢复它。

        --format csv 改为每个参保人员月份写一行：member_id、region（统筹地区）、month（月份）、status（状态）、due（应缴费额）、paid（已缴费额）、benefits（待遇）、rule（规则），然后（第 2 版）该月的 refunded（退费）、to_account（划入个人账户）、subsidy（社会保险补贴）、subsidy_paid（已发放的补贴），以及参保人员的 member_qualified、member_account_balance、member_subsidy_granted_months、member_subsidy_accrued、member_subsidy_paid、member_subsidy_owed（取自已保存的状态行；供电子表格使用，不含证明）。

        退出码：0 已写出，1 参保人员或统筹地区不存在，或范围内的月结仍在记录中（D83），2 无法运行。
    .member = 一个参保人员
    .region = 一个统筹地区的所有参保人员
    .all = 整个日志
    .out = 写到哪里（'-' 写到标准输出；关于输出的说明随之改写到标准错误）
    .format = `bundle`（含证明，供 verify-bundle 使用）或 `csv`（参保人员月度记录，供电子表格使用）

help-flexledger-audit-verify-bundle =
    .about = 无需数据目录检查审计包
    .long-about =
        不用数据目录检查 `export` 生成的审计包：每个事件的哈希与其内容是否相符（能发现被改动的金额）、顺序、已签名的检查点（伪造的会被拒绝）、每个事件是否包含在已签名的日志中（能发现添加的事件）、每条事件流直到其已提交头部的哈希链（能发现删除的事件：完整性），以及由事件重新计算出的每个参保人员的参保记录。每个未通过的检查都会指出其行、位置和事件流。

        用 --public-key HEX（或 $FLEXLEDGER_PUBLIC_KEY）指定账本公布的公钥：由其他任何密钥签名的检查点都会被拒绝。没有指定的公钥，就没有什么能把审计包和账本联系起来，因此它无效（未通过 `key`），除非 --trust-bundle-key 接受它所写的公钥（报告会说明公钥未指定）。

        有效审计包的报告会说明其范围所能证明的内容（`范围：`）：参保人员的事件流及其所在统筹地区的事件流、统筹地区的各条事件流（但不能证明包含该统筹地区的每位参保人员），或整个日志。要用您保存的检查点核对审计包，请把 --all 审计包恢复（`flexledger restore`）后对其运行 `verify --kept FILE`。

        退出码：0 有效，1 无效，2 无法读取文件。
    .file = 审计包文件（'-' 读取标准输入）
    .public_key = 账本的公钥（64 位十六进制数字，取自 `flexledger-audit public-key`）
    .trust_bundle_key = 接受审计包所写的任何公钥（报告会说明未指定）

help-flexledger-audit-verify =
    .about = 检查整个存储：哈希链、已保存检查点的根、状态行与由日志重新计算的结果
    .long-about =
        遍历整个存储（在终端上显示进度条）：每个事件的哈希、日志和事件流的哈希链、索引和命令记录、每个已保存的状态行与由日志重新计算的结果（同 `flexledger verify`），然后是每个已保存的检查点：其签名，以及由日志重新计算的 Merkle 根。

        检查签名只需要账本的公钥：--public-key HEX（或 $FLEXLEDGER_PUBLIC_KEY）指定账本公布的公钥，因此持有数据目录副本的审计人员不需要任何私钥；不给出时，使用数据目录中签名密钥的公钥部分。

        --kept FILE 以同样方式检查您保存的检查点（`checkpoint --json` 或 `checkpoint --list --json` 输出的内容，每行一个）：由账本密钥签名，且日志的前若干个事件仍有其根哈希。能发现用账本自己的密钥重写并重新签名的日志的，正是这些检查点：已保存在存储中的检查点会随之被改写。因此，带 --kept 的核验留下的损坏标记，只有带 --kept 且通过的核验才会移除。

        密钥丢失的账本，自 `checkpoint --new-key` 起用新密钥签名。请用 --earlier-key HEX 指定被更换的密钥（按经办机构的公告；可重复给出，从最早的开始）：由旧密钥签名的检查点，只有在之后的密钥尚未签过更小（或同样大小）的检查点时才被接受，报告会说明每个旧密钥签了哪些检查点。

        退出码：0 完好，1 已损坏（指出第一个问题；或日志校验通过，但带 --kept 的核验留下的标记仍在，而本次核验未检查发现问题的那个保存的检查点），2 无法运行（或无法比对状态行：它们由另一版本的程序写入，同 `flexledger verify` 所述，D89）。
    .public_key = 账本的公钥（64 位十六进制数字，取自 `flexledger-audit public-key`）
    .kept = 从本账本保存下来的检查点文件，也与其日志核对（可重复给出）
    .earlier_key = 账本在当前密钥之前签名所用的密钥，按更换时的公告给出（可重复给出，从最早的开始）

help-flexledger-audit-whatif =
    .about = 在替代政策下回放同样的事件，显示会有什么不同
    .long-about =
        在替代政策下回放同样的已记录行为，显示会有什么不同：哪些月份的状态或待遇会改变，欠费和欠费失效的月份（不能再补缴）会有何不同，哪些停保会发生或不会发生，连续性和待遇档次，是否已取得待遇资格及待遇起始月（R7），退费（R12），个人账户（R17），社会保险补贴（R16），以及替代政策会拒绝哪些已记录的命令。供权衡规则变化的政策制定者使用（六个月宽限期、补缴的月份仍不享受待遇（prospective）、另一种待遇等待期、长期中断后重新适用首次参保的待遇等待期、个人账户）。

        政策文件是一个 JSON 对象，可含 average_monthly_wage、contribution_rate、base_ratio_min、base_ratio_max、grace_months、benefit_delay_first、benefit_delay_reenroll、backpay_restores、benefit_tiers、first_wait_after_gap_months、account_rate 中的任意几项（形式同 publish_policy：小数写成字符串；后两项为 null 表示不设）。它替换该统筹地区发布的每套政策中的这些参数；每套政策保留自己的统筹地区和 effective_from。未知字段会被拒绝。

        替代政策下的结果是重新判定的，而不是换个标签：每个已记录的命令（enroll、pay、close_month、withdraw、reenroll……）都在改变后的政策下按账本自己的规则重新运行，因此月结按替代政策的宽限期记录中断缴费的月份和视为自动退保（R9–R11）。参保人员的行为保持不变：同样的命令在同样的月份；一笔缴费按替代政策下的应缴费额缴纳同样的月份。替代政策拒绝的命令是一项发现，而不是错误。

        退出码：0 已报告（含差异和拒绝），1 参保人员或统筹地区不存在，2 政策文件有误或无法运行。
    .after-help =
        政策文件示例：
        {"  {"}"grace_months": 6, "backpay_restores": "prospective"{"}"}
        {"  {"}"first_wait_after_gap_months": 6, "account_rate": "0.02"{"}"}
    .policy = 要改变的政策参数的 JSON 文件，例如 {"{"}"grace_months": 6{"}"}（'-' 读取标准输入）
    .member = 比较一个参保人员（UUID）
    .region = 比较一个统筹地区的所有参保人员：一份汇总，以及前几个受影响参保人员的明细

## 示例行末的注释（src/cli/help.rs 的 NOTES）：命令照原样给出，注释译为中文
help-example-notes =
    .refused-month-before = 退出码 1：被拒绝，须先缴 2025-12 之前的月份
    .unknown-member = 退出码 1：参保人员不存在
    .month-not-closed = 退出码 1：当前征缴月尚未月结
    .while-serve-runs = 在 serve 运行时：flexledger --data-dir served-demo serve --demo（AUDITOR 为它输出的 auditor 令牌）
    .sled-no-migration = sled：无需迁移
    .copy-again = 再次运行：从已复制之处继续（这里已无可复制的内容）
    .bundle-edited = 退出码 1：无效（INVALID），逐一指出被改动的事件

## clap 对命令行的报错（src/cli/parse_errors.rs）：参数名、值和用法原样给出
help-error = 错误：
help-error-unknown-argument = 发现意外的参数 '{ $arg }'
help-error-invalid-subcommand = 无法识别的子命令 '{ $subcommand }'
help-error-value-missing = '{ $arg }' 需要一个值，但没有给出
help-error-invalid-value = '{ $arg }' 的值 '{ $value }' 无效
help-error-possible-values = {"\u000A"}  [可选值：{ $values }]
help-error-value-validation = '{ $arg }' 的值 '{ $value }' 无效：{ $why }
help-error-missing-required = 缺少以下必需的参数：{ $args }
help-error-missing-subcommand = '{ $command }' 需要一个子命令，但没有给出
help-error-subcommands = {"\u000A"}  [子命令：{ $values }]
help-error-repeated = 参数 '{ $arg }' 不能多次使用
help-error-conflict = 参数 { $arg } 不能与以下参数同时使用：{ $others }
help-error-no-equals = 给 '{ $arg }' 赋值时需要等号
help-error-too-many-values = '{ $arg }' 多出了值 '{ $value }'：不应再有值
help-error-number-of-values = '{ $arg }' 需要 { $wanted } 个值，给出了 { $given } 个
help-error-invalid-utf8 = 参数不是有效的 UTF-8 文本
help-error-similar = 提示：有相近的{ $what ->
        [subcommand] 子命令
        [argument] 参数
       *[value] 值
    }：{ $names }
help-error-tip = 提示：{ $tip }
help-error-tip-as-value = 提示：若要把 '{ $first }' 作为值传入，请用 '{ $second }'
help-error-tip-exists = 提示：有 '{ $first }'
help-error-tip-remove-dashes = 提示：有子命令 '{ $first }'；要使用它，请去掉它前面的 '{ $second }'
help-error-usage = 用法：{ $usage }
help-error-try-help = 更多信息请用 '--help'。
help-error-number-empty = 没有给出数字
help-error-number-digit = 应为非负整数，其中有不是数字的字符
help-error-number-too-large = 数字太大
