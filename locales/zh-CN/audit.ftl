# `flexledger-audit` 的其他可读输出：verify、checkpoint、prove、export、verify-bundle、
# public-key、timeline 的写出摘要和 whatif（src/audit/commands.rs、src/audit/cli.rs、
# src/audit/whatif/cli.rs）。--json 始终为英文，不随语言改变。术语以 docs/GLOSSARY.md 为准。

audit-separator = ，
audit-damaged = 已损坏（位置 { $position }）：{ $message }
audit-damage-advice = flexledger-audit：存储已损坏。若是 sled 存储，请先把数据目录原样复制到别处（`cp -a`）：打开已损坏的 sled 存储可能改动其文件。上面的消息若给出了不丢数据的做法（放回或移开某个文件、`verify --accept-head`、`rebuild`），请照做；否则对它运行 `flexledger backup --out FILE`：备份若成功，说明它已读取并校验了每个事件，用 `flexledger restore` 恢复该备份不会丢失任何事件；只有备份失败时，才从备份恢复数据目录。存储仍能打开时，`flexledger verify` 会指出第一处断开的链接（某个事件的位置，或存储引擎的文件及字节位置）；若只是状态行不一致，`flexledger rebuild` 可以修复。{ $marked ->
    [yes] 存储会被标记（PostgreSQL 存储的标记保存在其签名密钥旁，即写入进程的 --data-dir 中），在该处的 `flexledger-audit verify` 通过之前不再追加任何内容（审计工具留下的标记只有审计工具的校验才会删除，它还检查已签名的检查点）；使用其他 --data-dir 启动的写入进程看不到 PostgreSQL 存储的标记，在此之前请停下它
   *[no] {""}
}
audit-damage-set-aside = flexledger-audit：请按上面所说把损坏的文件移到一旁；只有 `flexledger verify` 仍然失败时，才从备份恢复数据目录
audit-damage-witness = flexledger-audit：存储未被标记：本数据目录的头部见证本身就会使其写入进程不向该数据库追加，直到上面所说的问题得到解决，或按上面所说把见证移开。若该数据库是账本的一个副本（不是本目录的写入进程所追加的那一个），这项发现说的是该副本与账本头部的差异：检查副本时请不要使用写入进程的 --data-dir

## public-key
audit-public-key-id = 密钥标识 { $key_id }（ed25519）；请公布此公钥，供审计人员指定（--public-key）

## checkpoint
audit-checkpoint-signed = 检查点：{ $events } 个事件，{ $streams } 条事件流；已签名并保存
audit-checkpoint-kept = 检查点：{ $events } 个事件，{ $streams } 条事件流；已保存过（检查点从不替换）
audit-checkpoint-signature = 签名 { $signature }
audit-checkpoint-public-key = 公钥 { $public_key }（密钥标识 { $key_id }）
audit-checkpoint-consistent = 与上一个检查点（事件数 { $size }）一致：{ $hashes } 个哈希的一致性证明已验证（RFC 9162）
audit-checkpoint-row = 事件数 { $size }  根哈希 { $root }  事件流头部 { $heads }  { $created }  签名有效
audit-checkpoint-row-earlier = 事件数 { $size }  根哈希 { $root }  事件流头部 { $heads }  { $created }  签名有效（旧密钥所签）
audit-checkpoint-invalid = 无效：{ $error }
audit-checkpoint-wrong-key-pinned = 该检查点由密钥 { $found } 签名，而非指定的公钥 { $key }
audit-checkpoint-wrong-key-ledgers = 它由密钥 { $found } 签名，而非本账本的密钥 { $key }（若该账本公告过更换密钥，请用 --earlier-key 给出它此前所用的密钥）
audit-checkpoint-none = 尚无已保存的检查点：`flexledger-audit checkpoint` 可为日志的当前状态签署并保存一个

## prove
audit-no-checkpoint = 没有已保存的检查点：请先运行 `flexledger-audit checkpoint`
audit-no-checkpoint-at-size = 没有大小为 { $size } 的已保存检查点：已保存的 { $count } 个检查点中，离它最近的大小为 { $sizes }（`flexledger-audit checkpoint --list` 可列出全部）；请用 --to 指定其中之一，或不加 --to 以使用最新的检查点
audit-log-rewritten = 日志前 { $size } 个事件的根哈希已与检查点不符：日志被改写过
audit-no-event = 在 { $size } 个事件的检查点中，位置 { $position } 没有事件
audit-beyond-log = { $head ->
        [0] 日志中还没有事件，位置或大小 { $wanted } 无可证明
       *[other] 日志止于位置 { $head }，位置或大小 { $wanted } 无可证明：请给出 1 至 { $head } 之间的位置或大小
    }
