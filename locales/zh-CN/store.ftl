# 操作人员会遇到的存储错误，flexledger 与 flexledger-audit 在标准错误上这样说
# （src/store/mod.rs，`StoreError::sentence`）：存储引擎、操作系统和损坏报告自己的话（`detail`）照原样保留。

store-io = 读写 { $path } 失败：{ $detail }
store-locked = 数据目录 { $path } 正被另一个 flexledger 进程使用（它持有该目录的锁）：请先停止那个进程，或指定另一个数据目录。若是 `flexledger serve`，请改为向服务器查询参保人员、统筹地区和事件（`GET /v1/members/ID`、`/v1/regions/NAME/months/MONTH`、`/v1/members/ID/events`），或用 `flexledger backup --server URL` 与 `flexledger restore` 复制它的账本
store-not-a-directory = { $path } 是一个文件，而不是数据目录：请用 --data-dir 指定一个目录（新账本请指定新目录）
store-permission-denied = 无权访问 { $path }：{ $detail }；运行 flexledger 的用户需要对数据目录及其中每个文件有读写权限
store-permission-denied-database = 数据库 { $path } 拒绝访问：{ $detail }；存储所用的用户需要账本各表的全部权限（以该用户运行 `flexledger migrate`，这些表即归其所有）
store-database-read-only = 数据库 { $path } 把每个事务都设为只读（{ $detail }，由数据库或角色设定）：写入进程无法向其追加。请为写入进程关闭该设定（`ALTER ROLE … SET default_transaction_read_only = off`，或对数据库作同样设定）后重新启动写入进程；只读的使用方（`serve --read-only`、`verify`）可以照常使用
store-read-only-file-system = { $path } 位于只读文件系统上（{ $detail }）：存储引擎即使只是读取也要写入其文件（打开时写入快照），因此任何命令都无法在那里使用该账本。请把数据目录复制到可写的磁盘（cp -a { $path } COPY），再对副本运行该命令
store-disk-full = { $reason ->
        [file-size] { $path } 下的文件已达到本进程的文件大小上限（`ulimit -f`，systemd 的 LimitFSIZE）：{ $detail }；请提高该上限后重新运行该命令（只读的命令也会写入：存储引擎打开存储时即会写入；凡写入失败的内容均未被确认）
        [database] { $path } 的数据库服务器已无剩余空间：{ $detail }；请在数据库服务器上腾出空间后重新运行该命令（凡写入失败的内容均未被确认）
       *[disk] { $path } 所在的磁盘已满：{ $detail }；请腾出空间后重新运行该命令（只读的命令也会写入：存储引擎打开存储时即会写入；凡写入失败的内容均未被确认）
    }
