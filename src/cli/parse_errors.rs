//! clap's errors about a command line (an unknown argument, a missing or bad value) in
//! the language the command line asks for (D52). clap 4 writes them in English with its
//! `RichFormatter`; an [`ErrorFormatter`] of our own, [`Chinese`], says the same facts
//! (the error's kind and its context: the argument, the value, the suggestions, the
//! usage) in the catalog's words (`help-error-*` in `locales/zh-CN/help.ftl`). English
//! stays clap's own text, byte for byte.

use crate::i18n::{Arg, Catalog, Language};
use clap::builder::StyledStr;
use clap::error::{ContextKind, ContextValue, ErrorFormatter, ErrorKind};

/// Prints `error` in the language of the process's command line (as its `--help`
/// is chosen: `help_language`) and exits: 2 for a bad command line, 0 for `--help`.
pub fn exit(error: clap::Error) -> ! {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    match super::help_language(&args) {
        Language::En => error.exit(),
        Language::ZhCn => error.apply::<Chinese>().exit(),
    }
}

/// clap's error messages in Chinese.
pub struct Chinese;

impl ErrorFormatter for Chinese {
    fn format_error(error: &clap::error::Error<Self>) -> StyledStr {
        let mut text = say("help-error", &[]);
        text.push_str(&what_went_wrong(error));
        for (kind, what) in [
            (ContextKind::SuggestedSubcommand, "subcommand"),
            (ContextKind::SuggestedArg, "argument"),
            (ContextKind::SuggestedValue, "value"),
        ] {
            if let Some(similar) = error.get(kind) {
                let names = strings(similar);
                let args = [
                    ("what", Arg::Text(what.to_owned())),
                    ("names", quoted_list(&names)),
                ];
                text.push_str("\n\n  ");
                text.push_str(&say("help-error-similar", &args));
            }
        }
        if let Some(ContextValue::StyledStrs(tips)) = error.get(ContextKind::Suggested) {
            for tip in tips {
                text.push_str("\n\n  ");
                text.push_str(&tip_in_chinese(&tip.to_string()));
            }
        }
        if let Some(ContextValue::StyledStr(usage)) = error.get(ContextKind::Usage) {
            let usage = usage.to_string();
            let usage = usage.strip_prefix("Usage: ").unwrap_or(&usage);
            text.push_str("\n\n");
            text.push_str(&say("help-error-usage", &[("usage", text_arg(usage))]));
        }
        text.push_str("\n\n");
        text.push_str(&say("help-error-try-help", &[]));
        text.push('\n');
        StyledStr::from(text)
    }
}

/// The sentence for the error's kind, from its context; clap's English name of the
/// kind for a kind without context (none of the command lines here make one).
fn what_went_wrong(error: &clap::error::Error<Chinese>) -> String {
    let arg = error
        .get(ContextKind::InvalidArg)
        .map(strings)
        .unwrap_or_default();
    let value = error
        .get(ContextKind::InvalidValue)
        .map(strings)
        .unwrap_or_default();
    let one = |items: &[String]| text_arg(items.first().map(String::as_str).unwrap_or(""));
    match error.kind() {
        ErrorKind::UnknownArgument => say("help-error-unknown-argument", &[("arg", one(&arg))]),
        ErrorKind::InvalidSubcommand => {
            let subcommand = error
                .get(ContextKind::InvalidSubcommand)
                .map(strings)
                .unwrap_or_default();
            say(
                "help-error-invalid-subcommand",
                &[("subcommand", one(&subcommand))],
            )
        }
        ErrorKind::InvalidValue if value.iter().all(String::is_empty) => {
            say("help-error-value-missing", &[("arg", one(&arg))])
        }
        ErrorKind::InvalidValue => {
            let mut said = say(
                "help-error-invalid-value",
                &[("arg", one(&arg)), ("value", one(&value))],
            );
            if let Some(valid) = error.get(ContextKind::ValidValue) {
                let args = [("values", list(&strings(valid)))];
                said.push_str(&say("help-error-possible-values", &args));
            }
            said
        }
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(error)
                .map(value_parser_words)
                .unwrap_or_default();
            let args = [
                ("arg", one(&arg)),
                ("value", one(&value)),
                ("why", text_arg(&why)),
            ];
            say("help-error-value-validation", &args)
        }
        ErrorKind::MissingRequiredArgument => {
            say("help-error-missing-required", &[("args", lines(&arg))])
        }
        ErrorKind::MissingSubcommand => missing_subcommand(error),
        ErrorKind::ArgumentConflict => argument_conflict(error, &arg),
        ErrorKind::NoEquals => say("help-error-no-equals", &[("arg", one(&arg))]),
        ErrorKind::TooManyValues => say(
            "help-error-too-many-values",
            &[("arg", one(&arg)), ("value", one(&value))],
        ),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            let number = |kind| match error.get(kind) {
                Some(ContextValue::Number(number)) => number.to_string(),
                _ => String::new(),
            };
            let wanted = match error.kind() {
                ErrorKind::TooFewValues => number(ContextKind::MinValues),
                _ => number(ContextKind::ExpectedNumValues),
            };
            let args = [
                ("arg", one(&arg)),
                ("wanted", text_arg(&wanted)),
                ("given", text_arg(&number(ContextKind::ActualNumValues))),
            ];
            say("help-error-number-of-values", &args)
        }
        ErrorKind::InvalidUtf8 => say("help-error-invalid-utf8", &[]),
        other => other.to_string(),
    }
}