audit-inclusion = 事件 { $position }（哈希 { $hash }）包含在已签名检查点的 { $size } 个事件的日志中，根哈希 { $root }
audit-inclusion-path = 审计路径（从叶到根，RFC 9162），已验证：
audit-no-consistency = 无法给出从大小 { $from } 到 { $to } 的一致性证明：旧大小须在 1 与新大小之间（任何日志都是大小为 0 的空日志的延续，账本的第一个检查点就是大小 0，从它出发无可证明）
audit-no-event-after-checkpoint = 事件 { $position } 在日志中，但在 { $size } 个事件的检查点之后，检查点只能证明其覆盖的事件：请用 `flexledger-audit checkpoint` 为当前日志（{ $head } 个事件）签名，然后再证明
audit-no-consistency-after-checkpoint = { $size } 个事件的检查点早于大小 { $from }：请用 `flexledger-audit checkpoint` 为当前日志（{ $head } 个事件）签名，然后证明从 { $from } 到它的一致性
audit-consistency = { $new_size } 个事件的日志（根哈希 { $new_root }）是 { $old_size } 个事件的日志（根哈希 { $old_root }）的延续
audit-consistency-path = 一致性路径（RFC 9162），已验证：
audit-consistency-compare = 请将旧根哈希与您保存的检查点中的根哈希比对

## export
audit-export-csv = 已将 { $rows } 行参保人员月度记录（{ $members } 名参保人员）写入 { $path }
audit-export-bundle = 已将 { $events } 个事件（{ $streams } 条事件流，{ $members } 名参保人员）写入 { $path }（{ $bytes } 字节），并以已签名的、覆盖前 { $size } 个事件的检查点（根哈希 { $root }）证明
audit-export-check = 可在任何地方核验：flexledger-audit verify-bundle { $file } --public-key { $public_key }
audit-export-file = 文件

## verify-bundle
audit-bundle-valid = 有效：审计包中有 { $events } 个事件，{ $streams } 条事件流，{ $members } 份参保人员参保记录
audit-bundle-scope = { $scope ->
        [member] 范围：参保人员 { $name }：其事件流及所在统筹地区的事件流，截至检查点均完整
        [region] 范围：统筹地区 { $name }：所含每个事件流截至检查点均完整，且都属于该统筹地区；但不能证明它包含该统筹地区的每位参保人员（只有 --all 审计包能证明整个日志）
       *[all] 范围：整个日志，截至检查点的每个事件
    }
audit-bundle-invalid = 无效：审计包中有 { $events } 个事件，{ $streams } 条事件流，{ $members } 份参保人员参保记录
audit-bundle-checkpoint = 检查点：{ $size } 个事件，根哈希 { $root }，签名于 { $created }
audit-bundle-pinned = 由指定的公钥签名（密钥标识 { $key_id }）
audit-bundle-unpinned = 由密钥标识 { $key_id } 签名：该公钥未指定——请与经办机构公布的公钥比对，或传入 --public-key
audit-bundle-commands-unsigned = 注意：这份备份没有对其命令记录签名（审计包第 2 版）：其事件和检查点已验证，但若其中某条命令记录被删除，将无法察觉
audit-bundle-no-command-digests = 注意：这个审计包不带命令摘要（第 1 版）：从它恢复的账本对其中已有的任何 id，都会把该 id 下的命令当作重复命令应答，除非该 id 的事件不可能由该命令产生（事件流、事件种类或月份不同）；要保留命令摘要，请从备份（`flexledger backup`，第 3 版）恢复
audit-bundle-failed = 未通过 { $check }{ $place }：{ $message }
audit-bundle-place = （{ $place }）
audit-bundle-line = 第 { $line } 行
audit-bundle-position = 位置 { $position }

