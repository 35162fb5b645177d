//! What `--help` teaches beyond clap's derive: each command's examples, printed
//! exactly as they run, and what `--data-dir` means for each command.
//!
//! Examples are literal text of the help template, not `after_help`: clap wraps
//! `after_help` to the terminal's width, which cuts a long command line in two, and
//! neither half runs when copied. Literal template text is printed as written, so an
//! example is one line however narrow the terminal.
//!
//! An example is one shell command, run as shown from the repository's root (it may
//! name `examples/…` files) against the demo's data directory, made as the README
//! makes it (`flexledger --data-dir demo-data submit examples/demo.jsonl`), after the
//! examples above it in the same help. A trailing `# exit N` says it is meant to end
//! with exit code N (a refusal it shows); a trailing `# while serve runs …` that it
//! talks to a running `flexledger serve`. `tests/it/help.rs` runs every one.

use super::wrap::wrap;
use crate::i18n::{Catalog, Language};
use clap::{Arg, Command};

/// One binary's examples and `--data-dir` help, by subcommand.
pub struct Teaching {
    /// The binary's subcommands' examples, in the order they run; `""` is the binary's own.
    pub examples: &'static [(&'static str, &'static [&'static str])],
    /// What `--data-dir` is for a subcommand, where that differs from the binary's own help.
    pub data_dir: &'static [(&'static str, &'static str)],
    /// Subcommands that never read `--data-dir`: it is accepted but not shown for them.
    pub data_dir_unused: &'static [&'static str],
    /// Subcommands that never read `--store` (they name their stores otherwise, or
    /// none): it is accepted (a global option) but not shown for them.
    pub store_unused: &'static [&'static str],
}

/// The id clap derives for both binaries' `--data-dir`.
const DATA_DIR_ID: &str = "data_dir";
/// The id clap derives for both binaries' `--store`.
const STORE_ID: &str = "store";

/// clap's default help template, followed by the examples.
const TEMPLATE_HEAD: &str =
    "{before-help}{about-with-newline}\n{usage-heading} {usage}\n\n{all-args}{after-help}";

/// `command` with its examples and per-subcommand `--data-dir` help.
///
/// `--data-dir` is a global argument: clap copies it into every subcommand when the
/// command is built, unless the subcommand already has an argument of that id. So a
/// subcommand whose `--data-dir` says something else gets its own copy (still global,
/// so its value reaches the top level whichever side of the subcommand it is given).
pub fn teach(command: Command, teaching: &Teaching) -> Command {
    let data_dir = command
        .get_arguments()
        .find(|arg| arg.get_id() == DATA_DIR_ID)
        .cloned();
    let store = command
        .get_arguments()
        .find(|arg| arg.get_id() == STORE_ID)
        .cloned();
    let mut command = match teaching.examples.iter().find(|(name, _)| name.is_empty()) {
        Some((_, lines)) => {
            let template = template(&command, lines);
            command.help_template(template)
        }
        None => command,
    };
    command = command.mut_subcommands(|mut sub| {
        let name = sub.get_name().to_owned();
        if let Some((_, lines)) = teaching.examples.iter().find(|(of, _)| *of == name) {
            let template = template(&sub, lines);
            sub = sub.help_template(template);
        }
        if let Some(store) = store.as_ref() {
            if teaching.store_unused.contains(&name.as_str()) {
                sub = sub.arg(store.clone().hide(true));
            }
        }
        let Some(data_dir) = &data_dir else {
            return sub;
        };
        if let Some((_, help)) = teaching.data_dir.iter().find(|(of, _)| *of == name) {
            sub = sub.arg(data_dir.clone().help(*help));
        }
        if teaching.data_dir_unused.contains(&name.as_str()) {
            sub = sub.arg(data_dir.clone().hide(true));
        }
        sub
    });
    command
}