store-damaged = 存储的数据已损坏：{ $detail }
store-damaged-at = 存储的数据在位置 { $position } 处已损坏：{ $detail }
store-writer-locked = 存储 { $store } 正被另一个 flexledger 写入进程使用（它持有该存储的写入锁）：请先停止那个进程，或改用只读的命令与它并行（`verify`、`events`，没有正在记录的月结时，查询参保人员与统筹地区的 `member` 与 `region`，`flexledger-audit verify`，`serve --read-only`）；正在提供服务的账本，其备份请向服务器获取（`flexledger backup --server URL`）
store-standby = 存储 { $store } 位于处于恢复模式（只读）的热备库上，不接受写入：凡要写入或持有写入锁的命令（`serve`、`submit`、`migrate`、`rebuild`、`backup`、`copy`、`flexledger-audit checkpoint` 和 `export`）请连接主库；在此处可运行 `serve --read-only` 或只读的审计命令，备份请从持有账本密钥的只读服务器获取（`flexledger backup --server URL`）
store-found-damaged = { $found_by } 于 { $found_at } 发现该存储已损坏（{ $detail }）；已发现损坏的存储不再追加任何内容：若从备份恢复，备份之后追加的内容都会丢失。请先把数据目录复制到别处，按下文恢复，然后运行 `{ $verify }`：整个存储校验通过后，标记 { $mark } 会被删除，写入随即恢复
store-found-rewritten = { $found_by } 于 { $found_at } 发现，在账本外保存的检查点签名之后，该账本的日志被改写（或回退）（{ $detail }）：不再向它追加任何内容，也不再签署任何内容。请按下文恢复；只有带上发现问题的那个检查点、且校验通过的 `{ $verify }` 才会删除标记 { $mark }
store-not-migrated = 存储 { $store } 的表结构版本为 { $found }，本版本需要 { $needed }：请运行 `flexledger migrate --store { $quoted }`（如该存储设有密码，请一并提供），然后重试
store-foreign-schema = 存储 { $store } 所在的数据库中有一张不属于 flexledger 的表 { $table }（属于其他应用，或是手工建立的）：账本需要一个专用的数据库。请新建一个（createdb NAME），并在其上运行 `flexledger migrate`
store-table-missing = 存储 { $store } 已迁移，却没有表 { $table }（被手工删除，或未从转储中导回）：表中的数据已丢失，本次未作任何改动。请从数据库的备份恢复，或将备份文件恢复到一个新的数据目录（`flexledger restore`），再由它填充一个新的数据库（`flexledger copy --from DIR --to URL`）；`migrate` 不会重建被删除的表
store-schema-too-new = 存储 { $store } 的表结构版本为 { $found }，比本版本所知的（{ $known }）更新：它已由更新版本的 flexledger 迁移；请使用那个版本
store-migrations-unrecorded = 存储 { $store } 中有账本的表（包括 { $table }），但其 schema_migrations 表中没有任何迁移记录（记录被删除，或转储时被遗漏）：无法知道这些表处于哪个表结构版本，因此本次既未打开也未迁移（`migrate` 会因重建这些表而失败）。请从数据库的备份中找回这些记录；或者，如果确知这些表是由表结构版本为 { $known } 的 flexledger（即本版本）建立的，可手工记录该版本：INSERT INTO schema_migrations (version, name) SELECT v, 'recorded by hand' FROM generate_series(1, { $known }) AS v; 然后先运行 `flexledger verify --store …`，再做其他操作
store-copy-being-made = { $store } 中是 `flexledger copy` 中途停止时尚未建成的存储（{ $making }）：它还不是账本。请再次运行同一条复制命令以完成复制，或删除 { $quoted } 后重新开始
store-restore-unfinished = { $store } 是一次仍在运行或中途停止、未完成的恢复（其中有 { $store }/restore-unfinished）：它只含备份的一部分，不是账本。如有 `flexledger restore` 正在运行（见 `ps`），请等它结束；否则请删除它（rm -r { $quoted }；若是为账本准备的目录，只删除其中的内容）后重新运行恢复
store-unavailable = 无法使用存储 { $store }：{ $advice ->
        [login] { $detail }；请检查 URL 给出的用户名和密码，以及服务器的 pg_hba.conf{ $password_from ->
            [none] {""}
           *[other] （用户 { $user }；密码来源：{ $password_from ->
                [url] URL
                [environment] PGPASSWORD
                [file] 密码文件 { $path }
               *[nowhere] 无（未找到密码）
            }）
        }
        [no-database] { $detail }；该数据库不存在：请创建它（createdb { $database }），运行 `flexledger migrate --store { $quoted }`，然后重试
        [too-many-connections] { $detail }；服务器目前不接受新连接：请稍后重试，或调高其 max_connections
        [role-connection-limit] { $detail }；登录所用角色已达到其自身的连接数上限：请关闭它的其他会话，或调高该上限（ALTER ROLE … CONNECTION LIMIT）
        [not-answering] 服务器接受了连接却没有及时应答（每个主机的 connect_timeout 之后再等 10 秒）：它是否已停顿或过载？该地址上监听的是否是别的程序？
        [readers-busy] 读取端与服务器的 8 个连接都在等待应答，60 秒内没有一个空出来：服务器是否已停顿或过载（备库被冻结、磁盘挂起）？已发出的读取会一直等到它应答；请在它恢复应答后重试
        [starting-up] { $detail }；服务器正在启动或关闭：请稍候重试
        [shut-down] { $detail }；服务器已关闭，或管理员终止了这个连接（pg_terminate_backend）：服务器若已停止请启动它，然后重试
        [connection-failed] { $detail }；与服务器的连接失败：服务器是否在运行、能否连通？
        [encryption] { $detail }；连接未按 sslmode=require 的要求加密：服务器必须设置 ssl = on，且其证书必须能按 URL 访问它所用的名称或地址通过验证（证书颁发机构不在系统信任库中时，请在 URL 中以 sslrootcert=PATH 给出）
        [not-reachable] { $detail }；服务器是否在运行？URL 是否写明了它的主机和端口（或套接字目录）？
        [password-missing] 服务器要求用户 { $user } 提供密码，但未给出：请把密码写入 ~/.pgpass（或 PGPASSFILE）或 PGPASSWORD（不要写进 URL：进程列表和 shell 历史中都看得到它）
       *[none] { $detail }
    }