## verify-bundle：检查未通过的原因（src/audit/bundle/verify.rs，`Reason`）。检查名（edited、
## completeness 等）与 --json 相同，不翻译；其他模块的英文原文（`detail`）照原样保留。
audit-bundle-why-key-unpinned = 检查点由密钥标识 { $key_id } 签名，但未指定公钥：请以 --public-key 传入账本公布的公钥（见 flexledger-audit public-key），或以 --trust-bundle-key 接受该公钥
audit-bundle-why-too-many-lines = 超过 { $max } 行：请分开导出（--member 或 --region）
audit-bundle-why-line-too-long = 该行超过 { $max } 字节
audit-bundle-why-no-header = 没有审计包的包头行（第一行应为 {"{"}"record":"bundle",…{"}"}）：这不是 flexledger 审计包，或其第一行已被删除；没有包头就无从得知审计包的范围和版本，因此只核对每个事件自身的哈希
audit-bundle-why-not-json = 不是有效的 JSON：{ $detail }
audit-bundle-why-empty = 文件为空（0 字节）：它不是审计包；请检查文件名，或重新导出
audit-bundle-why-cut-in-line = 文件在这一行的中间结束：它被截断了（请重新完整复制）
audit-bundle-why-positions-missing = { $one ->
    [yes] 位置 { $from } 的事件
   *[no] 位置 { $from } 至 { $to } 的事件
}不在审计包中：已被删除，或被移到包中别处
audit-bundle-why-cut-short = 审计包在第 { $line } 行结束，没有签名检查点（每个审计包的最后一行）：它被截断了，或末尾被删去；请重新完整复制，或重新导出
audit-bundle-why-no-hash = 该事件没有哈希：事件被改动过，哈希也被删去
audit-bundle-why-hash-mismatch = 该事件在记录后被改动过：哈希 { $claimed } 与内容不符（内容的 SHA-256 为 { $hash }）
audit-bundle-why-altered = 该事件在记录后被改动过：{ $detail }
audit-bundle-why-header-not-first = 审计包的包头不在第一行：各行的顺序被调换过
audit-bundle-why-second-header = 出现第二个包头，或不是 { $format } 第 { $version } 版
audit-bundle-why-bad-header = 包头有误：{ $detail }
audit-bundle-why-event-after-records = 事件出现在审计包的证明和记录行之后：各行的顺序被调换过
audit-bundle-why-reordered = 位置 { $position } 排在位置 { $previous } 之后：事件的顺序被调换过，或有事件重复
audit-bundle-why-chain-broken = prev_hash 没有链接到前一位置的哈希
audit-bundle-why-no-fold = 这些事件无法依次重算出参保人员的状态：{ $detail }
audit-bundle-why-bad-record = 未知或格式有误的记录行：{ $detail }
audit-bundle-why-event-not-as-printed = 事件内容与其哈希相符，但该行不是账本打印出的样子（空格、键的顺序，或数字、时间的写法不同）：该行被编辑过
audit-bundle-why-record-not-as-written = 该记录不是账本写出的样子（空格、键的顺序，或数字的写法不同）：该行被编辑过
audit-bundle-why-blank-line = 该行为空行：账本不会写出空行，因此它是后来加入的
audit-bundle-why-record-moved = { $record } 记录出现在 { $after } 记录之后：行被挪动过（顺序为 inclusion、stream_head、coverage、commands、checkpoint）
audit-bundle-why-proof-in-whole-log = 整个日志的审计包中出现了包含证明，而这种包从不含包含证明（其事件可重建整棵树）：该行是被加进来的
audit-bundle-why-command-record-astray = 命令 { $command_id } 的内容摘要不在该命令的第一个事件之前，或出现在不含这种记录的审计包中（只有第 2 版及以后的备份才有）：该行被移动过或是被加进来的
audit-bundle-why-commands-unexpected = 出现了不应有的 commands 记录：只有第 3 版的备份才有一条，紧挨在检查点之前；该行是被添加或移动的
audit-bundle-why-gzip = 该文件看起来经过 `gzip` 压缩（以字节 `1f 8b` 开头），而审计包是纯文本：请先解压（`gunzip FILE`）再检查
audit-bundle-why-byte-order-mark = 该文件以字节顺序标记（字节 `ef bb bf`）开头：它被编辑器重新保存过，而审计包只能按账本写出时的原样检查；请检查原始文件
audit-bundle-why-commands-missing = 检查点之前没有 commands 记录：第 3 版的备份在检查点之前用这一条记录对其命令记录签名；该行被删除了，或被挪到了检查点之后：请使用未被改动的副本，或重新备份
audit-bundle-why-commands-wrong-key = 备份的命令记录由密钥 { $found } 签名，而非指定的公钥 { $pinned }：请核对指定的公钥是否就是该账本公布的公钥；若是，则这份备份并非该账本的，或已被其他密钥重新签名
audit-bundle-why-commands-bad-signature = 命令记录的签名是伪造的或被改动过：签名未通过验证——签名的内容被改动过，或不是由该密钥签名
audit-bundle-why-commands-forged = 命令记录的签名是伪造的或被改动过：{ $detail }
audit-bundle-why-commands-differ = 命令记录与备份所签名的不一致（已签名 { $signed } 条，审计包中有 { $held } 条）：有命令记录被删除、添加、移动或改动，恢复后的账本可能把同一 id 下的另一条命令当作重复命令应答
audit-bundle-why-commands-of-another-checkpoint = 已签名的命令记录指向的检查点（位置、日志根哈希或密钥）不是本审计包的：commands 这一行来自另一份备份；请使用未被改动的副本，或重新备份
audit-bundle-why-head-out-of-order = 事件流 { $stream } 的头部顺序错乱或重复：事件流头部按流名顺序排列，每个只出现一次
audit-bundle-why-coverage-out-of-order = 参保人员 { $member } 的参保记录顺序错乱或重复：参保记录按参保人员编号顺序排列，每个只出现一次
audit-bundle-why-proof-without-event = 审计包证明了该位置有事件，却不含该事件：有事件被删除
audit-bundle-why-second-proof = 该位置有第二份包含证明
audit-bundle-why-not-in-log = 不在已签名的 { $size } 个事件的日志中：该事件被改动过，或是后加入的
audit-bundle-why-coverage-differs = 参保人员 { $member } 的参保记录不能由审计包中的事件得出：字段 `{ $field }` { $claimed ->
        [absent] 在审计包中没有此项
       *[other] 在审计包中为 { $claimed }
    }，{ $folded ->
        [absent] 按其事件不应有此项
       *[other] 按其事件应为 { $folded }
    }