/// A value parser's refusal in Chinese: our own parsers' `Sentence` (a member id's
/// too, `cli::parse_uuid`), a number's by its kind; anything else as it came.
fn value_parser_words(source: &(dyn std::error::Error + 'static)) -> String {
    use std::num::IntErrorKind;
    if let Some(sentence) = source.downcast_ref::<crate::i18n::Sentence>() {
        return sentence.in_language(Language::ZhCn);
    }
    if let Some(number) = source.downcast_ref::<std::num::ParseIntError>() {
        let id = match number.kind() {
            IntErrorKind::Empty => "help-error-number-empty",
            IntErrorKind::InvalidDigit => "help-error-number-digit",
            IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => "help-error-number-too-large",
            _ => return source.to_string(),
        };
        return say(id, &[]);
    }
    source.to_string()
}

fn missing_subcommand(error: &clap::error::Error<Chinese>) -> String {
    let command = error
        .get(ContextKind::InvalidSubcommand)
        .map(strings)
        .unwrap_or_default();
    let command = text_arg(command.first().map(String::as_str).unwrap_or(""));
    let mut said = say("help-error-missing-subcommand", &[("command", command)]);
    if let Some(valid) = error.get(ContextKind::ValidSubcommand) {
        let args = [("values", list(&strings(valid)))];
        said.push_str(&say("help-error-subcommands", &args));
    }
    said
}

fn argument_conflict(error: &clap::error::Error<Chinese>, arg: &[String]) -> String {
    let prior = error
        .get(ContextKind::PriorArg)
        .map(strings)
        .unwrap_or_default();
    let arg_text = arg.first().cloned().unwrap_or_default();
    if !arg_text.is_empty() && prior == [arg_text.clone()] {
        return say("help-error-repeated", &[("arg", text_arg(&arg_text))]);
    }
    let subject = match arg.first() {
        Some(arg) => text_arg(&format!("'{arg}'")),
        None => {
            let subcommand = error
                .get(ContextKind::InvalidSubcommand)
                .map(strings)
                .unwrap_or_default();
            text_arg(&format!(
                "'{}'",
                subcommand.first().cloned().unwrap_or_default()
            ))
        }
    };
    say(
        "help-error-conflict",
        &[("arg", subject), ("others", lines(&prior))],
    )
}

/// clap's four tips, said in Chinese; any other as it is.
fn tip_in_chinese(tip: &str) -> String {
    let quoted: Vec<&str> = tip.split('\'').skip(1).step_by(2).collect();
    let pattern: String = tip.split('\'').step_by(2).collect::<Vec<_>>().join("''");
    let id = match pattern.as_str() {
        "to pass '' as a value, use ''" => "help-error-tip-as-value",
        "'' exists" => "help-error-tip-exists",
        "subcommand '' exists; to use it, remove the '' before it" => {
            "help-error-tip-remove-dashes"
        }
        _ => return say("help-error-tip", &[("tip", text_arg(tip))]),
    };
    let args = [
        ("first", text_arg(quoted.first().copied().unwrap_or(""))),
        ("second", text_arg(quoted.get(1).copied().unwrap_or(""))),
    ];
    let args = if id == "help-error-tip-exists" {
        &args[..1]
    } else {
        &args[..]
    };
    say(id, args)
}

/// A context value's strings.
fn strings(value: &ContextValue) -> Vec<String> {
    match value {
        ContextValue::String(text) => vec![text.clone()],
        ContextValue::Strings(texts) => texts.clone(),
        ContextValue::StyledStr(text) => vec![text.to_string()],
        ContextValue::StyledStrs(texts) => texts.iter().map(ToString::to_string).collect(),
        ContextValue::Number(number) => vec![number.to_string()],
        ContextValue::Bool(flag) => vec![flag.to_string()],
        // `None`, and any kind a later clap adds.
        _ => Vec::new(),
    }
}

fn text_arg(text: &str) -> Arg {
    Arg::Text(text.to_owned())
}

/// Names joined with the Chinese enumeration comma.
fn list(names: &[String]) -> Arg {
    Arg::Text(names.join("、"))
}

/// Names quoted and joined with the Chinese enumeration comma.
fn quoted_list(names: &[String]) -> Arg {
    let quoted: Vec<String> = names.iter().map(|name| format!("'{name}'")).collect();
    list(&quoted)
}

/// Names one per indented line, as clap lists them.
fn lines(names: &[String]) -> Arg {
    Arg::Text(names.iter().map(|name| format!("\n  {name}")).collect())
}

/// Message `id` of the Chinese help catalog; its id if the catalog lacks it
/// (`tests/it/help.rs` makes every error kind it can and fails on an id).
fn say(id: &str, args: &[(&str, Arg)]) -> String {
    Catalog::get()
        .tr_args(Language::ZhCn, id, args)
        .unwrap_or_else(|| id.to_owned())
}