store-restore-target-not-empty = { $path } 已存在且不为空：restore 会新建一个数据目录；请用 --data-dir 指定一个新的或空的目录
store-restore-target-unusable = { $path } 不能用作新的数据目录：{ $detail }

## 损坏报告所发现的问题（`DamageDetail`），嵌在 store-damaged-at 中说出
store-found-altered = 该事件的字节与其保存的哈希 { $stored } 不符（其 SHA-256 为 { $computed }）：该事件被改动过
store-found-other-stream = 事件元数据中的事件流 { $stream } 与其内容不符
store-found-not-canonical = 保存的字节不是规范形式
store-found-gap = 日志有缺口：下一条记录的位置是 { $next }
store-found-log-short = 日志止于位置 { $last }，而其头部位置为 { $head }：有事件丢失
store-found-engine-damaged = 存储引擎发现其文件已损坏（{ $detail }）；请从备份恢复数据目录
store-found-prev-hash = `prev_hash` { $prev_hash } 与前一个事件的哈希 { $previous } 衔接不上：它之前的某个事件被改动、删除或调换了顺序
store-found-index-entry = 事件流 { $stream } 的索引项 { $version } 与事件不符
store-found-stream-prev-hash = `stream_prev_hash` 与事件流 { $stream } 的版本 { $version } 衔接不上：该事件流的某个事件被改动、删除或调换了顺序
store-found-witness-missing = 头部见证 { $witness } 不见了，而该存储一直保存着它：它被删除了，或者复制、恢复数据目录时漏掉了它；这样，一个丢失了最后若干事件的日志看起来也会是完整的（它止于位置 { $head }）。请从数据目录的来处把该文件放回，或从备份恢复数据目录；若要在校验每个哈希之后按现状接受该日志，请运行 `flexledger verify --accept-head`
store-found-witness-slot-spoiled = 头部见证 { $witness } 的两个槽位之一无法读取，而日志恰好止于另一个槽位记录的位置 { $head }：无法读取的槽位可能记录过日志中已不存在的更晚事件（存储引擎的文件被回退），也可能只是该槽位损坏；崩溃不会造成这种情况（追加先持久化，再写入见证）。请从备份恢复数据目录；若只是见证文件损坏，请运行 `flexledger verify --accept-head`，它会校验每个哈希并为日志头部重新作见证（损坏的文件保留在旁边，名为 damaged-head-witness）
store-found-witness-ahead = 日志止于位置 { $head }，而头部见证 { $witness } 记录位置 { $witnessed } 已持久追加：存储引擎丢失了位置 { $first_lost } 至 { $witnessed } 的事件（其文件被截短或损坏）。请从备份恢复数据目录；不要再向该存储追加（那会重用丢失的位置）
store-found-witness-other-hash = 该事件的哈希为 { $hash }，而头部见证 { $witness } 为此位置记录的是 { $witnessed_hash }（日志止于位置 { $head }）：日志被改写或损坏，或者该头部见证是另一个数据目录的文件（从别处复制而来：请放回本目录自己的头部见证）。否则请从备份恢复数据目录
store-found-pg-witness-ahead = 数据库止于位置 { $head }，而本数据目录的头部见证 { $witness } 记录其写入进程已追加到位置 { $witnessed }：已答复为记录成功的位置 { $first_lost } 至 { $witnessed } 的事件不在数据库中（数据库由较旧的副本恢复，或提升了一个落后的备库）。未追加任何内容：追加会把这些位置给了别的事件。请找回丢失的事件（较新的副本，或原主库的数据）；若要接受这一损失，请把头部见证移开（`mv { $witness } { $aside }`），用写入进程的 --store 和 --data-dir 运行 `flexledger verify`，再启动写入进程，并请发送方重新发送丢失的命令
store-found-pg-witness-slot-spoiled = 本数据目录的头部见证 { $witness } 的两个槽位之一无法读取，而数据库恰好止于另一个槽位记录的位置 { $head }：无法读取的槽位可能记录过数据库中没有的更晚提交（数据库由较旧的副本恢复，或提升了一个落后的备库），也可能只是该槽位损坏；崩溃不会造成这种情况（每次提交之后才写入见证）。未追加任何内容。请找回可能丢失的事件（较新的副本，或原主库的数据）；若要按现状接受该数据库，请把头部见证移开（`mv { $witness } { $aside }`），用写入进程的 --store 和 --data-dir 运行 `flexledger verify`，再启动写入进程
store-found-pg-witness-other-hash = 数据库中位置 { $witnessed } 的事件哈希为 { $hash }，而本数据目录的头部见证 { $witness } 记录的是 { $witnessed_hash }：数据库中的历史不是本写入进程在此追加的那一份（由较旧的副本恢复后又被写入，或是另一个账本的数据库）。未追加任何内容。若是另一个账本，请用该账本自己的数据目录启动其写入进程；否则请从备份恢复数据库，或者，若要按现状接受，请把头部见证移开（`mv { $witness } { $aside }`）并用写入进程的 --store 和 --data-dir 运行 `flexledger verify`
store-found-pg-witness-unreadable = 本数据目录的头部见证 { $witness } 无法读取（没有完好的写入进程已追加头部的记录），因此无法判断数据库是否丢失了事件。若无人改动过它，那是崩溃或磁盘损坏所致：请把它移开（`mv { $witness } { $aside }`），用写入进程的 --store 和 --data-dir 运行 `flexledger verify`，再启动写入进程，写入进程会另建一个
store-found-witness-kept = { $finding }。`--accept-head` 只用于缺失或无法读取的头部见证；它不会覆盖记录了日志所丢失内容的见证。若仍要接受这一损失，请先把见证移到一旁：`mv { $witness } { $aside }`，然后再次运行 `flexledger verify --accept-head`