/// The help template of a command with examples: clap's own, then an `Examples:`
/// section styled as clap styles its headings.
fn template(command: &Command, lines: &[&str]) -> String {
    let header = command.get_styles().get_header();
    let mut text = format!(
        "{TEMPLATE_HEAD}\n\n{}Examples:{}\n",
        header.render(),
        header.render_reset()
    );
    for line in lines {
        text.push_str("  ");
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// What sets an example's note apart from its command: the shell reads the note as a
/// comment.
const NOTE_MARK: &str = "   # ";

/// Each note an example ends with (after [`NOTE_MARK`]) and the attribute of message
/// [`NOTES_MESSAGE`] that says it in another language: a help in Chinese shows the
/// command as it runs and the note in Chinese.
const NOTES: &[(&str, &str)] = &[
    ("exit 1: refused, the months before 2025-12 come first", "refused-month-before"),
    ("exit 1: unknown member", "unknown-member"),
    ("exit 1: the open month is not closed yet", "month-not-closed"),
    (
        "while serve runs: flexledger --data-dir served-demo serve --demo (AUDITOR=the auditor token it prints)",
        "while-serve-runs",
    ),
    ("sled: nothing to do", "sled-no-migration"),
    (
        "again: resumes after what it copied (here: nothing left)",
        "copy-again",
    ),
    ("exit 1: INVALID, each edited event named", "bundle-edited"),
];

/// The catalog message whose attributes are the examples' notes ([`NOTES`]).
const NOTES_MESSAGE: &str = "help-example-notes";

/// `line` as a help in `language` shows it: its note, if any, in that language.
fn example_in(line: &str, language: Language) -> String {
    let Some((command, note)) = line.split_once(NOTE_MARK) else {
        return line.to_owned();
    };
    let said = NOTES
        .iter()
        .find(|(english, _)| *english == note)
        .and_then(|(_, attribute)| Catalog::get().attribute(language, NOTES_MESSAGE, attribute));
    match said {
        Some(said) => format!("{command}{NOTE_MARK}{said}"),
        // `check_examples` refuses a note `NOTES` lacks, and the unit test below
        // checks that the catalog says each.
        None => line.to_owned(),
    }
}

/// The examples' rules that need no run: every line is one line, the template
/// cannot eat one (clap reads `{tag}` in a template; an example may hold a one-level
/// JSON object, which clap prints back as it was, but not a nested one), and each
/// note is one [`NOTES`] lists, so that it is said in every language.
pub fn check_examples(teaching: &Teaching) -> Result<(), String> {
    for (name, lines) in teaching.examples {
        if lines.is_empty() {
            return Err(format!("{name:?} lists no example"));
        }
        for line in *lines {
            if let Some((_, note)) = line.split_once(NOTE_MARK) {
                if !NOTES.iter().any(|(english, _)| *english == note) {
                    return Err(format!("{name:?}: the note of {line:?} is not in NOTES"));
                }
            }
            let mut depth = 0u32;
            for character in line.chars() {
                match character {
                    '{' => depth += 1,
                    '}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
                if depth > 1 {
                    return Err(format!("{name:?}: nested braces in {line:?}"));
                }
            }
            if line.contains('\n') || line.trim() != *line || line.is_empty() {
                return Err(format!("{name:?}: not one trimmed line: {line:?}"));
            }
        }
    }
    Ok(())
}

/// The message of clap's own texts in the Chinese help catalog: the `-h`/`--help` and
/// `-V`/`--version` flags and the `help` subcommand clap adds to every command line.
const CLAP_MESSAGE: &str = "help-clap";
/// The ids clap gives the flags and the subcommand it adds.
const HELP_ID: &str = "help";
const VERSION_ID: &str = "version";
const HELP_SUBCOMMAND: &str = "help";
/// The id of the `help` subcommand's argument (the subcommands to show the help of).
const HELP_SUBCOMMAND_ARG_ID: &str = "subcommand";

/// `PROGRAM [OPTIONS] help [COMMAND]... --help` read as `PROGRAM [OPTIONS] help
/// [COMMAND]...`, and `help --help` alone as `help help`: clap's `help` subcommand takes
/// no flags, so asking it for its help (as `git help --help` does) was refused as
/// "unrecognized subcommand '--help'" with exit 2. Any other command line is returned
/// as it is; so is everything after a `--`.
pub fn help_flag_of_help(
    mut args: Vec<std::ffi::OsString>,
    command: &Command,
) -> Vec<std::ffi::OsString> {
    let Some(at) = subcommand_at(&args, command) else {
        return args;
    };
    if args[at] != HELP_SUBCOMMAND {
        return args;
    }
    let mut after = args.split_off(at + 1);
    let end = after
        .iter()
        .position(|word| word == "--")
        .unwrap_or(after.len());
    let is_help_flag = |word: &std::ffi::OsString| word == "-h" || word == "--help";
    if !after[..end].iter().any(is_help_flag) {
        args.extend(after);
        return args;
    }
    let mut rest = after.split_off(end);
    after.retain(|word| !is_help_flag(word));
    if after.is_empty() && rest.is_empty() {
        after.push(HELP_SUBCOMMAND.into());
    }
    args.append(&mut after);
    args.append(&mut rest);
    args
}

/// Where the subcommand's name is in `args` (the program's name first): the first word
/// that is neither an option of `command` nor the value of one (`--data-dir DIR`).
fn subcommand_at(args: &[std::ffi::OsString], command: &Command) -> Option<usize> {
    let mut index = 1;
    while let Some(word) = args.get(index) {
        let word = word.to_string_lossy();
        if word == "--" {
            return None;
        }
        if !word.starts_with('-') || word == "-" {
            return Some(index);
        }
        let long = word.strip_prefix("--").filter(|long| !long.contains('='));
        let takes_value = long.is_some_and(|long| {
            command
                .get_arguments()
                .any(|arg| arg.get_long() == Some(long) && arg.get_action().takes_values())
        });
        index += if takes_value { 2 } else { 1 };
    }
    None
}

/// The message holding the Chinese help of the command at `path` of `binary`:
/// `help-flexledger`, `help-flexledger-submit`, `help-flexledger-audit-verify-bundle`.
/// Its attributes are the command's texts (`about`, `long-about`, `after-help`) and its
/// arguments' help, by argument id (`data_dir`, `as_of`).
pub fn message_id(binary: &str, path: &[&str]) -> String {
    let mut id = format!("help-{binary}");
    for name in path {
        id.push('-');
        id.push_str(name);
    }
    id
}

/// What [`localize`] needs besides the command: whose help it is and its examples.
struct Localizing<'a> {
    binary: &'a str,
    teaching: &'a Teaching,
    language: Language,
    /// The English help of the binary's own arguments, by id: a global argument a
    /// subcommand shows with this text is the binary's, copied, and so is its Chinese.
    root_args: Vec<(String, String)>,
    /// The width the help is printed at (`wrap::help_width`), set as clap's too.
    width: usize,
}

/// Where clap starts an argument's help on the line below it: two spaces, then eight.
const NEXT_LINE_HELP_INDENT_COLUMNS: usize = 10;
/// What clap puts around a subcommand's name in a command's list, before its `about`:
/// two spaces before, at least two after the longest name.
const SUBCOMMAND_LIST_PADDING_COLUMNS: usize = 4;

/// `command` with its help in `language` (D52). English is the command as it is: the
/// derive's doc comments and `about`s and [`teach`]'s texts are the one source of the
/// English help, and it stays byte for byte what it was. Any other language replaces
/// every text the help shows, from the catalog (`locales/zh-CN/help.ftl`, message
/// [`message_id`]): the command is built first (`Command::build`), so the arguments
/// clap copies into subcommands (globals) and the flags and `help` subcommand it adds
/// are there to be given their text; and each command gets a help template with the
/// language's headings, and the examples of `teaching` as [`teach`] shows them.
///
/// A text the catalog lacks stays English (`tests/it/help.rs` fails on any). clap's
/// error messages (an unknown argument, a missing value) are said in the same
/// language by an error formatter of ours (`parse_errors`).
pub fn localize(
    command: Command,
    binary: &str,
    teaching: &Teaching,
    language: Language,
) -> Command {
    if language == Language::En {
        return command;
    }
    let width = super::wrap::help_width();
    let mut command = command.term_width(width);
    command.build();
    let root_args = command
        .get_arguments()
        .filter_map(|arg| Some((arg.get_id().to_string(), arg.get_help()?.to_string())))
        .collect();
    let localizing = Localizing {
        binary,
        teaching,
        language,
        root_args,
        width,
    };
    localize_command(command, &[], width, &localizing)
}

/// One command of the tree and, recursively, its subcommands. Each text is broken into
/// lines that fit where clap prints it (`wrap`): `about` at `about_width`, the
/// narrower of its own help's width and its place in its parent's list of commands.
fn localize_command(
    mut command: Command,
    path: &[&str],
    about_width: usize,
    localizing: &Localizing,
) -> Command {
    let texts = CommandTexts::of(path, localizing);
    let width = localizing.width;
    if command.get_about().is_some() {
        if let Some(about) = texts.get("about") {
            command = command.about(wrap(&about, about_width));
        }
    }
    if command.get_long_about().is_some() {
        if let Some(long_about) = texts.get("long-about") {
            command = command.long_about(wrap(&long_about, width));
        }
    }
    if command.get_after_help().is_some() {
        if let Some(after_help) = texts.get("after-help") {
            command = command.after_help(wrap(&after_help, width));
        }
    }
    // `mut_args`, not `mut_arg`: the command is built, and its argument lookup refers
    // to the arguments by their place, which `mut_arg` changes (it moves the argument
    // to the end) and `mut_args` keeps.
    command = command.mut_args(|arg| {
        if arg.is_hide_set() {
            arg
        } else {
            localize_arg(arg, &texts, localizing)
        }
    });
    let examples = match path {
        [] => teaching_examples(localizing.teaching, ""),
        [name] => teaching_examples(localizing.teaching, name),
        _ => None,
    };
    let template = localized_template(&command, examples, localizing.language);
    command = command.help_template(template);
    let longest_name = command
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .map(|sub| sub.get_name().len())
        .max()
        .unwrap_or(0);
    let listed_width = width.saturating_sub(longest_name + SUBCOMMAND_LIST_PADDING_COLUMNS);
    command.mut_subcommands(|sub| {
        let name = sub.get_name().to_owned();
        let mut sub_path = path.to_vec();
        sub_path.push(&name);
        localize_command(sub, &sub_path, listed_width, localizing)
    })
}

/// The examples `teaching` lists for subcommand `name` (`""`: the binary's own).
fn teaching_examples<'a>(teaching: &'a Teaching, name: &str) -> Option<&'a [&'a str]> {
    teaching
        .examples
        .iter()
        .find(|(of, _)| *of == name)
        .map(|(_, lines)| *lines)
}

