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
store-unavailable = 无法使用存储 { $store }：{ $detail }

store-restore-target-not-empty = { $path } 已存在且不为空：restore 会新建一个数据目录；请用 --data-dir 指定一个新的或空的目录
store-restore-target-unusable = { $path } 不能用作新的数据目录：{ $detail }