## `verify` 遍历存储时发现的问题（src/store/findings.rs，由 src/ledger.rs 调用）
store-found-rows-not-the-log-s = 状态行中事件流 { $stream } 的版本为 { $rows }，日志中却为 { $log }：某个状态行（或嵌入式存储的事件流索引）被改动或丢失，且有一条命令据此作出了决定；本次未追加任何内容（`flexledger verify` 会指出不一致之处，`flexledger rebuild` 会依据日志重建状态行）
store-found-stream-discontinued = 事件流 { $stream } 没有从版本 { $version } 接续下去：该事件流的某个事件被改动、删除或调换了顺序
store-found-hash-not-reproducible = 保存的字节不是规范形式：无法由打印出的事件重新算出其哈希
store-found-command-records-count = 日志中有 { $commands } 条命令，命令记录却有 { $records } 条：有命令记录被添加或删除
store-found-command-record = 命令 { $command } 在位置 { $first } 至 { $last } 的事件与其命令记录不符（{ $recorded ->
        [some] 命令记录为自位置 { $recorded_first } 起的 { $recorded_count } 个事件{ $digested ->
            [some] ，命令内容摘要为 { $digest }
           *[none] {""}
        }
       *[none] 没有该命令的命令记录
    }）
store-found-index-stray-stream = 事件流索引列出了事件流 { $stream }，而日志中没有它的事件
store-found-index-version-after = 事件流 { $stream } 的索引在版本 { $after } 之后列出的是版本 { $version }
store-found-index-count = 事件流 { $stream } 在日志中有 { $events } 个事件，在其索引中却有 { $indexed } 个
store-found-index-positions = 事件流 { $stream } 的索引所记的事件位置与日志中的位置不符
store-found-state-differs = 已保存的状态行与由日志重新计算所得的结果不符：{ $row }
store-found-folded-undecodable = 参保人员 { $member } 由事件推算出的状态无法解码：{ $detail }
store-found-fold-position = 位置必须递增；上一个已应用的位置是 { $last }
store-found-fold-close-region = 未知统筹地区 { $region } 的月结
store-found-fold-enrolled-twice = 参保人员 { $member } 参保了两次
store-found-fold-enrollment-region = 在未知统筹地区 { $region } 参保
store-found-fold-not-member-event = `{ $type }` 不是参保人员的事件
store-found-fold-unknown-member = 未知参保人员 { $member } 的 `{ $type }` 事件
store-found-fold-member-region = 参保人员 { $member } 所在的统筹地区未知
store-found-fold-payment-months = 缴费没有月份
store-found-fold-member-period = 参保人员没有参保期
store-found-fold-refund-unpaid = { $month } 的退费，而该月并未缴费
store-found-fold-grant-length = 给予的补贴期限超出范围
store-found-fold-no-member = 该历史中没有参保人员 { $member }

