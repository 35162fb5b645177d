# `flexledger` 在标准错误上的提示：无法回答的查询和找不到账本（src/cli/mod.rs）。
# 标准输出上的 JSON 始终为英文（D37）。术语以 docs/GLOSSARY.md 为准。

cli-no-ledger = { $data_dir } 中没有账本：请先提交命令，或用 --data-dir 指定数据目录（或设置 FLEXLEDGER_DATA_DIR）
cli-member-has-no-events = 参保人员 { $member } 没有任何事件：请核对编号，或先为其办理参保
cli-events-member-beyond-last = 参保人员 { $member } 的最后一个事件在位置 { $last }：尚无自位置 { $from } 起的事件（未输出任何内容；请稍后再查询，或自位置 { $last } 或之前查询）
cli-events-beyond-head = 日志目前止于位置 { $head }：尚无自位置 { $from } 起的事件（未输出任何内容；请稍后再查询，或自位置 { $head } 或之前查询）
cli-migrate-sled = sled 存储无需迁移：它在打开时自行升级其数据行
cli-not-a-region-name = { $text } 不是统筹地区名称（1 至 64 个英文字母、数字、'_'、'.'、'-'；中文地名请写作拼音或行政区划代码，如 `beijing` 或 `110100`）
cli-not-a-month = --month { $text } 不是月份：请写成 YYYY-MM，1990-01 至 2999-12 之间

## 两个命令行以句子说出的错误（src/cli/mod.rs `SayContext`、src/cli/serve.rs、
## src/cli/backup.rs、src/audit/commands.rs）；其下的错误（存储的、操作系统的）跟在后面。

cli-cannot-open-ledger = 无法打开 { $store } 中的账本
cli-copy-cannot-open-destination = 无法打开目标存储 { $store }
cli-copy-destination-in-use = 无法打开目标存储 { $store }，其写入锁已被占用：若 --to 以另一种写法（另一个主机名或地址、端口，或参数顺序）指向 --from 的数据库，占用者就是本次复制的源，请指定另一个目标；否则请先停止占用它的写入进程
cli-copy-copying = 将 { $from } 复制到 { $to } 时出错
cli-cannot-open-ledger-served-backup = 无法打开 { $store } 中的账本（另一个 flexledger 进程占用它：如果是 `flexledger serve`，请用 --server URL 和令牌从服务取得备份；如果是 `submit`，请在它结束后再备份）
cli-cannot-open-ledger-served-audit = 无法打开 { $store } 中的账本（审计只读取已停止的账本，或运行中账本的副本；对服务器正在写入的目录用 `cp` 复制，可能被校验为已损坏）
# The operating system's words for an I/O failure (`cli::io_kind_sentence`).
cli-io-not-found = 文件或目录不存在（{ $os }）
cli-io-permission-denied = 没有访问权限（{ $os }）
cli-io-is-a-directory = 这是一个目录，请给出文件（{ $os }）
cli-io-not-a-directory = 路径中有一部分不是目录（{ $os }）
cli-io-already-exists = 已存在（{ $os }）
cli-io-read-only = 文件系统是只读的（{ $os }）
cli-io-connection-refused = 连接被拒绝：该地址上没有服务在监听（{ $os }）
cli-io-connection-reset = 连接被对方重置（{ $os }）
cli-io-timed-out = 连接超时（{ $os }）
cli-cannot-read = 无法读取 { $file }
cli-file-not-utf8 = 无法把 { $file } 读作 UTF-8 文本（请把它保存为 UTF-8 编码）
cli-file-too-large = { $file } 大于 { $bytes_max } 字节：文件是否选错了？
cli-cannot-create = 无法创建 { $file }（它所在的目录须存在且可写）
cli-cannot-make-data-dir = 无法创建数据目录 { $dir }（PostgreSQL 账本的写入进程在其中保存头部见证，D86）：请先创建它，或给出运行 flexledger 的用户可以写入的目录
cli-data-dir-not-a-directory = --data-dir { $dir } 不是目录（是一个文件，或指向不存在之处的链接）：请给出一个目录，或可以在其处创建目录的路径；PostgreSQL 账本的写入进程在其中保存头部见证（D86）
cli-verify-no-witness = 注意：{ $dir } 中没有该 PostgreSQL 账本写入进程的头部见证，因此不核对数据库是否丢失了已确认的事件（从较旧的副本恢复，或在落后时提升的备库）；请使用写入进程的 --data-dir 运行 verify 以核对（D86）
cli-output-is-a-directory = { $file } 是一个目录：请指定其中的一个文件来写入
cli-stdout-closed = 标准输出在写入约 { $bytes } 字节后、结束之前被关闭：已写出的内容不完整，无法使用（请用 --out FILE 写入文件，或让读取方一直读到结束）
cli-cannot-write = 无法写入 { $file }
cli-cannot-write-stdout = 无法写入标准输出
cli-standard-input = 标准输入
cli-standard-output = 标准输出
cli-copy-no-source = 源存储 { $store } 不存在：该路径下没有可复制的内容；请检查 `--from` 所给的路径（要复制的账本的数据目录，或 `PostgreSQL` 地址）
cli-copy-source-holds-no-ledger = { $store } 中没有账本：复制的源（`--from`）应是要复制的账本的数据目录，或 `PostgreSQL` 地址
cli-copy-same-store = --from 与 --to 指的是同一个存储（{ $store }）：请指定另一个目标
cli-copy-from-data-dir-not-postgres = --from-data-dir { $dir } 只用于 PostgreSQL 源：其写入端把头部见证保存在自己的数据目录中；--from 所指的数据目录自带见证，请去掉 --from-data-dir
cli-copy-source-unwitnessed = 未用写入端的头部见证核对源存储（D86）：若数据库是从较旧的副本恢复的，将按原样复制，缺少它丢失的事件。请用 --from-data-dir 指定写入端的数据目录以核对
cli-copy-source-no-witness = { $dir } 中没有可用来核对源存储的头部见证（head-witness.postgresql）（D86）：请指定源存储写入端运行时所用的数据目录，或去掉 --from-data-dir 以不经核对地复制
cli-copy-from-data-dir-missing = --from-data-dir { $dir } 不是目录：请指定源存储写入端运行时所用的数据目录（其中保存着它的头部见证，D86）
cli-token-file-not-toml = { $file }：不是令牌文件（{ $detail }）；应为含 role 与 sha256 的 [[token]] 表
cli-token-file-empty = { $file }：没有令牌；请添加含 role 与 sha256 的 [[token]] 表
cli-token-file-too-many = { $file }：令牌最多 { $max } 个
cli-token-file-not-a-digest = { $file }：第 { $entry } 个令牌：sha256 须为 64 位小写十六进制数字（令牌的 SHA-256，绝不是令牌本身）
cli-token-file-writable-by-anyone = { $file }：任何用户都可以写入此令牌文件（权限 { $mode }），因此任何用户都可以给自己的令牌加上 operator 角色：请将其设为只有所有者可写（chmod go-w），检查其中没有被添加的条目，然后重新启动服务器（或向运行中的服务器发送 SIGHUP）
cli-serve-needs-auth = serve 需要 --auth FILE（含 role 与 sha256 的 TOML [[token]] 表），或用 --demo 试用（会打印令牌）