audit-bundle-why-coverage-close-unfinished = 参保人员 { $member } 的参保记录是在 { $month } 月结记录过程中计算的：审计包含有该月结，但不含其对该参保人员的后果（中断缴费的月份、视为自动退保的停保，R9–R11），因此该参保记录是账本从不据此办理任何事项的状态（D83）；请在月结完成后重新导出该参保人员
audit-bundle-why-coverage-without-events = 审计包中没有参保人员 { $member } 的事件
audit-bundle-why-checkpoint-count = 应恰有一个已签名的检查点，实有 { $found } 个
audit-bundle-why-tree-size = 包头所写的日志大小为 { $header }，检查点的却为 { $checkpoint }
audit-bundle-why-checkpoint-forged = 检查点是伪造的或被改动过：{ $detail }
audit-bundle-why-checkpoint-wrong-key = 检查点由密钥 { $found } 签名，而非指定的公钥 { $pinned }：请核对指定的公钥是否就是该账本公布的公钥；若是，则该检查点并非由该账本的密钥签名，除非该账本在导出这份审计包之后公告过更换密钥（`checkpoint --new-key`）：此时请指定它在更换之前公告的密钥，但仅适用于日志不大于新密钥所签第一个检查点的审计包（见 `checkpoint --list`）：被替换的密钥在更换之后不再签任何内容
audit-bundle-why-checkpoint-bad-signature = 检查点是伪造的或被改动过：其签名未通过验证——签名的内容被改动过，或不是由该密钥签名
audit-bundle-why-event-count = 包头列出 { $listed } 个事件，审计包中却有 { $held } 个
audit-bundle-why-all-positions = --all 审计包须恰好包含位置 1 至 { $size } 的事件；它包含 { $held } 个事件
audit-bundle-why-root-differs = 这些事件的默克尔根哈希与检查点的根哈希不同
audit-bundle-why-no-proof = 该事件没有包含证明：它是后加入审计包的
audit-bundle-why-second-head = 该事件流有第二个头部
audit-bundle-why-head-not-committed = 该事件流头部不是已签名的检查点所承诺的那一个
audit-bundle-why-no-head = 该事件流没有已承诺的头部：无法证明它完整
audit-bundle-why-all-heads = --all 审计包须包含全部 { $size } 个事件流头部；它包含 { $held } 个
audit-bundle-why-own-head-missing = 缺少该参保人员自己的事件流的头部
audit-bundle-why-version-gap = 版本 { $found } 没有紧接该事件流的版本 { $events }：它之前的事件被删除、改动或调换了顺序
audit-bundle-why-events-removed = 审计包中有该事件流的 { $events } 个事件，已签名的检查点承诺的却是 { $version } 个、最后一个的哈希为 { $hash }：有事件被删除
audit-bundle-why-stream-end-differs = 审计包中有该事件流的 { $events } 个事件，最后一个的哈希为 { $found }，已签名的检查点承诺的却是 { $version } 个、最后一个的哈希为 { $hash }：该事件流的事件被改动或增加
audit-bundle-why-scope-counts = 包头列出 { $streams } 条事件流和 { $members } 名参保人员，审计包中却有 { $heads } 个事件流头部和 { $coverages } 份参保记录
audit-bundle-why-no-coverage = 该参保人员没有参保记录行：审计包没有说明这些事件意味着什么
audit-bundle-why-other-member = 参保人员 { $member } 的审计包含有其他参保人员的事件流
audit-bundle-why-not-member-region = 不是该参保人员参保的统筹地区
audit-bundle-why-member-region-missing = 缺少该参保人员所在统筹地区的事件流（其政策和月结）
audit-bundle-why-own-region-missing = 缺少该统筹地区自己的事件流（其政策和月结）
audit-bundle-why-other-region = 统筹地区 { $region } 的审计包含有其他统筹地区的事件流
audit-bundle-why-not-enrolled-in-region = 该参保人员没有在统筹地区 { $region } 参保

## verify
audit-verify-ok = 校验通过：{ $events } 个事件，{ $streams } 条事件流，{ $members } 名参保人员；{ $rows ->
        [not-compared] 哈希、链和索引均已核对；状态行未比对：它们由另一版本的程序写入（D89）
       *[compared] 哈希、链、索引和状态行均已核对
    }
audit-verify-kept = 您保存的 { $count } 个检查点与日志相符
audit-verify-earlier-key = { $count ->
        [0] 所校验的检查点中没有由旧密钥 { $key } 签名的
       *[other] 所校验的检查点中有 { $count } 个（日志规模 { $first } 至 { $last }）由旧密钥 { $key } 签名
    }，该密钥已被账本更换
audit-kept-line-refused = { $file } 第 { $line } 行不是由本账本密钥签名的检查点：{ $reason }
audit-kept-not-a-checkpoint = 它不是已签名的检查点（{ $detail }）
audit-kept-none = { $file } 中没有检查点：请给出 `flexledger-audit checkpoint --json` 或 `checkpoint --list --json` 输出的行
audit-verify-checkpoints = { $count } 个已签名的检查点与日志相符；最新的：{ $size ->
        [0] 尚无事件（新账本创建时、在其第一个事件之前签署的检查点）
       *[other] { $size } 个事件
    }，根哈希 { $root }