## 问题所指的状态行（也用于 rebuild 的列表），嵌在 store-found-state-differs 和 store-found-row-undecodable 中
store-row-checkpoint = 检查点行（{ $stored ->
        [some] 记录位置 { $position }，状态格式 { $format }
       *[none] 没有保存
    }；日志头部位置 { $head }）
store-row-region = 统筹地区 { $region }
store-row-some-region = 某个统筹地区
store-row-index = 统筹地区 { $region } 的{ $index ->
        [granted] 社会保险补贴索引
       *[enrolled] 参保索引
    }
store-row-month-totals = 统筹地区 { $region } { $month } 的月度合计
store-row-summary = 统筹地区 { $region } 的汇总
store-row-region-summary = 统筹地区 { $region } 的汇总
store-row-region-month = 统筹地区 { $region } { $month } 的月度合计
store-row-member = 参保人员 { $member }
store-row-stray-member = 参保人员 { $member }（存有其状态行，日志中却没有该参保人员）
store-row-unknown-key = 键为 { $key } 的状态行（任何版本都不会写出这样的键）

## 读取状态行时发现的问题
store-found-row-undecodable = 状态行无法解码（{ $row }）：{ $detail }
store-found-row-invalid = 已保存的状态行不成立：{ $detail }
store-found-row-other-member = 已保存的状态行有误：参保人员 { $member } 的状态行存放的是参保人员 { $held }
store-found-region-row-missing = 参保人员 { $member } 所在的统筹地区 { $region } 没有状态行
store-found-member-row-missing = 参保人员 { $member } 自位置 { $position } 起有事件，却没有状态行：状态行已损坏（`flexledger rebuild` 会根据日志重新写出状态行）
store-found-indexed-member-row-missing = 参保人员 { $member } 在统筹地区 { $region } 的索引中，却没有状态行
store-found-close-walk-out-of-order = 月结遍历统筹地区 { $region } 的参保索引和补贴索引时，在参保人员 { $after } 之后再次或乱序遇到参保人员 { $member }：索引中有不应有的参保人员（已停保的参保人员仍在参保索引中，或键的顺序错乱）
store-found-member-stream-start = 参保人员的事件流必须以 `MemberEnrolled` 事件开始
store-found-checkpoint-row-length = 检查点行有 { $bytes } 个字节，应为 8 或 12 个
store-found-checkpoint-row-format = 检查点行记载的状态格式为 { $format }，没有任何版本的程序会写入这一格式（12 字节的检查点行记载的格式为 2 或更高）
store-found-closing-undecodable = 一条进行中的月结记录无法解码：{ $detail }
store-found-feed-item-undecodable = 一条事件推送条目无法解码：{ $detail }
store-found-coverage-change-undecodable = 一条参保记录变更无法解码：{ $detail }
store-found-coverage-change-misplaced = 参保人员 { $member } 的一条参保记录变更标明位置 { $position }，与其在事件推送中的存放位置不符：超出日志范围（位置 1 至 { $head }），或早于存放在它之前的变更
store-indexed-as = 事件流索引将位置 { $position } 记为事件流 { $stream } 的第 { $version } 个事件
store-found-copy-row-undecodable = 标记复制尚未完成的行无法解码：{ $detail }
store-found-index-member-id = 统筹地区 { $region } 的{ $index ->
        [granted] 社会保险补贴索引
       *[enrolled] 参保索引
    }中有一个格式错误的参保人员编号