## 两个命令行的错误行，以及 flexledger 在存储损坏后的建议：放在错误自身的建议之后，不得与之矛盾
## （从备份恢复会丢失备份之后写入的内容，而错误消息可能给出了不丢数据的做法）。

cli-error = { $program }：错误：{ $message }
cli-damage-kept-checkpoint = flexledger：您在账本之外保存的检查点与其日志不符：日志在该检查点签名之后被改写（或回退），并且可能已用账本自己的密钥重新签名，因而能与账本所存的每个检查点一致。不要用它的备份来恢复：备份会带上被改写的日志。请原样保留数据目录作为证据（在其他任何命令打开它之前先 `cp -a`）；把改写之前、且晚于您所保存最新检查点的备份（更早的备份缺少已签名的事件，检查时会指出）恢复到新目录，并在使用前用 `flexledger-audit verify --kept FILE` 检查。该存储已被标记，不再接受追加；只有带上所保存检查点（`--kept FILE`）且通过的 `flexledger-audit verify` 才会移除标记
cli-damage-advice = flexledger：存储已损坏。若是 sled 存储，请先把数据目录原样复制到别处（`cp -a`）：打开已损坏的 sled 存储可能改动其文件。上面的消息若给出了不丢数据的做法（放回或移开某个文件、`verify --accept-head`、`rebuild`），请照做；否则对它运行 `flexledger backup --out FILE`：备份若成功，说明它已读取并校验了每个事件，用 `flexledger restore` 恢复该备份不会丢失任何事件；只有备份失败时，才从备份恢复数据目录。存储仍能打开时，`flexledger verify` 会指出第一处断开的链接（某个事件的位置，或存储引擎的文件及字节位置）；若只是状态行不一致，`flexledger rebuild` 可以修复（修复的是状态行，而不是状态行被改动期间据此作出决定的命令：请先用 `flexledger-audit replay` 查看此后追加的事件）。{ $marked ->
    [yes] 存储会被标记（PostgreSQL 存储的标记保存在其签名密钥旁，即写入进程的 --data-dir 中），在该处的 `flexledger verify` 通过之前不再追加任何内容（审计工具留下的标记，如拒绝信息所说，须由 `flexledger-audit verify` 通过）；使用其他 --data-dir 启动的写入进程看不到 PostgreSQL 存储的标记，在此之前请停下它
   *[no] {""}
}
cli-damage-set-aside = flexledger：请按上面所说把损坏的文件移到一旁；只有 `flexledger verify` 仍然失败时，才从备份恢复数据目录
cli-damage-witness = flexledger：存储未被标记：本数据目录的头部见证本身就会使其写入进程不向该数据库追加，直到上面所说的问题得到解决，或按上面所说把见证移开。若该数据库是账本的一个副本（不是本目录的写入进程所追加的那一个），这项发现说的是该副本与账本头部的差异：检查副本时请不要使用写入进程的 --data-dir
cli-damage-mark-disk-full = 未能标记：磁盘已满，标记无法写入（{ $why }），因此没有任何机制阻止写入进程向这个已损坏的存储追加。请勿在其上启动任何写入进程；先释放该磁盘的空间，再运行一次 `flexledger verify`：它会标记该存储
cli-damage-mark-not-removed = 存储校验通过，但它的损坏标记 { $mark } 无法删除（{ $why }），因此写入进程仍会拒绝它：请手动删除 { $mark }，或修正使其无法删除的原因（权限；该位置上的目录），然后再运行一次 `verify`
cli-read-marked-store = 注意：{ $found_by } 于 { $found_at } 发现该存储已损坏（{ $detail }）；在 `{ $verify }` 通过之前它不再追加任何内容，本次答复按其现状读出：重要的内容请与备份核对
cli-damage-mark-not-recorded = 实际上未能标记：标记无法写入（{ $why }），因此没有任何机制阻止写入进程向这个已损坏的存储追加。在 `flexledger verify` 通过之前，请勿在其上启动任何写入进程；并请以有权写入其数据目录的用户运行 `verify`，以便标记该存储
cli-damage-mark-no-directory = 未标记：没有目录 { $dir } 可存放标记（PostgreSQL 存储的标记存放在其写入进程的 --data-dir 中，与签名密钥放在一起），因此没有任何机制阻止写入进程向这个已损坏的存储追加。在 `flexledger verify` 通过之前，请停止其写入进程；或用写入进程的 --data-dir 再次运行本命令，以便标记该存储
cli-output-in-data-dir = { $out } 是数据目录 { $data_dir } 中账本自己的文件（存储引擎文件、签名密钥、头部见证）：请把输出写到别处
cli-submit-line-message = 第 { $line } 行：{ $message }
cli-submit-progress = 已接受 { $accepted } 行，拒绝 { $refused } 行
cli-submit-refused = { $lines } 行中有 { $refused } 行被拒绝（各行的结果在标准输出中说明原因）；第一处在第 { $line } 行：{ $code }：{ $message }
cli-submit-stopping = 正在停止：已读入的各行正在办理并给出结果（月结会先记录完其后果），随后 submit 停止。再按一次 Ctrl-C 会立即停止：正在办理的各行将没有结果输出，已办理的不会丢失（再次提交该文件即可得到它们的结果）
cli-submit-new-ledger = { $dir } 中原本没有账本：已在那里新建了一个空账本。若要使用已有的账本，请检查 --data-dir（或 FLEXLEDGER_DATA_DIR）以及当前所在的目录
cli-submit-interrupted = 已中断：{ $file } 中已读取并处理 { $lines } 行（结果已输出到标准输出，其中被接受的已持久写入）；其余各行未读取。请再次提交同一文件以完成：带 command_id 的行会答复为重复，而不会重复追加
cli-submit-stopped = 已答复 { $file } 的 { $lines } 行后停止（其结果在标准输出上，其中被接受的均已持久保存；其后的行未获确认）；处理好其后所说的原因后，请再次提交该文件（带 command_id 的行会作为重复命令应答，而不会追加两次）
cli-submit-stopped-unanswered = 从 { $file } 读入的 { $lines } 行在任何一行获得答复之前就停止了（其中一些可能已经记录：命令的事件持久保存后才输出其结果）；处理好其后所说的原因后，请再次提交该文件（带 command_id 的行会作为重复命令应答，而不会追加两次）
cli-stopped-by-signal = 已被信号（Ctrl-C、SIGTERM 或 SIGHUP）中止
cli-writer-failed = 账本写入失败：{ $cause }
cli-stopped-nothing-kept = 已中断：{ $what ->
        [backup] 备份
       *[restore] 恢复
    }已被信号（Ctrl-C、SIGTERM 或 SIGHUP）中止，此前写下的内容已删除：没有留下任何东西。请重新运行
