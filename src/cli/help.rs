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

use clap::Command;

/// One binary's examples and `--data-dir` help, by subcommand.
pub struct Teaching {
    /// The binary's subcommands' examples, in the order they run; `""` is the binary's own.
    pub examples: &'static [(&'static str, &'static [&'static str])],
    /// What `--data-dir` is for a subcommand, where that differs from the binary's own help.
    pub data_dir: &'static [(&'static str, &'static str)],
    /// Subcommands that never read `--data-dir`: it is accepted but not shown for them.
    pub data_dir_unused: &'static [&'static str],
}

/// The id clap derives for both binaries' `--data-dir`.
const DATA_DIR_ID: &str = "data_dir";

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

/// The examples' rules that need no run: every line is one line, and the template
/// cannot eat one (clap reads `{tag}` in a template; an example may hold a one-level
/// JSON object, which clap prints back as it was, but not a nested one).
pub fn check_examples(teaching: &Teaching) -> Result<(), String> {
    for (name, lines) in teaching.examples {
        if lines.is_empty() {
            return Err(format!("{name:?} lists no example"));
        }
        for line in *lines {
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