/// Where one command's texts are in the catalog.
struct CommandTexts<'a> {
    language: Language,
    /// The command's own message.
    message: String,
    /// The binary's message, for the global arguments copied into a subcommand.
    root: String,
    /// Whether this is clap's `help` subcommand, or one of the copies of the binary's
    /// subcommands under it (whose about is the subcommand's own).
    clap_help: bool,
    localizing: &'a Localizing<'a>,
}

impl<'a> CommandTexts<'a> {
    fn of(path: &[&str], localizing: &'a Localizing<'a>) -> CommandTexts<'a> {
        let binary = localizing.binary;
        let (message, clap_help) = match path {
            [HELP_SUBCOMMAND] | [HELP_SUBCOMMAND, HELP_SUBCOMMAND] => {
                (CLAP_MESSAGE.to_owned(), true)
            }
            [HELP_SUBCOMMAND, rest @ ..] => (message_id(binary, rest), true),
            _ => (message_id(binary, path), false),
        };
        CommandTexts {
            language: localizing.language,
            message,
            root: message_id(binary, &[]),
            clap_help,
            localizing,
        }
    }

    /// Attribute `attribute` of the command's message (`about` of clap's own `help`
    /// subcommand is `help-command`).
    fn get(&self, attribute: &str) -> Option<String> {
        let attribute = match (self.message.as_str(), attribute) {
            (CLAP_MESSAGE, "about") => "help-command",
            _ => attribute,
        };
        Catalog::get().attribute(self.language, &self.message, attribute)
    }

    /// The help of `arg` in the language, without its default, environment variable
    /// and possible values.
    fn arg_help(&self, arg: &Arg) -> Option<String> {
        let catalog = Catalog::get();
        let clap = |attribute| catalog.attribute(self.language, CLAP_MESSAGE, attribute);
        let id = arg.get_id().as_str();
        match id {
            HELP_ID if arg.get_long_help().is_some() => clap("help-short"),
            HELP_ID => clap("help"),
            VERSION_ID => clap("version"),
            HELP_SUBCOMMAND_ARG_ID if self.clap_help => clap("help-command-arg"),
            _ => catalog
                .attribute(self.language, &self.message, id)
                .or_else(|| {
                    let english = arg.get_help()?.to_string();
                    let copied = self
                        .localizing
                        .root_args
                        .contains(&(id.to_owned(), english));
                    copied
                        .then(|| catalog.attribute(self.language, &self.root, id))
                        .flatten()
                }),
        }
    }
}