## 备份、审计包和已签名的检查点（src/backup.rs、src/audit/）
store-found-stored-checkpoint = 已保存的检查点有误：{ $error }
store-found-backup-checkpoint = 备份的检查点有误：{ $error }
store-found-checkpoint-stored = 已保存的检查点有误：{ $error }
store-checkpoint-malformed = 检查点的签名文本格式有误：{ $detail }
store-checkpoint-bad-key = 检查点的公钥格式有误：{ $detail }
store-checkpoint-wrong-key = 检查点由密钥 { $found } 签名，而非指定的公钥 { $pinned }
store-checkpoint-bad-signature = 检查点的签名未通过验证：签名的内容被改动过，或不是由该密钥签名
store-found-checkpoint-rewritten = 在这一树大小签名的检查点所承诺的根哈希与日志给出的不同：日志在签名之后被改写过
store-found-checkpoint-root-rewritten = 树大小为 { $size } 时签名的检查点承诺的{ $root ->
        [heads] 事件流头部根哈希
       *[root] 根哈希
    }为 { $signed }，而日志给出的是 { $found }：日志在签名之后被改写过（改写发生在位置 { $from } 至 { $size } 中的一处或多处：{ $narrowed ->
        [no] 检查点以一个根哈希承诺其全部事件，无法指出是哪一处；您保存的仍相符的较小检查点可以缩小范围
       *[yes] 您保存的树大小为 { $matched } 的检查点仍与日志相符
    }）
store-found-empty-checkpoint-roots = 空日志的已签名检查点所承诺的根哈希有误
store-found-checkpoint-beyond-log = 一个已签名的检查点涵盖 { $size } 个事件，而日志中只有 { $events } 个：有事件被删除
store-found-audit-checkpoint-undecodable = 树大小为 { $size } 时保存的审计检查点无法解码：{ $detail }
store-found-checkpoint-other-key = 在这一树大小保存着一个检查点，但它无法用该账本的密钥验证
store-found-log-before = 日志止于位置 { $head }，还不到位置 { $last }
store-found-log-ends-before-head = 日志止于位置 { $end }，而其头部位置为 { $head }
store-found-member-no-events = 参保人员 { $member } 没有事件
store-found-member-not-in-log = 参保人员 { $member } 在日志中没有事件
store-found-stream-not-in-log = 事件流 { $stream } 在日志中没有事件
store-found-stream-no-head = 事件流 { $stream } 没有头部
store-found-stream-name = 事件流名称 { $stream } 无法解析
store-found-no-heads-proof = 无法从事件流头部树得出证明
store-found-no-inclusion-proof = 树中的一个事件没有包含证明
store-found-scope-events = 所选范围的事件流在检查点之前共有 { $events } 个事件，却读到了 { $read } 个
store-found-changed-during-backup = 该事件与已签名的树中的事件不同：它在备份过程中被改动了
store-found-log-short-of-checkpoint = 日志止于位置 { $last }，而备份的检查点涵盖 { $size } 个事件
store-found-restored-hash = 恢复出的事件哈希为 { $hash }，而非备份中的 { $backup }
store-found-restored-head = 恢复出的日志止于位置 { $position }（哈希 { $hash }），而非备份的位置 { $events }（哈希 { $backup_hash }）