audit-verify-other-key = 未通过校验：{ $size ->
        [0] 账本创建时签署的检查点
       *[other] 日志前 { $size } 个事件的检查点
    }由密钥 { $found } 签名，而不是所给的密钥（{ $pinned }）。请核对所给密钥是否就是该账本公布的公钥：若是，则这些检查点并非由该账本的密钥签名
audit-verify-key-file-other = 未通过校验：{ $size ->
        [0] 账本创建时签署的检查点
       *[other] 日志前 { $size } 个事件的检查点
    }由密钥 { $found } 签名，但签名密钥文件 { $path } 中是密钥 { $pinned }。要么该文件不是本账本的密钥（是另一账本的密钥被放到了这里），要么这些检查点是别人签的。请用该账本公布的公钥运行 `flexledger-audit verify --public-key HEX`，即可判明是哪一种
audit-verify-other-key-replaced = 之后的检查点由密钥 { $pinned } 签名：若该账本曾公告已更换密钥 { $found }（`flexledger-audit checkpoint --new-key`），请以 --earlier-key { $found } 给出该密钥，以接受更换前由它签名的检查点
audit-verify-successor-signed-nothing = 未通过校验：已用 --earlier-key 给出旧密钥，但接替它的密钥 { $key } 没有签过所校验的任何检查点（无论已保存的还是您保存的）：经办机构公告的密钥更换不在本账本中，因此不能单凭旧密钥的检查点予以接受。请按公告核对这些密钥及其先后顺序，并用 --kept 给出您保存的检查点
audit-verify-signed-after-replaced = 未通过校验：日志前 { $size } 个事件的检查点由旧密钥 { $origin } 签名，但接替它的密钥 { $successor } 此前已签过日志前 { $replaced } 个事件的检查点。旧密钥在更换之后不应再签任何检查点：这一个是持有旧密钥者所签。请留作证据，并向经办机构查问该密钥是如何丢失的
audit-verify-keys-swapped = 未通过校验：密钥的先后次序看来给反了：日志前 { $size } 个事件的检查点由作为旧密钥给出的 { $origin } 签名，而作为接替密钥给出的 { $successor } 签过日志前 { $replaced } 个事件的检查点，且它所签的每个检查点的日志都不大于 { $origin } 所签的任何一个。请对照经办机构的公告核对这一次序：若确实给反了，请按从旧到新的顺序给出 --earlier-key，并以 --public-key 给出当前密钥，然后重新校验；若次序无误，则这个检查点是持有 { $origin } 者在更换之后所签：请留作证据，并向经办机构查问该密钥是如何丢失的
audit-earlier-key-not-a-key = --earlier-key { $key } 不是公钥：请给出该账本此前签名所用的密钥，即经办机构公告的 64 位十六进制数字
audit-earlier-keys-too-many = --earlier-key 最多可给出 { $max } 个
audit-earlier-key-repeated = --earlier-key { $key } 给出了两次：该账本此前签名所用的每个密钥只需给出一次，按从旧到新的顺序
audit-earlier-key-is-current = --earlier-key { $key } 就是当前密钥（--public-key，或数据目录中的签名密钥）：只需给出该账本在它之前签名所用的密钥，按从旧到新的顺序
audit-verify-no-checkpoint = 尚无检查点：`flexledger-audit checkpoint` 可签署一个
audit-verify-unsigned = { $unsigned ->
        [one] 位置 { $first } 的事件
       *[other] 位置 { $first } 至 { $last } 的 { $unsigned } 个事件
    }尚无已签名的检查点覆盖：`flexledger-audit checkpoint` 可对当前日志签名，签名即为这些事件的现状作保：若他人也能写入该存储，请先查看这些事件（对相关参保人员运行 `flexledger-audit replay`）

## timeline
audit-timeline-wrote = 已写出 { $path }：参保人员 { $member }，{ $months } 个月，{ $bytes } 字节

