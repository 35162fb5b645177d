# 操作人员会遇到的存储错误，flexledger 与 flexledger-audit 在标准错误上这样说
# （src/store/mod.rs，`StoreError::sentence`）：存储引擎、操作系统和损坏报告自己的话（`detail`）照原样保留。

store-io = 读写 { $path } 失败：{ $detail }
store-locked = 数据目录 { $path } 正被另一个 flexledger 进程使用（它持有该目录的锁）：请先停止那个进程，或用 --data-dir 指定另一个数据目录
store-permission-denied = 无权访问 { $path }：{ $detail }；运行 flexledger 的用户需要对数据目录及其中每个文件有读写权限
store-disk-full = { $path } 所在的磁盘已满：{ $detail }；请腾出空间后重新运行该命令（写入失败的内容未被确认）
store-damaged = 存储的数据已损坏：{ $detail }
store-damaged-at = 存储的数据在位置 { $position } 处已损坏：{ $detail }
store-writer-locked = 存储 { $store } 正被另一个 flexledger 写入进程使用（它持有该存储的写入锁）：请先停止那个进程，或以只读方式打开该存储
store-standby = 存储 { $store } 位于处于恢复模式（只读）的热备库上，不接受写入：请让写入进程（`serve`、`submit`、`migrate`、`rebuild`、`checkpoint`、`export`）连接主库，或在此处运行 `serve --read-only`
store-found-damaged = { $found_by } 于 { $found_at } 发现该存储已损坏（{ $detail }）；已发现损坏的存储不再追加任何内容：若从备份恢复，备份之后追加的内容都会丢失。请先把数据目录复制到别处，按下文恢复，然后运行 `flexledger verify`：整个存储校验通过后，标记 { $mark } 会被删除，写入随即恢复
store-not-migrated = 存储 { $store } 的表结构版本为 { $found }，本版本需要 { $needed }：请运行 `flexledger migrate --store { $quoted }`（如该存储设有密码，请一并提供），然后重试
store-schema-too-new = 存储 { $store } 的表结构版本为 { $found }，比本版本所知的（{ $known }）更新：它已由更新版本的 flexledger 迁移；请使用那个版本
store-copy-being-made = { $store } 中是 `flexledger copy` 中途停止时尚未建成的存储（{ $making }）：它还不是账本。请再次运行同一条复制命令以完成复制，或删除 { $quoted } 后重新开始
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
        [no-database] { $detail }；该数据库不存在：请创建它（createdb NAME），运行 `flexledger migrate --store { $quoted }`，然后重试
        [too-many-connections] { $detail }；服务器目前不接受新连接：请稍后重试，或调高其 max_connections
        [starting-up] { $detail }；服务器正在启动或关闭：请稍候重试
        [shut-down] { $detail }；服务器已关闭：请启动它后重试
        [connection-failed] { $detail }；与服务器的连接失败：服务器是否在运行、能否连通？
        [encryption] { $detail }；连接未按 sslmode=require 的要求加密：服务器必须设置 ssl = on，且其证书必须能按 URL 访问它所用的名称或地址通过验证（证书颁发机构不在系统信任库中时，请在 URL 中以 sslrootcert=PATH 给出）
        [not-reachable] { $detail }；服务器是否在运行？URL 是否写明了它的主机和端口（或套接字目录）？
        [password-missing] 服务器要求用户 { $user } 提供密码，但未给出：请把密码写入 ~/.pgpass（或 PGPASSFILE）、PGPASSWORD 或 URL
       *[none] { $detail }
    }

store-restore-target-not-empty = { $path } 已存在且不为空：restore 会新建一个数据目录；请用 --data-dir 指定一个新的或空的目录
store-restore-target-unusable = { $path } 不能用作新的数据目录：{ $detail }

## 损坏报告所发现的问题（`DamageDetail`），嵌在 store-damaged-at 中说出
store-found-altered = 该事件的字节与其保存的哈希 { $stored } 不符（其 SHA-256 为 { $computed }）：该事件被改动过
store-found-other-stream = 信封中的事件流 { $stream } 与其内容不符
store-found-not-canonical = 保存的字节不是规范形式
store-found-gap = 日志有缺口：下一条记录的位置是 { $next }
store-found-log-short = 日志止于位置 { $last }，而其头部位置为 { $head }：有事件丢失
store-found-engine-damaged = 存储引擎发现其文件已损坏（{ $detail }）；请从备份恢复数据目录
store-found-prev-hash = `prev_hash` { $prev_hash } 与前一个事件的哈希 { $previous } 衔接不上：它之前的某个事件被改动、删除或调换了顺序
store-found-index-entry = 事件流 { $stream } 的索引项 { $version } 与事件不符
store-found-stream-prev-hash = `stream_prev_hash` 与事件流 { $stream } 的版本 { $version } 衔接不上：该事件流的某个事件被改动、删除或调换了顺序
store-found-witness-missing = 头部见证 { $witness } 不见了，而该存储一直保存着它：它被删除了，或者复制、恢复数据目录时漏掉了它；这样，一个丢失了最后若干事件的日志看起来也会是完整的（它止于位置 { $head }）。请从数据目录的来处把该文件放回，或从备份恢复数据目录；若要在校验每个哈希之后按现状接受该日志，请运行 `flexledger verify --accept-head`
store-found-witness-ahead = 日志止于位置 { $head }，而头部见证 { $witness } 记录位置 { $witnessed } 已持久追加：存储引擎丢失了位置 { $first_lost } 至 { $witnessed } 的事件（其文件被截短或损坏）。请从备份恢复数据目录；不要再向该存储追加（那会重用丢失的位置）
store-found-witness-other-hash = 该事件的哈希为 { $hash }，而头部见证 { $witness } 为此位置记录的是 { $witnessed_hash }（日志止于位置 { $head }）：日志被改写或损坏。请从备份恢复数据目录
store-found-witness-kept = { $finding }。`--accept-head` 只用于缺失或无法读取的头部见证；它不会覆盖记录了日志所丢失内容的见证。若仍要接受这一损失，请先把见证移到一旁：`mv { $witness } { $aside }`，然后再次运行 `flexledger verify --accept-head`
