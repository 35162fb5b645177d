# `flexledger restore` 拒绝备份的原因（以及 `backup --server` 下载的备份未通过校验）
# （src/cli/backup.rs；原因见 src/backup.rs 的 `backup::InvalidReason`）、`flexledger copy`
# 中止的原因（src/ledger/copy.rs 的 `ledger::CopyError`），以及保存着未完成复制的存储
# （src/store/mod.rs 的 `StoreError::CopyUnfinished`）。其他模块的英文原文（`detail`）照原样保留。

## 未做的事、位置和原因
backup-restore-refused = 备份未被接受，未恢复任何内容：{ $at }：{ $reason }
backup-download-refused = 下载的备份未通过校验，未保留任何内容：{ $at }：{ $reason }
## 同上，问题在整个文件（没有可指出的行：文件是空的，或根本不是文本文件）
backup-restore-refused-file = 备份未被接受，未恢复任何内容：{ $reason }
backup-download-refused-file = 下载的备份未通过校验，未保留任何内容：{ $reason }
backup-at-line = 第 { $line } 行
backup-at-line-position = 第 { $line } 行（位置 { $position }）

## 恢复因备份以外的原因未进行或未完成（`BackupError::Refused`）：目标目录、暂存目录、签名密钥
## （`$by`：`option` 指 --signing-key，`variable` 指指向 `$path` 的 $FLEXLEDGER_SIGNING_KEY）
backup-restore-target-unnamed = { $path } 不是一个目录名
backup-restore-staging-exists = { $staging } 已存在：另一次恢复到 { $path } 的 `flexledger restore` 正在运行（请等它结束），或有一次恢复被强行终止。确认没有 `flexledger restore` 在运行（见 `ps`）后，请删除它并重新恢复
backup-restore-target-claimed = { $path } 中有恢复的标记（restore-unfinished）：另一次恢复到此处的 `flexledger restore` 正在运行（请等它结束），或有一次恢复被强行终止，只留下备份的一部分，这不是账本。确认没有 `flexledger restore` 在运行（见 `ps`）后，请删除 { $path } 中的内容以及 { $staging }（如存在），然后重新恢复
backup-restore-target-mount-point = { $path } 是一个挂载点：恢复会在目标旁边建好新账本，再通过改名把其中的文件移入目标，而改名不能跨入另一个文件系统。请恢复到其中的一个新目录（--data-dir { $path }/ledger）；未建立任何账本
backup-restore-target-dangling-link = { $path } 是指向 { $link } 的符号链接，而 { $link } 并不存在：请先建立 { $link }（一个空目录）再恢复，或直接恢复到 { $link }；未建立任何账本
backup-restore-other-key = { $by ->
        [option] --signing-key
       *[variable] $FLEXLEDGER_SIGNING_KEY（{ $path }）
    } 的密钥标识为 { $found }，但该备份由密钥 { $signer } 签名：恢复出的账本将用另一个密钥签署其检查点；请提供签署该备份的密钥
backup-restore-external-key-missing = $FLEXLEDGER_SIGNING_KEY 指向 { $path }，但该文件不存在：恢复出的账本会在那里生成新密钥；请把该账本的密钥复制到那里，或取消设置该变量，让 `flexledger restore` 安装 --signing-key 指定的密钥