## whatif
audit-whatif-for-member = 假设分析：参保人员 { $member }
audit-whatif-for-region = 假设分析：统筹地区 { $region }
audit-whatif-policy = 替代政策：{ $summary }（{ $file }）
audit-whatif-policy-not-json = 政策文件（{ $file }）：不是有效的 JSON（{ $detail }）
audit-whatif-policy-not-an-object = 政策文件（{ $file }）：必须是一个由政策参数组成的 JSON 对象，例如 {"{"}"grace_months": 6{"}"}
audit-whatif-policy-fixed-field = 政策文件（{ $file }）：字段 `{ $field }` 不可替换：该统筹地区发布的每一版政策都保留各自的 `region` 和 `effective_from`
audit-whatif-policy-field = 政策文件（{ $file }）：字段 `{ $field }` 有误：{ $detail }
audit-whatif-policy-file = 政策文件（{ $file }）：{ $detail }
audit-whatif-policy-invalid = 政策文件（{ $file }）：统筹地区 { $region } 自 { $effective_from } 起的政策应用这些替换后不合规：{ policy-check }
audit-whatif-no-override = 无（替代方案即账本本身）
audit-whatif-same-behaviour = 沿用已记录的参保行为；每笔缴费仍缴同样的月份，按替代政策的应缴费额计
audit-whatif-member-affected = 参保人员 { $member }（统筹地区 { $region }）：受影响
audit-whatif-member-not-affected = 参保人员 { $member }（统筹地区 { $region }）：不受影响
audit-whatif-actual = 实际
audit-whatif-alternative = 替代政策
audit-whatif-accepts-every-command = 替代政策接受所有已记录的命令
audit-whatif-refused = 替代政策会拒绝 { $count } 条已记录的命令（已记录的行为不再符合其规则；重放时略过这些命令并继续）：
audit-whatif-refused-command = 位置 { $position } 的{ $command ->
        [publish_policy] 发布政策
        [close_month] 月结
        [enroll] 参保
        [pay] 缴费
        [stop_deduction] 停止扣费
        [resume_deduction] 恢复扣费
        [change_base] 调整缴费基数
        [withdraw] 停保
        [reenroll] 重新参保
        [grant_subsidy] 给予社会保险补贴
        [revoke_subsidy] 撤销社会保险补贴
        [pay_subsidy] 发放社会保险补贴
       *[other] { $command }
    }命令（{ $command }）被拒绝（{ $code }）：{ $message }
audit-whatif-recorded = 记录：{ $recorded }
audit-whatif-no-month-changes = 没有月份的状态或待遇发生变化
audit-whatif-months-change = { $count } 个月的状态或待遇发生变化：
audit-whatif-column-month = 月份
audit-whatif-column-actual-paid = 实际（已缴费）
audit-whatif-column-alternative-paid = 替代政策（已缴费）
audit-whatif-row-state = 参保状态
audit-whatif-never-enrolled = 从未参保
audit-whatif-row-arrears = 欠费
audit-whatif-row-lapsed = 欠费失效（不能再补缴）
audit-whatif-row-lapsed-members = 欠费失效（不能再补缴）
audit-whatif-row-paid = 已缴费
audit-whatif-row-benefit-months = 享受待遇月数
audit-whatif-row-continuous-cumulative = 连续/累计缴费月数
audit-whatif-row-tier = 待遇档次
audit-whatif-row-withdrawals = 停保
audit-whatif-row-withdrawn-at-end = 期末已停保人数
audit-whatif-row-qualified = 已取得待遇资格（R7）
audit-whatif-row-benefit-start = 待遇起始月（R7）
audit-whatif-row-refunded = 退费（R12）
audit-whatif-row-to-account = 划入个人账户（R17）
audit-whatif-row-account-balance = 个人账户余额（R17）
audit-whatif-row-account-balances = 个人账户余额合计（R17）
audit-whatif-row-subsidy = 社会保险补贴 形成/已发/待发
audit-whatif-subsidy-amounts = { $accrued } / { $paid } / { $owed }（R16）
audit-whatif-yes = 是
audit-whatif-no = 否
audit-whatif-none = 无
audit-whatif-withdrawal = 自 { $month } 起（{ $reason }）
audit-whatif-list-separator = ；
audit-whatif-not-listed = 不在所列月份中
audit-whatif-money-refunded = ，退费 { $amount }
audit-whatif-money-to-account = ，{ $amount } 划入个人账户
audit-whatif-money-subsidy-paid = ，社会保险补贴 { $amount } 已发放
audit-whatif-money-subsidy-owed = ，社会保险补贴 { $amount } 待发放
audit-whatif-month = { $status }{ $benefits }（{ $money }）
audit-whatif-amount-months = { $amount }（{ $months }）
audit-whatif-lapsed-months = { $amount }（{ $months } 个月）
audit-whatif-region = 统筹地区 { $region }：{ $members } 名参保人员，{ $affected } 名受影响，{ $refused } 条已记录的命令被拒绝
audit-whatif-transitions = 状态或待遇改变的月份（"+" 表示享受待遇）：
audit-whatif-column-months = 月数
audit-whatif-details = 以下为前 { $shown } 名受影响参保人员的明细（最多 { $most } 名{ $omitted ->
        [0] {""}
       *[other] ；另有 { $omitted } 名未列出，可用 --member ID 查询
    }）：
audit-whatif-state = { $state ->
        [active] 正常参保
        [in_arrears] 欠费中
        [withdrawn] 已停保
       *[other] { $state }
    }
audit-whatif-reason = { $reason ->
        [voluntary] 本人申请停保
        [employer_scheme] 转入用人单位参保
        [relocated] 迁出统筹地区
        [deceased] 参保人员死亡
        [arrears_exceeded_grace] 视为自动退保
       *[other] { $reason }
    }

