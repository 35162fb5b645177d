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