/// `arg` with its help, and its long help where it has one, in the language; what clap
/// appends in English (`[default: …]`, `[env: …]`, `[possible values: …]`) appended in
/// the language instead.
fn localize_arg(arg: Arg, texts: &CommandTexts, localizing: &Localizing) -> Arg {
    let Some(help) = texts.arg_help(&arg) else {
        return arg;
    };
    let long_help = match arg.get_id().as_str() {
        HELP_ID if arg.get_long_help().is_some() => {
            Catalog::get().attribute(localizing.language, CLAP_MESSAGE, "help-long")
        }
        _ => None,
    };
    let specs = arg_specs(&arg);
    // Each help on the line below its argument, so that where it starts, and how wide
    // its lines may be, is the same in `-h` and `--help`.
    let help_width = localizing
        .width
        .saturating_sub(NEXT_LINE_HELP_INDENT_COLUMNS);
    let with_specs = |text: String| {
        let text = if specs.is_empty() {
            text
        } else {
            format!("{text} {specs}")
        };
        wrap(&text, help_width)
    };
    let mut arg = arg
        .next_line_help(true)
        .help(with_specs(help))
        .hide_env(true)
        .hide_default_value(true)
        .hide_possible_values(true);
    if let Some(long_help) = long_help {
        arg = arg.long_help(with_specs(long_help));
    }
    arg
}