cli-cannot-listen = 无法在 { $listen } 上监听
cli-listen-not-an-address = 无法在 { $listen } 上监听：它不是带端口（0 至 65535）的地址；请写作 主机:端口，例如 127.0.0.1:8080（127.0.0.1:0 会自动选择一个空闲端口并输出它）
cli-listen-in-use = 无法在 { $listen } 上监听：已有其他程序（也许是另一个 `flexledger serve`）在此监听。请先停止它，或用 --listen 指定其他地址（127.0.0.1:0 会自动选择一个空闲端口并输出它）
cli-listen-not-this-machine = 无法在 { $listen } 上监听：该地址不属于本机。请给出本机自己的地址：127.0.0.1 只供本机访问，0.0.0.0 监听本机所在的所有网络，或本机某个网卡的地址（`ip -brief address`）
cli-listen-denied = 无法在 { $listen } 上监听：系统拒绝了（1024 以下的端口需要 root 权限或 CAP_NET_BIND_SERVICE 能力）。请监听 1024 及以上的端口，由代理接管低端口，或授予该能力
cli-not-a-public-key = { $by ->
        [variable] $FLEXLEDGER_PUBLIC_KEY
       *[option] --public-key
    } 应为账本公布的公钥，{ $shape ->
        [no-key] 而 { $text } 虽是 64 位十六进制数字，却根本不是 Ed25519 公钥（是否有一位抄错？）：请重新复制公布的公钥（在账本密钥所在处运行 `flexledger-audit public-key` 可输出它）
       *[not-hex] 即 64 位十六进制数字（在账本密钥所在处运行 `flexledger-audit public-key` 可输出它）：收到 { $text }
    }