## 未通过校验的备份（`InvalidReason`）
backup-invalid-after-checkpoint = 已签名的检查点之后还有内容：备份应以其检查点结束
backup-invalid-event-after-heads = 事件出现在事件流头部之后：有行被移动或添加
backup-invalid-malformed-record = 未知或格式有误的记录行：{ $detail }
backup-invalid-inclusion-proof = 一份包含证明，而整个日志的备份从不含包含证明：该行是被加进来的，或来自参保人员或统筹地区的审计包
backup-invalid-no-header = 不是 flexledger 备份（第一行不是审计包的包头：{ $detail }）：备份以范围为 `all` 的审计包包头开始
backup-invalid-wrong-format = 不是 flexledger 备份（格式 { $format }，版本 { $version }）：备份以范围为 `all` 的审计包包头开始
backup-invalid-wrong-scope = 不是 flexledger 备份（范围为 { $scope } 的审计包）：备份以范围为 `all` 的审计包包头开始
backup-invalid-altered = 该事件在记录后被改动过：{ $detail }
backup-invalid-hash-mismatch = 该事件在记录后被改动过：哈希 { $claimed } 与内容不符（内容的 SHA-256 为 { $hash }）
backup-invalid-no-hash = 该事件行没有哈希：事件被改动过，哈希也被删去
backup-invalid-event-not-as-printed = 事件内容与其哈希相符，但该行不是账本打印出的样子（空格、键的顺序，或数字、时间的写法不同）：该行被编辑过
backup-invalid-record-not-as-written = 该行不是账本写出的样子（空格、键的顺序，或数字的写法不同）：该行被编辑过
backup-invalid-position = 此处应为位置 { $expected }，却是位置 { $position }：有事件被删除、添加或调换了顺序
backup-invalid-broken-link = `prev_hash` { $prev_hash } 没有链接到位置 { $previous_position } 的哈希 { $previous }：它之前的事件被改动或删除
backup-invalid-event-does-not-fold = 该事件无法依次重算出状态：{ $detail }
backup-invalid-wrong-stream = 事件流 { $stream } 不是该事件内容所属的事件流
backup-invalid-version = 事件流 { $stream } 的版本 { $version } 没有紧接版本 { $previous }：该事件流的事件被删除、改动或调换了顺序
backup-invalid-moved = { $stage ->
        [Header] 包头
        [Events] 事件
        [Heads] 事件流头部
        [Coverages] 参保记录
        [Commands] 命令签名
       *[Done] 检查点
    }行出现在{ $after ->
        [Header] 包头
        [Events] 事件
        [Heads] 事件流头部
        [Coverages] 参保记录
        [Commands] 命令签名
       *[Done] 检查点
    }行之后：有行被移动过
backup-invalid-event-count = 包头列出 { $listed } 个事件，备份中却有 { $held } 个：有事件被删除或添加
backup-invalid-header-counts = 包头列出 { $streams } 个事件流、{ $members } 名参保人员，备份中却有 { $heads } 个事件流头部、{ $coverages } 份参保记录：包头被改动过
backup-invalid-coverage-count = 这些事件涉及 { $members } 名参保人员，备份在检查点之前却有 { $held } 份参保记录：有参保记录行被删除，或被挪到了检查点之后
backup-invalid-events-do-not-fold = 这些事件无法依次重算出状态：{ $detail }
backup-invalid-head-out-of-order = 事件流 { $stream } 的头部顺序有误或重复出现
backup-invalid-head-missing = 这一行之前缺少事件流 { $stream } 的头部（该事件流最后的版本和哈希）：它被删除或被挪到了后面，备份不完整或已损坏，请用 `flexledger backup` 重新备份
backup-invalid-head-altered = 事件流 { $stream } 的头部（版本 { $version }）与其事件得出的头部不符：该行或该事件流的某个事件被改动过
backup-invalid-coverage-out-of-order = 参保人员 { $member } 的参保记录顺序有误或重复出现
backup-invalid-coverage-altered = 参保人员 { $member } 的参保记录不能由备份中的事件得出：该行被改动过
backup-invalid-coverage-without-events = 备份中没有参保人员 { $member } 的事件
backup-invalid-checkpoint-wrong-key = 检查点是伪造的、被改动过，或由其他密钥签名：检查点由密钥 { $found } 签名，而非 --public-key 指定的公钥 { $pinned }：请核对该账本公布的公钥
backup-invalid-checkpoint-bad-signature = 检查点是伪造的、被改动过，或由其他密钥签名：其签名未通过验证——签名的内容被改动过，或不是由该密钥签名
backup-invalid-checkpoint-forged = 检查点是伪造的、被改动过，或由其他密钥签名：{ $detail }
backup-invalid-checkpoint-differs = 已签名的检查点承诺 { $signed_size } 个事件、根哈希 { $signed_root }、事件流头部根哈希 { $signed_heads_root }，备份中的事件却构成 { $size } 个、根哈希 { $root }、事件流头部根哈希 { $heads_root }：有事件被改动、添加或删除，或检查点这一行来自另一份备份（指定账本的公钥（--public-key）时，来自另一账本的检查点会被如实指出）
backup-invalid-tree-size = 包头所写的日志大小为 { $header }，检查点的却为 { $checkpoint }
backup-invalid-public-key = 检查点的公钥格式有误：{ $detail }
backup-invalid-command-not-contiguous = 命令 { $command_id } 在日志中更早的位置已有事件：同一命令的事件应当连续
backup-invalid-command-record-astray = 命令 { $command_id } 的内容摘要不在该命令的第一个事件之前（或者这是第 1 版的备份，不应有这样的记录）：有行被移动或添加
backup-invalid-commands-unexpected = 出现了不应有的 commands 记录：只有第 3 版的备份才有一条，位于参保记录与检查点之间；该行是被添加或移动的
backup-invalid-commands-missing = 备份在检查点之前没有 commands 记录：第 3 版的备份在那里对其命令记录签名；该行被删除了，或被挪到了检查点之后：请使用未被改动的副本，或重新备份
backup-invalid-commands-wrong-key = 备份由密钥 { $found } 签名，而非 --public-key 指定的公钥 { $pinned }：请核对该公钥是否就是该账本公布的公钥；若是，则这份备份并非该账本的，或已被其他密钥重新签名
backup-invalid-commands-bad-signature = 命令记录的签名是伪造的、被改动过，或由其他密钥签名：签名未通过验证——签名的内容被改动过，或不是由该密钥签名
backup-invalid-commands-forged = 命令记录的签名是伪造的、被改动过，或由其他密钥签名：{ $detail }
backup-invalid-commands-differ = 命令记录与备份所签名的不一致（已签名 { $signed } 条，备份中有 { $held } 条）：有命令记录被删除、添加、移动或改动，恢复后的账本可能把同一 id 下的另一条命令当作重复命令应答；请使用未被改动的副本，或重新备份
backup-invalid-commands-of-another-checkpoint = 已签名的命令记录指向的检查点（位置、日志根哈希或密钥）不是本备份的：commands 这一行来自另一份备份；请使用未被改动的副本，或重新备份
backup-invalid-empty = 文件是空的（0 字节）：它不是由 `flexledger backup` 生成的备份；请检查文件名，或重新备份
backup-invalid-blank-line = 该行为空行：账本不会写出空行，因此它是后来加入的
backup-invalid-gzip = 文件看起来经过 `gzip` 压缩（以字节 `1f 8b` 开头），而备份是纯文本：请先解压（`gunzip FILE`，或 `gzip -dc FILE | flexledger --data-dir NEW restore -`）
backup-invalid-byte-order-mark = 文件以字节顺序标记（字节 `ef bb bf`）开头：它被编辑器重新保存过，而恢复只接受 `flexledger backup` 写出的原样备份；请使用原始文件，或重新备份
backup-invalid-line-too-long = 该行超过 { $max } 字节
backup-invalid-not-utf8 = 该行不是 UTF-8 编码
backup-invalid-cut-in-line = 备份在这一行的中间结束：文件不完整（请重新完整复制一份）
backup-invalid-no-checkpoint = 备份到此结束，缺少已签名的检查点：文件不完整