/// What clap would append to `arg`'s help, in Chinese: its environment variable (and
/// the value it has now, unless hidden), its default, its possible values.
fn arg_specs(arg: &Arg) -> String {
    let mut specs = Vec::new();
    if let (Some(variable), false) = (arg.get_env(), arg.is_hide_env_set()) {
        let name = variable.to_string_lossy();
        if arg.is_hide_env_values_set() {
            specs.push(format!("[环境变量：{name}]"));
        } else {
            let value = std::env::var_os(variable).unwrap_or_default();
            specs.push(format!("[环境变量：{name}={}]", value.to_string_lossy()));
        }
    }
    let takes_values = arg.get_action().takes_values();
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|value| value.to_string_lossy().into_owned())
        .collect();
    if takes_values && !defaults.is_empty() && !arg.is_hide_default_value_set() {
        specs.push(format!("[默认值：{}]", defaults.join(" ")));
    }
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|value| !value.is_hide_set())
        .map(|value| value.get_name().to_owned())
        .collect();
    if !values.is_empty() && !arg.is_hide_possible_values_set() {
        specs.push(format!("[可选值：{}]", values.join("、")));
    }
    specs.join(" ")
}

/// The Chinese help template: clap's default one with Chinese headings (each section
/// only where the command has something to show in it), then the examples, as
/// [`template`] shows them.
fn localized_template(command: &Command, examples: Option<&[&str]>, language: Language) -> String {
    let header = command.get_styles().get_header();
    let usage = command.get_styles().get_usage();
    let heading = |name: &str| format!("{}{name}：{}", header.render(), header.render_reset());
    let mut sections = Vec::new();
    if command.get_subcommands().any(|sub| !sub.is_hide_set()) {
        sections.push(format!("{}\n{{subcommands}}", heading("命令")));
    }
    if command.get_positionals().any(|arg| !arg.is_hide_set()) {
        sections.push(format!("{}\n{{positionals}}", heading("参数")));
    }
    let options = command
        .get_arguments()
        .any(|arg| !arg.is_positional() && !arg.is_hide_set());
    if options {
        sections.push(format!("{}\n{{options}}", heading("选项")));
    }
    let mut text = format!(
        "{{before-help}}{{about-with-newline}}\n{}用法：{}{{usage}}\n\n{}{{after-help}}",
        usage.render(),
        usage.render_reset(),
        sections.join("\n\n")
    );
    if let Some(lines) = examples {
        text.push_str(&format!("\n\n{}\n", heading("示例")));
        for line in lines {
            text.push_str("  ");
            text.push_str(&example_in(line, language));
            text.push('\n');
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every note has its Chinese, and a Chinese help shows the command as it runs
    /// and the note in Chinese.
    #[test]
    fn each_example_note_is_said_in_chinese() {
        for (english, attribute) in NOTES {
            let said = Catalog::get().attribute(Language::ZhCn, NOTES_MESSAGE, attribute);
            let said = said.unwrap_or_else(|| panic!("no Chinese for note {english:?}"));
            let line = format!("flexledger verify{NOTE_MARK}{english}");
            assert_eq!(
                example_in(&line, Language::ZhCn),
                format!("flexledger verify{NOTE_MARK}{said}")
            );
            assert_eq!(example_in(&line, Language::En), line);
        }
        assert_eq!(
            example_in("flexledger verify", Language::ZhCn),
            "flexledger verify"
        );
    }
}