## `backup --server`：它自带的 HTTP 客户端的失败（src/cli/backup.rs `http`），以及服务以其
## 自己的话说出的拒绝（`$message`，按读者的语言请求）
cli-backup-server-needs-token = --server 需要 operator 或 auditor 角色的令牌：--token 或 $FLEXLEDGER_TOKEN
cli-backup-server-not-http = --server { $server }：请给出 http:// 地址（flexledger serve 只讲明文 HTTP；在 TLS 代理之后，请用 curl 获取 GET /v1/backup）
cli-backup-server-no-host = --server { $server } 未指明主机
cli-backup-server-cannot-connect = 无法连接 { $authority }（那里是否在运行 `flexledger serve`？）
cli-backup-server-cannot-send = 无法向 { $authority } 发送请求（{ $detail }）：服务是否已停止？请重新运行备份
cli-backup-server-closed = 备份结束之前服务关闭了连接（服务是否已停止？）：请重新运行备份
cli-backup-server-answered = 服务器答复 { $status }：{ $message }
cli-backup-server-position-differs = 服务器声明的备份位于位置 { $announced }，发来的却有 { $events } 个事件：未保留任何内容；请重新运行备份
cli-store-from-environment = 警告：$FLEXLEDGER_STORE 指定了存储 { $store }，因此不使用 { $data_dir } 中的 sled 账本（此时 --data-dir 只存放签名密钥和演示令牌）：要使用它，请取消设置 FLEXLEDGER_STORE
cli-restore-into-postgres = 恢复会新建一个 sled 数据目录：请恢复到 --data-dir DIR，再用 `flexledger copy --from DIR --to URL` 填充 PostgreSQL 存储
cli-backup-cannot-read = 无法读取备份
cli-backup-server-not-http-answer = --server 的答复不是 HTTP（首行：{ $line }）：--server 是否为 `flexledger serve` 的地址？
cli-backup-server-line-too-long = 服务器答复中有一行超过 { $bytes } 字节：--server 是否为 `flexledger serve` 的地址？
cli-backup-server-headers-too-many = 服务器答复的首部超过 { $headers } 个：--server 是否为 `flexledger serve` 的地址？
cli-backup-server-bad-length = 服务器答复的 Content-Length { $value } 格式错误：--server 是否为 `flexledger serve` 的地址？
cli-backup-server-bad-chunk = 服务器答复的分块大小 { $size } 格式错误（连接是否被切断？）：请重新运行备份
cli-copy-destination-not-empty = { $path } 中有文件但没有账本：复制会在那里新建一个存储；请用 --to 指定一个新的或空的目录
cli-cannot-read-after-line = 读取 { $file } 第 { $line } 行之后的内容失败
cli-input-utf16 = { $file } 是 UTF-16 文本，不是 UTF-8：未提交任何命令。请先转换：iconv -f UTF-16 -t UTF-8 { $file } > { $file }.utf8
cli-stdin-utf16 = 标准输入是 UTF-16 文本，不是 UTF-8：未提交任何命令。请先用 iconv -f UTF-16 -t UTF-8 转换
cli-restore-no-signing-key = 警告：没有安装签名密钥。该备份由密钥 { $key_id } 签名：请在恢复后的账本签名之前，把该密钥（账本的 audit-signing-key）复制到 { $path }，或让 $FLEXLEDGER_SIGNING_KEY 指向它；在此之前，账本照常记录命令，但拒绝签署检查点、导出和备份（账本一旦持有已签名的检查点，就绝不自行生成新密钥）。
cli-restore-key-not-pinned = 注意：备份的签名是按备份自己所写的密钥（密钥标识 { $key_id }）校验的，并非指定的公钥：请与该账本公布的公钥核对，或用 --public-key 指定
cli-restore-commands-unsigned = 注意：这份备份写于备份对其命令记录签名之前（审计包第 2 版，"commands_signed":false）：其事件和检查点已验证，但若其中某条命令记录被删除，将无法察觉，恢复后的账本会把该 id 下的另一条命令当作重复命令应答；请尽快用本版本重新备份
cli-restore-no-command-digests = 注意：这个文件不带命令摘要（审计包第 1 版：2026-12-05 之前由 `flexledger-audit export --all` 导出的文件，或 2026-12-04 之前写的备份）：对于其中已有的任何 id，新账本都会把该 id 下的命令当作重复命令应答，除非该 id 的事件不可能由该命令产生（事件流、事件种类或月份不同），如同 v1 接受的 id；要保留命令摘要，请从备份（`flexledger backup`）恢复
cli-restore-directory-open-to-others = 警告：{ $path } 对所有用户开放（权限 { $mode }），而其中现在存有参保人员的个人信息：请执行 `chmod 700 { $path }`（或为服务所在的组设为 750）
cli-backup-commands-unsigned = 注意：服务器发来的是审计包第 { $version } 版的备份，没有对其命令记录签名（"commands_signed":false）：已保存，也可以恢复，但若其中某条命令记录被删除，将无法察觉（较旧版本的服务器会发这样的备份，途中改写过它的任何环节也会）；本版本的服务器发送第 3 版
cli-disk-full-advice = ；磁盘已满：请腾出空间后重新运行该命令
cli-accept-head-accepted = 日志检查无误；新的头部见证已把位置 { $position } 记为日志头部
cli-accept-head-kept = 无法读取的头部见证已保留为 { $path }
cli-accept-head-not-sled = --accept-head 只用于 sled 数据目录：PostgreSQL 存储不另外保存头部见证
cli-submit-output-failed = { $broken ->
        [yes] 标准输出已关闭
       *[no] 写入标准输出失败（{ $error }）
    }；已读取并处理 { $lines } 行（已受理的命令均已持久保存），{ $file } 的其余部分未读取。请再次提交该文件以完成导入：带 command_id 的行会作为重复命令应答，不会重复追加。
