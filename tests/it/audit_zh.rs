//! `flexledger-audit`'s other commands in Chinese: verify, checkpoint, prove, export,
//! verify-bundle, public-key, timeline's summary and whatif speak the language `--lang`
//! chooses, in the glossary's words, while their JSON and exit codes stay the same.

use crate::support::*;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The member of the `demo` region in `examples/demo.jsonl` who is enrolled throughout.
const MEMBER: &str = "0b53af7d-bb50-5037-9d21-49eba4cb5782";

/// A ledger of the demo region, as the README's tour submits it.
fn demo_store() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_flexledger"))
        .env(LANGUAGE_PINNED.0, LANGUAGE_PINNED.1)
        .env_remove("FLEXLEDGER_DATA_DIR")
        .env_remove("FLEXLEDGER_SIGNING_KEY")
        .arg("--data-dir")
        .arg(dir.path())
        .arg("submit")
        .arg(repo_path("examples/demo.jsonl"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    dir
}

/// The real `flexledger-audit --lang language --data-dir dir args`, run in `dir`.
fn audit(dir: &Path, language: &str, args: &[&str]) -> Output {
    audit_at(dir, dir, language, args)
}

/// The real `flexledger-audit --lang language --data-dir data_dir args`, run in `dir`.
fn audit_at(dir: &Path, data_dir: &Path, language: &str, args: &[&str]) -> Output {
    run_at(
        env!("CARGO_BIN_EXE_flexledger-audit"),
        (dir, data_dir),
        language,
        args,
    )
}

/// The real `program --lang language --data-dir data_dir args`, run in `dir`.
fn run_at(program: &str, (dir, data_dir): (&Path, &Path), language: &str, args: &[&str]) -> Output {
    Command::new(program)
        .env(LANGUAGE_PINNED.0, LANGUAGE_PINNED.1)
        .env_remove("FLEXLEDGER_DATA_DIR")
        .env_remove("FLEXLEDGER_SIGNING_KEY")
        .env_remove("FLEXLEDGER_PUBLIC_KEY")
        .current_dir(dir)
        .args(["--lang", language, "--data-dir"])
        .arg(data_dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// ASCII words of a Chinese line that are neither codes nor data: what a sentence of
/// ours left in English. Codes are words with `_`, `-` or digits (hashes, ids, rule
/// ids, `ed25519`), the program's and the commands' names, an option's value
/// placeholder (`--region NAME`), and RFC and UTC.
fn english_words(line: &str) -> Vec<String> {
    const CODES: &[&str] = &[
        "flexledger",
        "checkpoint",
        "RFC",
        "UTC",
        "ID",
        "NAME",
        "REGION",
        "SIZE",
        "HEX",
        "beijing",
        "submit",
        "serve",
        "verify",
        "replay",
        "demo",
        "basic",
        "json",
    ];
    line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'))
        .filter(|word| word.starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter(|word| {
            let code = word.contains(['_', '-', '.'])
                || word.bytes().any(|byte| byte.is_ascii_digit())
                || CODES.contains(word);
            !code
        })
        .map(str::to_owned)
        .collect()
}

/// The lines of `text` that hold English words, but for the checkpoint's signed note
/// (its exact signed text, the same in every language).
fn english_lines(text: &str) -> Vec<String> {
    const NOTE: &[&str] = &[
        "flexledger checkpoint v1",
        "origin ",
        "size ",
        "root ",
        "heads ",
        "time ",
    ];
    text.lines()
        .filter(|line| !NOTE.iter().any(|start| line.starts_with(start)))
        .filter(|line| !english_words(line).is_empty())
        .map(str::to_owned)
        .collect()
}

/// Runs `args` in Chinese and English: the same exit code, the Chinese text holds each
/// of `phrases` and no English sentence, and `--json` is the same in both languages.
fn check_zh(dir: &Path, args: &[&str], phrases: &[&str]) -> String {
    let (zh, en) = (audit(dir, "zh-CN", args), audit(dir, "en", args));
    assert_eq!(zh.status.code(), en.status.code(), "{args:?}");
    // A refusal is said on standard error, the rest on standard output.
    let text = stdout(&zh) + &String::from_utf8_lossy(&zh.stderr);
    for phrase in phrases {
        assert!(text.contains(phrase), "{args:?}: no {phrase:?} in\n{text}");
    }
    let english = english_lines(&text);
    assert!(
        english.is_empty(),
        "{args:?}: English in\n{}",
        english.join("\n")
    );
    text
}

#[test]
fn verify_checkpoint_prove_and_public_key_speak_chinese() {
    let store = demo_store();
    let dir = store.path();
    let english = stdout(&audit(dir, "en", &["verify"]));
    assert!(
        english.contains("1 signed checkpoint matches the log; latest: no event yet (the checkpoint a new ledger signs as it is made, before its first event)"),
        "{english}"
    );
    check_zh(
        dir,
        &["verify"],
        &[
            "校验通过：33 个事件，4 条事件流，3 名参保人员",
            // The one `submit` signed when it made the ledger, before its first event.
            "1 个已签名的检查点与日志相符；最新的：尚无事件（新账本创建时、在其第一个事件之前签署的检查点）",
            // …which covers none of them: said, not left to the reader to work out.
            "位置 1 至 33 的 33 个事件尚无已签名的检查点覆盖：`flexledger-audit checkpoint` 可对当前日志签名",
        ],
    );
    // A ledger written by the library alone has none.
    let bare = tempfile::tempdir().unwrap();
    let demo = std::fs::read_to_string(repo_path("examples/demo.jsonl")).unwrap();
    let commands: Vec<serde_json::Value> = demo
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    drop(crate::expect::ledger_of(&commands, bare.path()));
    check_zh(bare.path(), &["verify"], &["尚无检查点"]);
    check_zh(
        dir,
        &["checkpoint"],
        &[
            "检查点：33 个事件，4 条事件流；已签名并保存",
            "签名 ",
            "公钥 ",
        ],
    );
    check_zh(dir, &["checkpoint"], &["已保存过（检查点从不替换）"]);
    check_zh(
        dir,
        &["checkpoint", "--list"],
        &["事件数         33  根哈希 "],
    );
    let signed = check_zh(
        dir,
        &["verify"],
        &["2 个已签名的检查点与日志相符；最新的：33 个事件"],
    );
    assert!(!signed.contains("尚无已签名的检查点覆盖"), "{signed}");
    check_zh(
        dir,
        &["prove", "--position", "17"],
        &["事件 17（哈希 ", "审计路径（从叶到根，RFC 9162），已验证："],
    );
    check_zh(
        dir,
        &["prove", "--from", "20"],
        &["33 个事件的日志", "是 20 个事件的日志", "一致性路径"],
    );
    check_zh(
        dir,
        &["prove", "--position", "99"],
        &["日志止于位置 33，位置或大小 99 无可证明：请给出 1 至 33 之间的位置或大小"],
    );
    check_zh(
        dir,
        &["prove", "--position", "1", "--to", "5"],
        &["没有大小为 5 的已保存检查点"],
    );
    check_zh(dir, &["public-key"], &["密钥标识 ", "请公布此公钥"]);
    // Another key pinned: the listed rows and a kept checkpoint's refusal say why in
    // Chinese (an auditor's probe read "the checkpoint was signed by key …" there).
    let other = ed25519_dalek::SigningKey::from_bytes(&[7; 32]).verifying_key();
    let other = flexledger::audit::checkpoint::hex(other.as_bytes());
    let pinned = ["checkpoint", "--list", "--public-key", &other];
    check_zh(dir, &pinned, &["无效：该检查点由密钥 ", "而非指定的公钥 "]);
    let kept = dir.join("k.jsonl");
    std::fs::write(
        &kept,
        stdout(&audit(dir, "en", &["checkpoint", "--list", "--json"])),
    )
    .unwrap();
    let verify = ["verify", "--public-key", &other, "--kept", "k.jsonl"];
    check_zh(dir, &verify, &["不是由本账本密钥签名的检查点：它由密钥 "]);
    for args in [
        &["verify", "--json"][..],
        &["checkpoint", "--list", "--json"],
        &["prove", "--position", "17", "--json"],
        &["prove", "--position", "99", "--json"],
        &["public-key", "--json"],
    ] {
        assert_eq!(
            stdout(&audit(dir, "zh-CN", args)),
            stdout(&audit(dir, "en", args)),
            "{args:?}"
        );
    }
}

#[test]
fn export_verify_bundle_and_timeline_speak_chinese_and_english_counts_are_singular() {
    let store = demo_store();
    let dir = store.path();
    let export = ["export", "--member", MEMBER, "--out", "member.bundle"];
    let written = check_zh(
        dir,
        &export,
        &[
            "已将 ",
            " 条事件流，1 名参保人员）写入 member.bundle（",
            "并以已签名的、覆盖前 ",
            "可在任何地方核验：flexledger-audit verify-bundle member.bundle --public-key ",
        ],
    );
    assert!(written.contains("字节）"), "{written}");
    let english = stdout(&audit(dir, "en", &export));
    assert!(
        english.contains(" of 2 streams and 1 member, proven"),
        "{english}"
    );
    let csv = [
        "export", "--region", "demo", "--format", "csv", "--out", "demo.csv",
    ];
    check_zh(
        dir,
        &csv,
        &["行参保人员月度记录（3 名参保人员）写入 demo.csv"],
    );
    let key = stdout(&audit(dir, "en", &["public-key"]));
    let key = key.lines().next().unwrap();
    let verify = ["verify-bundle", "member.bundle", "--public-key", key];
    check_zh(
        dir,
        &verify,
        &[
            "有效：",
            "1 份参保人员参保记录",
            "由指定的公钥签名（密钥标识 ",
        ],
    );
    let english = stdout(&audit(dir, "en", &verify));
    assert!(
        english.starts_with("VALID: ") && english.contains("1 member coverage\n"),
        "{english}"
    );
    let bundle = std::fs::read_to_string(dir.join("member.bundle")).unwrap();
    let edited = bundle.replacen("\"amount\":\"600.00\"", "\"amount\":\"700.00\"", 1);
    std::fs::write(dir.join("edited.bundle"), edited).unwrap();
    let edited = ["verify-bundle", "edited.bundle", "--trust-bundle-key"];
    let (zh, en) = (audit(dir, "zh-CN", &edited), audit(dir, "en", &edited));
    assert_eq!((zh.status.code(), en.status.code()), (Some(1), Some(1)));
    let text = stdout(&zh);
    assert!(text.starts_with("无效："), "{text}");
    assert!(text.contains("该公钥未指定"), "{text}");
    assert!(text.contains("未通过 edited（第 "), "{text}");
    let svg = ["timeline", "--member", MEMBER, "--svg", "member.svg"];
    check_zh(
        dir,
        &svg,
        &["已写出 member.svg：参保人员 ", "个月，", "字节"],
    );
    let json = [
        "--json",
        "verify-bundle",
        "edited.bundle",
        "--trust-bundle-key",
    ];
    assert_eq!(
        stdout(&audit(dir, "zh-CN", &json)),
        stdout(&audit(dir, "en", &json))
    );
}

#[test]
fn whatif_speaks_chinese() {
    let store = demo_store();
    let dir = store.path();
    let policy = repo_path("examples/whatif-six-months-grace.json");
    std::fs::copy(policy, dir.join("grace.json")).unwrap();
    let grace = "grace.json";
    let region = ["whatif", "--policy", grace, "--region", "demo"];
    let (zh, en) = (audit(dir, "zh-CN", &region), audit(dir, "en", &region));
    assert_eq!((zh.status.code(), en.status.code()), (Some(0), Some(0)));
    let text = stdout(&zh);
    for phrase in [
        "假设分析：统筹地区 demo",
        "统筹地区 demo：3 名参保人员，1 名受影响，2 条已记录的命令被拒绝",
        // The label column is as wide as its widest label, so every row lines up.
        "欠费失效（不能再补缴）      2400.00（4 个月）",
        "社会保险补贴 形成/已发/待发 0.00 / 0.00 / 0.00（R16）",
        "状态或待遇改变的月份",
        "以下为前 1 名受影响参保人员的明细",
        "6 个月的状态或待遇发生变化：",
        "参保状态                    正常参保                                  欠费中",
        "自 2025-04 起（视为自动退保）",
        "        4  欠费失效         欠费",
        "  2025-09  等待期（600.00）             欠费（0.00）",
        "替代政策会拒绝 2 条已记录的命令",
    ] {
        assert!(text.contains(phrase), "no {phrase:?} in\n{text}");
    }
    // The refused commands' messages and what was recorded are said in Chinese too;
    // only a refused line's command name and code (in brackets, named in Chinese
    // before them) are the contract's.
    assert!(
        text.contains("  位置 31 的重新参保命令（reenroll）被拒绝（not_withdrawn）："),
        "{text}"
    );
    let ours: String = text
        .lines()
        .map(|line| match line.strip_prefix("  位置 ") {
            Some(refused) => refused
                .split_once("）：")
                .map_or(line, |(_, message)| message),
            None => line,
        })
        .map(|line| format!("{line}\n"))
        .collect();
    assert!(text.contains("记录：R13 自 2025-09 起重新参保"), "{text}");
    let english = english_lines(&ours);
    assert!(english.is_empty(), "English in\n{}", english.join("\n"));
    // The columns line up in terminal columns: every row's first value starts at
    // column 28, one after the widest label (社会保险补贴 形成/已发/待发), after a
    // short label as after a long one.
    let rows = text.lines().filter(|line| {
        ["已缴费 ", "享受待遇月数 ", "社会保险补贴 "]
            .iter()
            .any(|label| line.starts_with(label))
    });
    for line in rows {
        let label = line
            .split(|c: char| c.is_ascii_digit() || c == '无')
            .next()
            .unwrap();
        assert_eq!(flexledger::i18n::display_width(label), 28, "{line}");
    }
    let english = stdout(&en);
    assert!(english.contains("region demo: 3 members, 1 affected, 2 recorded commands refused"));
    assert!(english.contains("detail for the first affected member (at most"));
    let json = ["--json", "whatif", "--policy", grace, "--region", "demo"];
    assert_eq!(
        stdout(&audit(dir, "zh-CN", &json)),
        stdout(&audit(dir, "en", &json))
    );
}

/// The operator's common mistakes are said on standard error in the chosen language;
/// the exit codes and `--json`'s English message stay.
#[test]
fn an_unknown_member_or_region_and_a_missing_ledger_are_said_in_chinese() {
    let store = demo_store();
    let dir = store.path();
    let stderr = |output: &Output| String::from_utf8(output.stderr.clone()).unwrap();
    let unknown = "00000000-0000-0000-0000-000000000001";
    let cases: [(&[&str], &str, &str); 4] = [
        (
            &["replay", "--member", unknown],
            "参保人员 00000000-0000-0000-0000-000000000001 在此账本中没有事件：请核对编号",
            "member 00000000-0000-0000-0000-000000000001 has no events in this ledger: check the id",
        ),
        (
            &["export", "--region", "nope", "--out", "x.bundle"],
            "没有可导出的内容：统筹地区 nope 在此账本中没有政策",
            "nothing to export: region nope has no policy in this ledger",
        ),
        (
            &["whatif", "--policy", "empty.json", "--region", "nope"],
            "统筹地区 nope 在此账本中没有政策：请核对名称",
            "region nope has no policy in this ledger: check the name",
        ),
        (
            &["verify"],
            "nowhere 中没有账本：请用 --data-dir 指定数据目录（或设置 FLEXLEDGER_DATA_DIR）",
            "no ledger in nowhere: pass --data-dir (or set FLEXLEDGER_DATA_DIR)",
        ),
    ];
    std::fs::write(dir.join("empty.json"), "{}").unwrap();
    for (args, chinese, english) in cases {
        // Every case is run on the demo's ledger but `verify`, which finds none.
        let data_dir = if args == ["verify"] {
            Path::new("nowhere")
        } else {
            dir
        };
        let zh = audit_at(dir, data_dir, "zh-CN", args);
        let en = audit_at(dir, data_dir, "en", args);
        assert_eq!(zh.status.code(), en.status.code(), "{args:?}");
        assert!(stderr(&zh).contains(chinese), "{args:?}: {}", stderr(&zh));
        assert!(stderr(&en).contains(english), "{args:?}: {}", stderr(&en));
    }
    let json = ["--json", "export", "--member", unknown, "--out", "x.bundle"];
    let (zh, en) = (audit(dir, "zh-CN", &json), audit(dir, "en", &json));
    assert_eq!((zh.status.code(), en.status.code()), (Some(1), Some(1)));
    assert_eq!(stdout(&zh), stdout(&en));
    assert!(stdout(&zh).contains("\"message\":\"nothing to export: member "));
}

/// A what-if's policy file that cannot be the alternative is said in the reader's
/// language: every way it can be wrong, with the file, the field and the bound (exit 2
/// in both languages). Only fields, JSON and names from the file stay as written.
#[test]
fn a_policy_file_that_cannot_be_the_alternative_is_said_in_chinese() {
    let store = demo_store();
    let dir = store.path();
    let stderr = |output: &Output| String::from_utf8(output.stderr.clone()).unwrap();
    let cases = [
        ("{\"grace_months\": 6", "政策文件（p.json）：不是有效的 JSON（", "not valid JSON"),
        ("[1]", "必须是一个由政策参数组成的 JSON 对象", "must be one JSON object"),
        ("{\"region\": \"x\"}", "字段 `region` 不可替换", "field `region` cannot be overridden"),
        ("{\"grace_month\": 6}", "字段 `grace_month` 有误：未知字段", "unknown field `grace_month`"),
        (
            "{\"base_ratio_min\": \"3.50\"}",
            "统筹地区 demo 自 2025-01 起的政策应用这些替换后不合规：字段 `base_ratio_min` 不得大于 `base_ratio_max`",
            "the policy of region demo from 2025-01 with these overrides is invalid: base_ratio_min must not exceed base_ratio_max",
        ),
    ];
    let args = ["whatif", "--policy", "p.json", "--region", "demo"];
    for (policy, chinese, english) in cases {
        std::fs::write(dir.join("p.json"), policy).unwrap();
        let (zh, en) = (audit(dir, "zh-CN", &args), audit(dir, "en", &args));
        assert_eq!(
            (zh.status.code(), en.status.code()),
            (Some(2), Some(2)),
            "{policy}"
        );
        let (zh, en) = (stderr(&zh), stderr(&en));
        assert!(zh.contains(chinese), "{policy}: {zh}");
        assert!(en.contains(english), "{policy}: {en}");
        // Backticked fields and the JSON example are the file's own words.
        let ours: String = zh.split('`').step_by(2).collect();
        let words: Vec<String> = english_words(&ours)
            .into_iter()
            .filter(|word| !["JSON", "json", "grace_months"].contains(&word.as_str()))
            .collect();
        assert!(words.is_empty(), "{policy}: English {words:?} in {zh}");
    }
}

/// `flexledger`'s reads it cannot answer, and a missing ledger, are said on standard
/// error in the chosen language too; its JSON (the contract's English, D37) and exit
/// codes are the same in both.
#[test]
fn flexledger_says_an_unknown_member_or_region_and_a_missing_ledger_in_chinese() {
    let store = demo_store();
    let dir = store.path();
    let flexledger = |data_dir: &Path, language: &str, args: &[&str]| {
        run_at(
            env!("CARGO_BIN_EXE_flexledger"),
            (dir, data_dir),
            language,
            args,
        )
    };
    let stderr = |output: &Output| String::from_utf8(output.stderr.clone()).unwrap();
    let unknown = "00000000-0000-0000-0000-000000000001";
    let cases: [(&[&str], &str, &str); 6] = [
        (
            &["member", unknown],
            "参保人员 00000000-0000-0000-0000-000000000001 没有任何事件：请核对编号，或先为其办理参保",
            "member 00000000-0000-0000-0000-000000000001 has no events: check the id, or enroll the member first",
        ),
        (
            &["events", "--member", unknown],
            "参保人员 00000000-0000-0000-0000-000000000001 没有任何事件",
            "member 00000000-0000-0000-0000-000000000001 has no events",
        ),
        (
            &["region", "nope", "--month", "2025-01"],
            "统筹地区 nope 在此账本中没有政策：请核对名称",
            "region nope has no policy in this ledger: check the name",
        ),
        (
            &["region", "demo", "--month", "2031-01"],
            "统筹地区 demo 的 2031-01 尚未月结",
            "2031-01 is not closed in region demo",
        ),
        (
            &["region", "demo", "--month", "2025-13"],
            "--month \"2025-13\" 不是月份",
            "--month \"2025-13\" is not a month",
        ),
        (
            &["verify"],
            "nowhere 中没有账本：请先提交命令",
            "/nowhere: submit commands first",
        ),
    ];
    for (args, chinese, english) in cases {
        let data_dir = if args == ["verify"] {
            dir.join("nowhere")
        } else {
            dir.to_owned()
        };
        let zh = flexledger(&data_dir, "zh-CN", args);
        let en = flexledger(&data_dir, "en", args);
        assert_eq!(zh.status.code(), en.status.code(), "{args:?}");
        assert!(stderr(&zh).contains(chinese), "{args:?}: {}", stderr(&zh));
        assert!(stderr(&en).contains(english), "{args:?}: {}", stderr(&en));
        // The program's name is joined as each language writes it.
        assert!(stderr(&zh).starts_with("flexledger："), "{}", stderr(&zh));
        assert!(stderr(&en).starts_with("flexledger: "), "{}", stderr(&en));
        // The JSON's message follows `--lang` (D37); its code and shape do not.
        let json = |output: &Output| serde_json::from_str::<serde_json::Value>(&stdout(output));
        match (json(&zh), json(&en)) {
            (Ok(zh), Ok(en)) => {
                assert_eq!(zh["error"]["code"], en["error"]["code"], "{args:?}");
                let message = zh["error"]["message"].as_str().unwrap_or_default();
                assert!(message.contains(chinese), "{args:?}: {message}");
            }
            _ => assert_eq!(stdout(&zh), stdout(&en), "{args:?}"),
        }
    }
}

/// A member id that is not a UUID is said to be one, with what a UUID looks like, in
/// both languages and by both programs (clap's English named only "invalid character").
#[test]
fn a_member_id_that_is_not_a_uuid_is_said_to_be_one() {
    let store = demo_store();
    let dir = store.path();
    let cases: [(&str, &[&str]); 3] = [
        (env!("CARGO_BIN_EXE_flexledger"), &["member", "xyz"]),
        (
            env!("CARGO_BIN_EXE_flexledger"),
            &["events", "--member", "xyz"],
        ),
        (
            env!("CARGO_BIN_EXE_flexledger-audit"),
            &["replay", "--member", "xyz"],
        ),
    ];
    for (program, args) in cases {
        let zh = run_at(program, (dir, dir), "zh-CN", args);
        let en = run_at(program, (dir, dir), "en", args);
        let stderr = |output: &Output| String::from_utf8(output.stderr.clone()).unwrap();
        assert_eq!(zh.status.code(), Some(2), "{args:?}");
        assert_eq!(en.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&en).contains("UUID parsing failed: invalid character: found `x` at 0 (a member id is a UUID: 8-4-4-4-12 hexadecimal digits"),
            "{args:?}: {}",
            stderr(&en)
        );
        assert!(
            stderr(&zh)
                .contains("UUID 格式有误：位置 0（从 0 数起）的字符 `x` 无效（参保人员编号是 UUID"),
            "{args:?}: {}",
            stderr(&zh)
        );
    }
}

/// Words the reports put around their data are Chinese too: standard output and
/// input, and a what-if with no override.
#[test]
fn standard_output_and_an_empty_what_if_are_said_in_chinese() {
    let store = demo_store();
    let dir = store.path();
    let csv = [
        "export", "--member", MEMBER, "--format", "csv", "--out", "-",
    ];
    let said = String::from_utf8(audit(dir, "zh-CN", &csv).stderr).unwrap();
    assert!(said.contains("写入 标准输出"), "{said}");
    std::fs::write(dir.join("none.json"), "{}").unwrap();
    let whatif = ["whatif", "--policy", "none.json", "--region", "demo"];
    let text = stdout(&audit(dir, "zh-CN", &whatif));
    assert!(
        text.contains("替代政策：无（替代方案即账本本身）"),
        "{text}"
    );
}

/// A what-if that changes one month says "1 month changes" and still lists that month,
/// in both languages.
#[test]
fn a_single_changed_month_is_singular_and_listed() {
    let store = demo_store();
    let dir = store.path();
    std::fs::write(dir.join("delay.json"), r#"{"benefit_delay_first": 5}"#).unwrap();
    let args = ["whatif", "--policy", "delay.json", "--member", MEMBER];
    let english = stdout(&audit(dir, "en", &args));
    assert!(
        english.contains(
            "\n1 month changes status or benefits:\n  month    actual (paid)                alternative (paid)\n  2025-06  waiting (600.00)             covered+ (600.00)\n"
        ),
        "{english}"
    );
    let chinese = stdout(&audit(dir, "zh-CN", &args));
    assert!(
        chinese.contains("\n1 个月的状态或待遇发生变化：\n"),
        "{chinese}"
    );
    assert!(chinese.contains("  2025-06  等待期（600.00）"), "{chinese}");
    assert!(chinese.contains("享受待遇+（600.00）"), "{chinese}");
}

/// The sentence of `verify-bundle`'s `coverage` failure when the events do not fold,
/// before the fold's own words.
const NO_FOLD: &str = "这些事件无法依次重算出参保人员的状态：";

/// `verify-bundle`'s report follows `--lang` down to each failure's reason: in Chinese
/// every reason is Chinese (the check's name, `edited`, `completeness`, `order`,
/// `key`…, is the JSON's identifier and stays), with the same facts as the English,
/// which is unchanged.
#[test]
fn verify_bundle_says_why_each_check_failed_in_chinese() {
    let store = demo_store();
    let dir = store.path();
    let export = ["export", "--member", MEMBER, "--out", "member.bundle"];
    assert!(audit(dir, "en", &export).status.success());
    let key = stdout(&audit(dir, "en", &["public-key"]));
    let key = key.lines().next().unwrap().to_owned();
    let bundle = std::fs::read_to_string(dir.join("member.bundle")).unwrap();
    let edited = bundle.replacen("\"amount\":\"600.00\"", "\"amount\":\"700.00\"", 1);
    std::fs::write(dir.join("edited.bundle"), edited).unwrap();
    let mut lines: Vec<&str> = bundle.lines().collect();
    let mut dropped = lines.clone();
    dropped.remove(3);
    std::fs::write(dir.join("dropped.bundle"), dropped.join("\n") + "\n").unwrap();
    lines.swap(3, 4);
    std::fs::write(dir.join("swapped.bundle"), lines.join("\n") + "\n").unwrap();
    let runs = [
        vec!["verify-bundle", "edited.bundle", "--public-key", &key],
        vec!["verify-bundle", "dropped.bundle", "--public-key", &key],
        vec!["verify-bundle", "swapped.bundle", "--public-key", &key],
        vec!["verify-bundle", "member.bundle"],
    ];
    let mut reasons = Vec::new();
    for args in &runs {
        let (zh, en) = (audit(dir, "zh-CN", args), audit(dir, "en", args));
        assert_eq!((zh.status.code(), en.status.code()), (Some(1), Some(1)));
        let (zh, en) = (stdout(&zh), stdout(&en));
        let failed: Vec<&str> = zh
            .lines()
            .filter(|line| line.starts_with("未通过 "))
            .collect();
        let english: Vec<&str> = en
            .lines()
            .filter(|line| line.starts_with("FAILED "))
            .collect();
        assert_eq!(failed.len(), english.len(), "{zh}\n{en}");
        assert!(!failed.is_empty(), "{zh}");
        for (line, english) in failed.iter().zip(&english) {
            let check = line["未通过 ".len()..].split(['（', '：']).next().unwrap();
            assert!(
                english.starts_with(&format!("FAILED {check}")),
                "{line}\n{english}"
            );
            let reason = line.split_once('：').unwrap().1;
            // What the fold says is its own English, an argument of the sentence
            // (as serde's words in a refusal, D37): the sentence around it is checked.
            let sentence = reason.split(NO_FOLD).next().unwrap();
            let words = english_words(sentence);
            assert!(words.is_empty(), "English {words:?} in {line}");
            reasons.push(reason.to_owned());
        }
    }
    let reasons = reasons.join("\n");
    for phrase in [
        "该事件在记录后被改动过：哈希 ",
        "包头列出 20 个事件，审计包中却有 19 个",
        "审计包证明了该位置有事件，却不含该事件：有事件被删除",
        "排在位置 ",
        "但未指定公钥：请以 --public-key 传入账本公布的公钥",
    ] {
        assert!(reasons.contains(phrase), "no {phrase:?} in\n{reasons}");
    }
}

/// The audit commands' refusals of their own arguments and key files are said in the
/// reader's language (they were English under `--lang zh-CN`, found while a probe ran
/// as Chinese-speaking staff): each with its Chinese words, no English sentence, and
/// the same exit code in both languages.
#[test]
fn the_audit_commands_own_refusals_are_said_in_chinese() {
    let store = demo_store();
    let dir = store.path();
    check_zh(dir, &["export", "--out", "x.bundle"], &["请说明要导出什么"]);
    check_zh(
        dir,
        &["export", "--region", "西湖区", "--out", "x.bundle"],
        &["不是统筹地区名称"],
    );
    // The ledger's key is not there, and nothing was appended since its checkpoint.
    let made = audit(dir, "en", &["checkpoint"]);
    assert!(made.status.success(), "{made:?}");
    let key = dir.join("audit-signing-key");
    std::fs::rename(&key, dir.join("key-aside")).unwrap();
    check_zh(
        dir,
        &["checkpoint", "--new-key"],
        &["新密钥尚无可签名的新内容"],
    );
    // Run in the data directory, so the key's path in the sentence is no English.
    for (args, phrase) in [
        (&["public-key"][..], "其私钥不在此处"),
        (
            &["prove", "--position", "1"][..],
            "证明依据该账本的检查点作出",
        ),
    ] {
        let (zh, en) = (
            audit_at(dir, Path::new("."), "zh-CN", args),
            audit_at(dir, Path::new("."), "en", args),
        );
        assert_eq!(
            (zh.status.code(), en.status.code()),
            (Some(2), Some(2)),
            "{args:?}"
        );
        let said = String::from_utf8_lossy(&zh.stderr);
        assert!(said.contains(phrase), "{args:?}: {said}");
        assert_eq!(english_lines(&said), Vec::<String>::new(), "{args:?}");
    }
}