## 账本中没有的（标准错误输出；--json 的 message 为英文）
audit-unknown-member = 参保人员 { $member } 在此账本中没有事件：请核对编号
audit-member-not-yet-position = 参保人员 { $member } 截至位置 { $position } 还没有事件：编号无误，其第一个事件在位置 { $first }（记录于 { $recorded }）；请查询位置 { $first } 或之后
audit-member-not-yet-time = 参保人员 { $member } 截至 { $instant } 还没有记录任何事件：编号无误，其第一个事件在位置 { $first }，记录于 { $recorded }；请查询该时间或之后
audit-unknown-region = 统筹地区 { $region } 在此账本中没有政策：请核对名称
audit-export-close-unfinished = 未导出：统筹地区 { $region } { $month } 的月结仍在记录中（{ $progress }），而导出按日志的记录原样给出参保记录，不含月结隐含但尚未记录的后果（中断缴费的月份、视为自动退保的停保，R9–R11）：账本从不据此状态办理任何事项（D83）。请在该存储（如需保持原样，则在其副本）上运行 `flexledger submit - < /dev/null`：不带命令时，它只记录月结的其余部分，别的什么也不做（sled 存储上任意一条 `flexledger` 命令都会这样做；PostgreSQL 上的 `verify` 和 `events` 不会），或让其 `serve` 完成月结，然后再导出；`explain` 和 `replay` 现在即可显示这些后果，并标为“隐含”
audit-nothing-member = 没有可导出的内容：参保人员 { $member } 在此账本中没有事件
audit-nothing-region = 没有可导出的内容：统筹地区 { $region } 在此账本中没有政策
audit-nothing-all = 没有可导出的内容：日志为空
audit-no-ledger = { $data_dir } 中没有账本：请用 --data-dir 指定数据目录（或设置 FLEXLEDGER_DATA_DIR）
audit-no-key-to-verify = 无法检查已保存检查点的签名：没有用来检查的密钥（{ $path } 处没有签名密钥）。请用 --public-key HEX（或 $FLEXLEDGER_PUBLIC_KEY）给出账本公布的公钥（在存放账本密钥的地方，`flexledger-audit public-key` 会输出它），或让 FLEXLEDGER_SIGNING_KEY 指向账本的密钥

## 账本的签名密钥（src/audit/keys.rs，D33），用于任何需要它的命令。

audit-key-malformed = 签名密钥 { $path } 格式有误：应为 64 位十六进制数字（该文件已损坏，或不是密钥）。请从副本恢复该账本的密钥文件；若密钥确已永久丢失，请把此文件移到别处，再有意生成新密钥并予以公告：flexledger-audit checkpoint --new-key（D33）
audit-key-io = { $action ->
        [read] 无法读取签名密钥 { $path }
        [create] 无法为签名密钥创建数据目录 { $path }
        [write] 无法写入签名密钥 { $path }
        [rename] 无法将签名密钥 { $path } 移到位
       *[sync] 无法同步签名密钥 { $path } 所在的目录
    }
audit-key-missing = { $path } 处没有签名密钥，但该账本的检查点由密钥 { $signer } 签名（最近一次在树大小 { $tree_size } 处）：新密钥会让同一份日志有第二个身份，审计人员无法把它与伪造区分开。请把该账本的密钥文件放回 { $path }（或用 $FLEXLEDGER_SIGNING_KEY 指向它；使用 PostgreSQL 存储时，请指定存放该密钥的 --data-dir）。若密钥确已永久丢失，请有意生成新密钥并予以公告：flexledger-audit checkpoint --new-key（D33）
audit-key-not-the-ledgers = 签名密钥 { $path } 的密钥标识为 { $found }，但该账本的检查点由密钥 { $signer } 签名（最近一次在树大小 { $tree_size } 处）：这是另一个账本的密钥；或者它是接替本账本密钥的新密钥（`checkpoint --new-key`），而它所签的检查点此后已从存储中删除（请把 `flexledger-audit checkpoint --list` 与已公布的检查点对照）。请指定存放本账本密钥的数据目录（或 $FLEXLEDGER_SIGNING_KEY）；若正是这个密钥，请先找回被删除的检查点（PostgreSQL 存储的 audit_checkpoints 行，从数据库的备份中找回），再签任何内容
audit-key-not-made-here = { $path } 处没有签名密钥：本账本的密钥由其写入进程（`flexledger serve` 或 `submit`）在首次打开账本时生成于写入端的数据目录中，在此处生成的密钥会让同一份日志有第二个身份（D33）。请指定存放写入端密钥的 --data-dir（或用 $FLEXLEDGER_SIGNING_KEY 指向它）
audit-key-log-rewritten = 该账本不再签署任何内容：`flexledger-audit verify --kept` 发现，在账本外保存的检查点签名之后，其日志被改写（或回退）（发现于 { $found_at }；标记文件为 { $mark }）。此时签署检查点、导出或备份，会让账本密钥为已经签过的事件给出第二个不同的根，与伪造无从区分
audit-as-of-beyond-head = 日志目前止于位置 { $head }：位置 { $position } 尚未写入，届时记载什么尚不可知，按它作答会随新事件而改变。请查询位置 { $head } 或之前，或去掉 `--as-of` 查看参保人员当前的情况
audit-as-of-after-now = { $instant } 晚于当前时间（{ $now }）：届时账本记载什么尚不可知，按它作答会随新事件而改变。请查询当前或之前的时间，或去掉 `--as-of-time` 查看参保人员当前的情况
audit-checkpoint-list-unpinned = 没有用来核对签名的公钥（未给出 --public-key，此处也没有密钥文件）：每个签名都只按其检查点自己写明的公钥核对，这只能证明检查点完整；请用 --public-key HEX 指定账本公布的公钥
audit-close-unfinished = 统筹地区 { $region } { $month } 的月结仍在记录中（{ $progress }）：日志中已有其 `MonthClosed`，但尚未记录每名参保人员的后果（中断缴费的月份、视为自动退保的停保）。审计工具从不追加事件：`explain`、`replay` 和 `timeline` 按账本将要记录的样子计入参保人员尚缺的后果，并标为“隐含”（D75）；`verify` 和 `events` 按日志的记录原样显示，月结尚欠其后果的参保人员或统筹地区在月结完成前不予导出（D83）。请在该存储上运行 `flexledger submit - < /dev/null`（不带命令时，它只记录月结的其余部分，别的什么也不做；sled 存储上任意一条 `flexledger` 命令都会这样做，PostgreSQL 上的 `verify` 和 `events` 不会），或让其 `serve` 运行，以完成月结，然后再审计