cli-damage-mark-cleared = 整个存储校验通过：已删除“发现损坏”标记（{ $mark }），写入随即恢复
cli-damage-mark-kept-for-audit = 存储校验通过，但标记 { $mark } 保留：它是 { $found_by } 留下的，而后者还检查已签名的检查点，`flexledger verify` 不读这些检查点。请运行 `{ $verify }`（使用相同的 --store 和 --data-dir）：它所检查的一切都校验通过后，它会删除该标记，写入随即恢复
cli-verify-still-marked = 日志校验通过，但该存储仍标记为已损坏（{ $mark }）：{ $found_by } 于 { $found_at } 发现：{ $finding }；只有 `{ $verify }` 能清除该标记
cli-rebuild-checked = rebuild 成功不代表存储完好：它只按每个事件的哈希和日志的哈希链逐一校验，并据此重写了每一条状态行，没有校验各事件流的哈希链、命令记录和事件流索引。请运行 `flexledger verify` 校验整个存储
cli-rebuild-still-marked = 该存储仍带有“发现损坏”标记（{ $mark }）：只有 `flexledger verify` 校验整个存储完好之后才会删除该标记（审计工具留下的标记须由 `flexledger-audit verify` 删除）；在此之前，不会向该存储追加任何内容
cli-serve-writer-stopped = 一次追加失败，或存储不再接受本写入进程的追加（原因见上面的错误：磁盘已满、数据库重启或无法连接、数据损坏），因此服务器已停止：它在内存中持有的行可能尚未持久保存，也不会再据此应答。请排除原因后重新启动：它会重新读取已持久保存的日志；带 command_id 重新发送的命令，若已记录，会作为重复命令应答
cli-serve-writer-stopped-because = 一次追加失败（{ $cause }），因此服务器已停止：它在内存中持有的行可能尚未持久保存，也不会再据此应答。请排除原因后重新启动：它会重新读取已持久保存的日志；带 command_id 重新发送的命令，若已记录，会作为重复命令应答
cli-stdin-twice = { $options }：其中只有一个可以读取标准输入（'-'）；其余请以文件给出
cli-output-no-file-name = { $file } 没有指明文件：请指定要写入的文件
cli-output-rename = 无法将 { $from } 重命名为 { $file }
cli-demo-tokens-unreadable = 无法读取 { $path } 中的演示令牌（删除该文件即可生成新的令牌）
cli-demo-tokens-unwritable = 无法将演示令牌写入 { $path }
cli-cors-origins-too-many = --cors-origin 最多 { $max } 个（给出了 { $given } 个）
cli-demo-read-only = --demo 会向账本写入演示数据，而 --read-only 服务器从不写入：请在写入端启动演示
cli-read-only-rows-another-format = { $store } 的状态行由另一版本的程序写入，状态格式为 { $format }（本程序读取 { $current }），只读服务器不会重建它们，因而无法回答任何参保人员或统筹地区的查询。数据目录同一时间只能由一个进程打开，写入端无法在本服务器旁重建它们：请先在该目录上运行一次本版本的 `flexledger rebuild`（或任意 `flexledger` 命令），再启动服务器（D89）
cli-close-pending-answer = 月结仍在记录中，此时作答会缺少其尚未记录的后果：请向正在运行的写入端查询参保人员或统筹地区的月度报表（GET /v1/members/ID、/v1/regions/NAME/months/YYYY-MM），或在月结完成后再运行此命令
cli-serve-store-not-answering = 写入进程已有 { $seconds } 秒没有应答：其存储不再应答（数据库服务器停顿或过载、磁盘挂起），因此服务器退出。凡未得到应答的命令都未被确认：待存储恢复应答后重新启动服务器，并以原 command_id 重新发送每一条未得到应答的命令（若已记录，会作为重复命令应答）
cli-verify-rows-another-format = 已核验日志及其哈希值和索引，但状态行未与日志比对：它们由另一版本的程序写入，状态格式为 { $format }（本程序为 { $current }），若加以比对，可能显示不一致，但这并非数据损坏。状态行是日志的缓存，本版本的写入端打开存储时（不带 --read-only 的 `flexledger serve`、`submit` 或 `rebuild`）会从日志重建它们；之后请再次运行 verify 以比对。只有写入端仍在运行另一版本时才会出现这种情况：若写入端已在运行本版本，说明状态行在账本之外被改动过，请停止写入端并运行 `flexledger rebuild`，再运行 verify（D89）
cli-damage-mark-kept-uncompared = 存储仍标记为已损坏（{ $mark }）：未比对状态行的检查不会移除该标记。请在没有写入端运行时先运行本版本的 `flexledger rebuild`（它以本版本的格式重建状态行，标记保留），再运行 `{ $verify }`：它会比对状态行，整个存储检查无误时移除标记（D89）
cli-rows-another-format = { $store } 的状态行由另一版本的程序写入，状态格式为 { $format }（本程序读取 { $current }），而本命令只读，不会重建它们：据此作答可能有误。请改用与写入端相同版本的程序查询，或让本版本的写入端打开一次该存储（不带 --read-only 的 `flexledger serve`、`submit` 或 `rebuild`）：它会从日志重建状态行（D89）