## `copy` 中止的原因（`CopyError`）
backup-copy-destination-differs = 目标存储中已有另一个账本：其位置 { $position } 的事件与源账本的不同（复制只会填充空的存储，或续完它自己的复制）
backup-copy-destination-ahead = 目标存储的日志（{ $destination } 个事件）比源账本的（{ $source_head } 个）更长：它保存的是另一个账本，或是本账本较晚的副本；请复制到新的或空的存储，或删除目标存储后重新复制
backup-copy-unfinished-from-another-source = 目标存储中有一次尚未完成的复制，其源是另一个存储 { $from }（已复制其 { $source_head } 个事件中的 { $copied } 个），而不是本次的源：请再次运行 `flexledger copy --from { $quoted_from }`（`--to` 不变{ $hidden ->
        [yes] ；其中显示为 *** 的密码请换成实际密码
       *[no] {""}
    }）完成那次复制，或把本次的源复制到新的或空的目标存储
backup-copy-hash-changed = 复制到位置 { $position } 的事件封存后的哈希与源账本的不同：其后的事件均未复制
backup-copy-commands-without-events = 源账本记有 { $count } 个没有事件的命令标识（`command_id`）：请对它运行 `flexledger verify`

## 保存着未完成复制的存储（`StoreError::CopyUnfinished`）：复制进行到哪里（`$progress`），
## 以及完成它的命令（`$hidden`：命令中的密码是否以 *** 代替）
backup-copy-unfinished = 存储 { $store } 中有一次以 { $from } 为源、尚未完成的复制（{ $progress ->
        [none] 其 { $source_head } 个事件均尚未复制
        [all] 全部 { $source_head } 个事件均已复制，但最后的步骤（检查点和状态行）尚未完成
       *[part] 已复制 { $source_head } 个事件中的位置 1 至 { $copied }
    }）：它还不是可以使用的账本。请再次运行同一条命令 `flexledger copy --from { $quoted_from } --to { $quoted_store }`{ $hidden ->
        [yes] （此处密码显示为 ***）
       *[no] {""}
    }（首次运行若给出了 --from-data-dir，也一并给出），即可完成复制：复制会从中断处继续。也可以删除目标存储后重新开始