## 存储引擎自己的行和文件（src/store/sled_store.rs、postgres/、stream_index.rs、log_block.rs）
store-found-index-row-key = 事件流 { $stream } 的索引行的键太短，容不下版本号
store-found-index-row-not-positions = 事件流 { $stream } 的索引行不是一串位置
store-found-index-row-size = 事件流 { $stream } 自版本 { $version } 起的索引行存有 { $positions } 个位置，另有 { $extra } 个多余字节（应为 1 至 { $max } 个位置，且没有多余字节）
store-found-index-row-not-increasing = 事件流 { $stream } 自版本 { $version } 起的索引行所存的位置不是递增的
store-found-entry-no-hash = 日志条目太短，放不下一个哈希值
store-found-entry-no-event = 日志条目太短，放不下一个哈希值和一个事件
store-found-entry-cut-short = 紧凑格式的日志条目被截短了
store-found-entry-text-not-utf8 = 有一个文本字段不是 UTF-8 编码
store-found-entry-payload-not-utf8 = 事件内容（`payload`）不是 UTF-8 编码
store-found-entry-schema-version = 模式版本号（`schema_version`）超出范围
store-found-entry-stream-tag = 流的标记 { $tag } 无法识别
store-found-entry-type-code = 本版本不认识事件类型代码 { $code }
store-found-entry-time-tag = `recorded_at` 的标记 { $tag } 无法识别
store-found-entry-nanoseconds = `recorded_at` 的纳秒数超出范围
store-found-entry-time-out-of-range = `recorded_at` 的时间超出范围
store-found-entry-time = `recorded_at` 无法解码：{ $detail }
store-found-entry-varint-overlong = 有一个变长整数写得比所需的长
store-found-entry-varint-out-of-range = 有一个变长整数超出范围
store-found-entry-other-position = 事件元数据声称其位置为 { $position }
store-found-block-key = 一个日志块的键有 { $bytes } 个字节
store-found-block-empty = 位置 { $first } 起的日志块是空的
store-found-block-format = 位置 { $first } 起的日志块格式 { $format } 无法识别
store-found-block-varint = 位置 { $first } 起的日志块{ $problem ->
        [cut-short] 被截短了
        [overlong] 中有一个变长整数写得比所需的长
       *[out-of-range] 中有一个变长整数超出范围
    }