## 审计命令自身参数和文件的拒绝（src/audit/commands.rs、src/audit/cli.rs、src/audit/whatif/cli.rs）。

audit-new-key-nothing-new = --new-key：自树大小 { $tree_size } 处由密钥标识 { $key_id } 签名的检查点以来，没有追加任何事件，新密钥尚无可签名的新内容。请先追加事件（`flexledger submit` 无需密钥即可运行），然后再运行此命令
audit-new-key-exists = --new-key：{ $path } 处已有签名密钥（密钥标识 { $key_id }）；--new-key 只在没有密钥的地方生成新密钥。若确要替换，请先把该文件移走
audit-public-key-lost = { $path } 处没有签名密钥：该账本的检查点由密钥 { $public_key }（密钥标识 { $key_id }）签名，其私钥不在此处。请把该密钥文件放回，或让 FLEXLEDGER_SIGNING_KEY 指向它；已签过检查点的账本在打开时绝不会获得新密钥（追加新事件后，可用 `flexledger-audit checkpoint --new-key` 启用新密钥）
audit-public-key-none-yet = { $path } 处没有签名密钥：账本首次以写入方式打开时（flexledger submit 或 serve）才会生成
audit-prove-no-key = { $path } 处没有签名密钥：证明依据该账本的检查点作出，只有其密钥能核对这些检查点。请指定存放账本密钥的 --data-dir，或让 FLEXLEDGER_SIGNING_KEY 指向它
audit-prove-what = 请说明要证明什么：--position P（某事件在日志中）或 --from SIZE（日志由较早的检查点增长而来）
audit-history-unreadable = 无法读取参保人员 { $member } 的历史
audit-no-coverage = 参保人员 { $member } 没有参保记录
audit-export-what = 请说明要导出什么：--member ID、--region NAME 或 --all
audit-whatif-what = 请说明要比较谁：--member ID 或 --region NAME
audit-whatif-member-failed = 参保人员 { $member } 的假设分析失败
audit-region-members-unreadable = 无法列出统筹地区 { $region } 的参保人员
audit-row-without-events = 参保人员 { $member } 有状态行但没有事件：请运行 `flexledger verify`
audit-damage-kept-checkpoint = flexledger-audit：您在账本之外保存的检查点与其日志不符：日志在该检查点签名之后被改写（或回退），并且可能已用账本自己的密钥重新签名，因而能与账本所存的每个检查点一致。不要用它的备份来恢复：备份会带上被改写的日志。请原样保留数据目录作为证据（在其他任何命令打开它之前先 `cp -a`）；把改写之前、且晚于您所保存最新检查点的备份（更早的备份缺少已签名的事件，检查时会指出）恢复到新目录，并在使用前用 `flexledger-audit verify --kept FILE` 检查。该存储已被标记，不再接受追加；只有带上所保存检查点（`--kept FILE`）且通过的 `flexledger-audit verify` 才会移除标记
audit-mark-kept-for-its-checkpoint = 存储仍标记为已损坏（{ $mark }）：发现损坏的是树大小 { $size } 处的账本外检查点，而本次核验没有检查这个检查点。请用包含它的文件运行 `flexledger-audit verify --kept FILE`：只有检查了它并且通过的核验才会删除标记。若它所覆盖的事件已永久丢失，应让保存该检查点的审计人员知情：在他们认可之前，标记一直保留
audit-mark-kept-for-kept-checkpoints = 存储仍标记为已损坏（{ $mark }）：发现损坏的是带有账本之外所保存检查点（`--kept FILE`）的核验，而本次核验没有检查任何这样的检查点。请带上这些检查点运行 `flexledger-audit verify --kept FILE`：只有它通过才会移除标记
audit-close-progress = 已完成 { $done } / { $total } 名参保人员
audit-close-progress-recheck = 对该存储的重建（或生成它的恢复）发现仍有参保人员缺少其后果