store-found-block-count = 位置 { $first } 起的日志块声称有 { $count } 个条目（应为 1 至 { $max } 个）
store-found-block-cut-short = 位置 { $first } 起的日志块在条目 { $entry } 处被截短
store-found-block-extra = 位置 { $first } 起的日志块在其条目之后还有 { $extra } 个字节
store-found-engine-files = 存储引擎在 { $path } 中的文件已损坏（{ $detail }）；无法从中读取账本。请从备份恢复（`flexledger restore FILE --data-dir NEW`，或在没有 flexledger 进程运行时复制的数据目录）；不要手工删除或编辑其中的文件
store-engine-damaged-at = 在数据文件 `db` 的第 { $byte } 字节处读回的数据已损坏
store-engine-damaged = 读回的数据已损坏
store-engine-cut-short = 存储引擎的某个文件比它所记录的数据短：该文件被截短（被截断，或在写入过程中被复制）
store-engine-check-failed-reading = 存储引擎读取这些文件时未通过其内部检查：{ $detail }
store-engine-check-failed = 存储引擎未通过其内部检查：{ $detail }
store-engine-words = { $words }
store-location-not-a-url = --store 需要 PostgreSQL URL（postgres://user@host/database）；{ $given } 不是。若用内嵌的 sled 存储，请改用 --data-dir DIR
store-found-data-file-behind-snapshot = 存储引擎的数据文件 { $path } 止于其最新快照 { $snapshot } 之前：快照记录的存储引擎日志到引擎日志序号 { $snapshot_lsn } 为止，而该文件只保存到引擎日志序号 { $file_lsn }，可见快照写出之后该文件被截短或回滚了（未打开该存储：没有改动任何内容）。请从备份恢复（`flexledger restore FILE --data-dir NEW`，或在没有 flexledger 进程运行时复制的数据目录）。若没有备份，先把数据目录复制到一旁（`cp -a { $dir } …`），再把快照移到一旁：`{ $moves }`，然后运行 `flexledger verify`：存储引擎会尽可能恢复该文件中仍有的内容，头部见证会指出丢失了哪些事件
store-found-segment-header = 存储引擎的数据文件 { $path } 在字节 { $offset } 处有一个损坏的段头（第 { $segment } 段，共 { $segments } 段）：存储引擎恢复时会略过该段，因此现在追加的内容会在下次打开时丢失。请从备份恢复数据目录；不要再向该存储追加
store-found-engine-dir-missing = 存储引擎的目录 { $path } 不见了，而头部见证 { $witness } 记录位置 { $position } 已持久追加：存储引擎的文件被删除了，或者复制数据目录时漏掉了它们。请从备份恢复数据目录；此处没有新建任何内容
store-found-witness-unreadable = 头部见证 { $witness } 无法读取（没有一条完好的日志头部记录），因此无法判断日志是否丢失了最后若干事件。请从备份恢复数据目录；若要在校验每个哈希之后按现状接受该日志，请运行 `flexledger verify --accept-head`（它会把无法读取的文件保留在旁边，名为 { $kept }）
store-found-entry-too-short = 日志条目太短，容不下哈希
store-found-entry-missing = 该日志条目不见了
store-found-key-without-id = 一个 { $prefix } 键后面不是 16 字节的编号
store-found-index-ends-before = 事件流 { $stream } 的索引止于版本 { $version }，而它的下一个事件是版本 { $next }
store-found-index-missing-event = 事件流 { $stream } 的索引指向一个不存在的事件
store-found-coverage-row = 一行参保记录变更已损坏：{ $detail }
store-found-coverage-key = 一个参保记录变更的键有 { $bytes } 个字节
store-found-command-record-length = 命令 { $command } 的命令记录既不是 16 个字节，也不是 { $bytes } 个字节
store-found-command-digest-length = 命令 { $command } 的命令记录中的内容摘要不是 32 个字节
store-found-index-key = 一个事件流索引键（{ $bytes } 个字节）没有指明事件流
store-found-not-8-bytes = { $field ->
        [stream-index-value] 事件流索引的值
        [stream-key-version] 事件流键中的版本号
        [log-key] 日志的键
        [coverage-key] 参保记录变更的键
        [span] 命令记录中的位置或事件数
       *[audit-checkpoint-key] 审计检查点的键
    }不是 8 个字节
store-found-position-too-large = 位置 { $position } 超出了该存储所能容纳的范围
store-found-position-negative = 保存的位置是负数（{ $stored }）
store-found-other-schema = 保存的行与本版本写入的表结构不符（{ $detail }）
store-found-head-row-ahead = 日志止于位置 { $head }，而该存储的头部行记录位置 { $recorded } 已持久追加：该存储丢失了位置 { $first_lost } 至 { $recorded } 的事件（其日志的行被删除了，或者数据库是从较旧的副本恢复的）。请从备份恢复数据库；不要再向该存储追加（那会重用丢失的位置）
store-found-head-row-other-hash = 该事件的哈希为 { $hash }，而该存储的头部行为此位置记录的是 { $recorded_hash }（日志止于位置 { $head }）：日志被改写或损坏。请从备份恢复数据库
store-found-set-aside = 存储引擎在 { $path } 中的文件无法打开（{ $detail }）：{ $count ->
        [one] 损坏的文件是 { $first }
       *[other] 损坏的文件是 { $first } 和 { $second }
    }。请在没有 flexledger 进程运行时把{ $count ->
        [one] 它
       *[other] 它们
    }移到一旁：`{ $moves }`，然后运行 `flexledger verify`，它会遍历整个日志：日志的头部应当是您最近一个检查点的头部（`flexledger-audit checkpoint --list`）或更晚的位置。只有在仍然失败时，才从备份恢复数据目录；不要手工删除或编辑其中的其他文件
store-set-aside-file = { $file }（{ $why ->
        [settings] 存储引擎没有设置文件时会重新写出它，所用的正是 flexledger 每次打开它时使用的设置
       *[snapshot] 快照只是一条捷径：存储引擎没有它也能从自己的日志重建页表
    }）
