//! The message catalog: Project Fluent files under `locales/<tag>/`, compiled into the
//! binary, one bundle per language (D37).

use super::language::Language;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use fluent_syntax::ast;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// A catalog file: its path in the repository (for messages about it) and its text.
type Source = (&'static str, &'static str);

/// The English catalog files. English is also what a message missing elsewhere falls
/// back to, and the wire's language.
const EN: &[Source] = &[
    (
        "locales/en/refusals.ftl",
        include_str!("../../locales/en/refusals.ftl"),
    ),
    (
        "locales/en/explain.ftl",
        include_str!("../../locales/en/explain.ftl"),
    ),
    (
        "locales/en/events.ftl",
        include_str!("../../locales/en/events.ftl"),
    ),
    (
        "locales/en/replay.ftl",
        include_str!("../../locales/en/replay.ftl"),
    ),
    (
        "locales/en/timeline.ftl",
        include_str!("../../locales/en/timeline.ftl"),
    ),
    (
        "locales/en/page.ftl",
        include_str!("../../locales/en/page.ftl"),
    ),
    (
        "locales/en/http.ftl",
        include_str!("../../locales/en/http.ftl"),
    ),
    (
        "locales/en/audit.ftl",
        include_str!("../../locales/en/audit.ftl"),
    ),
    (
        "locales/en/details.ftl",
        include_str!("../../locales/en/details.ftl"),
    ),
    (
        "locales/en/cli.ftl",
        include_str!("../../locales/en/cli.ftl"),
    ),
    (
        "locales/en/store.ftl",
        include_str!("../../locales/en/store.ftl"),
    ),
    (
        "locales/en/backup.ftl",
        include_str!("../../locales/en/backup.ftl"),
    ),
];

/// The Simplified Chinese catalog files: the same files, ids and arguments as `EN`.
const ZH_CN: &[Source] = &[
    (
        "locales/zh-CN/refusals.ftl",
        include_str!("../../locales/zh-CN/refusals.ftl"),
    ),
    (
        "locales/zh-CN/explain.ftl",
        include_str!("../../locales/zh-CN/explain.ftl"),
    ),
    (
        "locales/zh-CN/events.ftl",
        include_str!("../../locales/zh-CN/events.ftl"),
    ),
    (
        "locales/zh-CN/replay.ftl",
        include_str!("../../locales/zh-CN/replay.ftl"),
    ),
    (
        "locales/zh-CN/timeline.ftl",
        include_str!("../../locales/zh-CN/timeline.ftl"),
    ),
    (
        "locales/zh-CN/page.ftl",
        include_str!("../../locales/zh-CN/page.ftl"),
    ),
    (
        "locales/zh-CN/http.ftl",
        include_str!("../../locales/zh-CN/http.ftl"),
    ),
    (
        "locales/zh-CN/audit.ftl",
        include_str!("../../locales/zh-CN/audit.ftl"),
    ),
    (
        "locales/zh-CN/details.ftl",
        include_str!("../../locales/zh-CN/details.ftl"),
    ),
    (
        "locales/zh-CN/cli.ftl",
        include_str!("../../locales/zh-CN/cli.ftl"),
    ),
    (
        "locales/zh-CN/store.ftl",
        include_str!("../../locales/zh-CN/store.ftl"),
    ),
    (
        "locales/zh-CN/backup.ftl",
        include_str!("../../locales/zh-CN/backup.ftl"),
    ),
];

/// The Chinese help of both command lines (`cli::help::localize`, D52): Chinese only,
/// and outside `ZH_CN`, because its English is the code's own (the clap derive's doc
/// comments and `about`s), the one source of the English text. `tests/it/help.rs`
/// checks it against the command trees instead of against an English file.
const ZH_CN_HELP: Source = (
    "locales/zh-CN/help.ftl",
    include_str!("../../locales/zh-CN/help.ftl"),
);

/// Every language's messages, ready to render.
pub struct Catalog {
    en: FluentBundle<FluentResource>,
    zh_cn: FluentBundle<FluentResource>,
}

/// A message's argument: text shown as it is (months, money, ids, codes), or a count
/// that plural selectors read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    Count(i64),
    /// serde's words inside a message (what was wrong with a command's JSON), said in
    /// the message's language where [`super::detail_in`] understands them.
    SerdeWords(String),
    /// [`Arg::SerdeWords`] of one line parsed alone (a `submit` line), whose "line 1"
    /// is left out ([`super::line_detail_in`]).
    LineSerdeWords(String),
    /// A whole sentence inside a message (the cause of a failure), said in the
    /// message's language.
    Said(Box<super::Sentence>),
    /// Names listed in a message (roles, parameters, types, sizes), joined as the
    /// message's language lists them: "a, b" in English, "a、b" in Chinese.
    List(Vec<String>),
    /// An instant, said as the message's language reads a clock ([`super::instant_in`]).
    Instant(chrono::DateTime<chrono::Utc>, super::InstantForm),
}

/// One message of a catalog file as written: for checking catalogs against each other
/// and against the code that renders them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageSource {
    pub id: String,
    /// The variables (`$name`) it uses, in its value and every variant, and those of
    /// the messages it refers to (`{ other-message }` is resolved with the same
    /// arguments).
    pub variables: BTreeSet<String>,
    /// Its literal text, every variant's included, joined by spaces.
    pub text: String,
}

impl Catalog {
    /// The catalog of this build, loaded once.
    pub fn get() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(Catalog::load)
    }

    /// Loads the compiled-in files. Lenient: what a file's syntax errors leave out is
    /// missing (and rendered by the caller's fallback); [`Catalog::messages`] reports
    /// the errors, and the tests fail on any.
    fn load() -> Catalog {
        Catalog {
            en: bundle(Language::En),
            zh_cn: bundle(Language::ZhCn),
        }
    }

    /// Message `id` in `language` with `args`; `None` if the language has no such
    /// message or it names an argument not given (the caller then has a fallback, such
    /// as a refusal's English message).
    pub fn tr(&self, language: Language, id: &str, args: &[(&str, String)]) -> Option<String> {
        let args: Vec<(&str, Arg)> = args
            .iter()
            .map(|(name, value)| (*name, Arg::Text(value.clone())))
            .collect();
        self.tr_args(language, id, &args)
    }

    /// [`Catalog::tr`] with typed arguments: a count is a Fluent number, so a message
    /// can select on its plural category (`[one]`, `*[other]`).
    pub fn tr_args(&self, language: Language, id: &str, args: &[(&str, Arg)]) -> Option<String> {
        let bundle = match language {
            Language::En => &self.en,
            Language::ZhCn => &self.zh_cn,
        };
        let pattern = bundle.get_message(id)?.value()?;
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            let value = match value {
                Arg::Text(text) => FluentValue::from(text.as_str()),
                Arg::Count(count) => FluentValue::from(*count),
                Arg::SerdeWords(words) => FluentValue::from(super::detail_in(language, words)),
                Arg::LineSerdeWords(words) => {
                    FluentValue::from(super::line_detail_in(language, words))
                }
                Arg::Said(sentence) => FluentValue::from(sentence.in_language(language)),
                Arg::Instant(at, form) => {
                    FluentValue::from(super::instant_in(language, *at, *form))
                }
                Arg::List(names) => FluentValue::from(names.join(match language {
                    Language::En => ", ",
                    Language::ZhCn => "、",
                })),
            };
            fluent_args.set(*name, value);
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
        errors.is_empty().then(|| text.into_owned())
    }

    /// Attribute `attribute` of message `id` in `language`, without arguments; `None`
    /// if there is no such attribute. The Chinese help is kept this way: a message per
    /// command, an attribute per text of it (`cli::help::localize`).
    pub fn attribute(&self, language: Language, id: &str, attribute: &str) -> Option<String> {
        let bundle = match language {
            Language::En => &self.en,
            Language::ZhCn => &self.zh_cn,
        };
        let pattern = bundle.get_message(id)?.get_attribute(attribute)?.value();
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, None, &mut errors);
        errors.is_empty().then(|| text.into_owned())
    }

    /// The Chinese help catalog's syntax errors and repeated ids, if any (the tests
    /// fail on any; what an error leaves out would show as missing help).
    pub fn help_problems() -> Vec<String> {
        let (path, text) = ZH_CN_HELP;
        let (resource, mut problems) = match ast_of(path, text) {
            Ok(resource) => (resource, Vec::new()),
            Err((resource, errors)) => (resource, errors),
        };
        let mut seen = BTreeSet::new();
        for entry in resource.body {
            if let ast::Entry::Message(message) = entry {
                if !seen.insert(message.id.name) {
                    problems.push(format!("{path}: {} is defined twice", message.id.name));
                }
            }
        }
        problems
    }

    /// Every message of `language`'s files, in order, or every syntax error and
    /// repeated id found.
    pub fn messages(language: Language) -> Result<Vec<MessageSource>, Vec<String>> {
        let mut messages: Vec<MessageSource> = Vec::new();
        let mut references: Vec<BTreeSet<String>> = Vec::new();
        let mut problems = Vec::new();
        for (path, text) in sources(language) {
            let resource = ast_of(path, text).unwrap_or_else(|(resource, errors)| {
                problems.extend(errors);
                resource
            });
            for entry in resource.body {
                if let ast::Entry::Message(message) = entry {
                    if messages.iter().any(|known| known.id == message.id.name) {
                        problems.push(format!("{path}: {} is defined twice", message.id.name));
                    }
                    let (source, referred) = message_source(&message);
                    messages.push(source);
                    references.push(referred);
                }
            }
        }
        add_referred_variables(&mut messages, &references);
        if problems.is_empty() {
            Ok(messages)
        } else {
            Err(problems)
        }
    }
}

impl Catalog {
    /// The variables message `id` of `language` uses, or `None` if it has no such
    /// message: for renderers to check, in debug builds, that they give exactly those.
    pub fn variables(language: Language, id: &str) -> Option<BTreeSet<String>> {
        static VARIABLES: OnceLock<[BTreeMap<String, BTreeSet<String>>; 2]> = OnceLock::new();
        let by_language = VARIABLES.get_or_init(|| {
            Language::ALL.map(|language| {
                Catalog::messages(language)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|message| (message.id, message.variables))
                    .collect()
            })
        });
        let index = Language::ALL.iter().position(|known| *known == language)?;
        by_language[index].get(id).cloned()
    }
}

fn sources(language: Language) -> &'static [Source] {
    match language {
        Language::En => EN,
        Language::ZhCn => ZH_CN,
    }
}

type Parsed = ast::Resource<&'static str>;

fn ast_of(path: &str, text: &'static str) -> Result<Parsed, (Parsed, Vec<String>)> {
    fluent_syntax::parser::parse(text).map_err(|(resource, errors)| {
        let errors = errors
            .iter()
            .map(|error| format!("{path}: {error:?}"))
            .collect();
        (resource, errors)
    })
}

/// `language`'s bundle: plain text out (no Unicode bidi isolation marks around
/// arguments, U+2068/U+2069), for terminals, logs and JSON alike.
fn bundle(language: Language) -> FluentBundle<FluentResource> {
    let mut bundle = FluentBundle::new_concurrent(vec![language.identifier()]);
    bundle.set_use_isolating(false);
    // Added once to a new bundle, so it cannot clash with another function.
    let _ = bundle.add_function("SAME", same);
    let help: &[Source] = match language {
        Language::En => &[],
        Language::ZhCn => &[ZH_CN_HELP],
    };
    for (_, text) in sources(language).iter().chain(help) {
        let resource = FluentResource::try_new((*text).to_owned())
            .unwrap_or_else(|(partial, _errors)| partial);
        // A repeated id keeps its first definition; `Catalog::messages` reports it.
        let _ = bundle.add_resource(resource);
    }
    bundle
}

/// `SAME($a, $b)`: `yes` when both arguments are the same value, else `no`, for a
/// selector: a range of one month reads as that month (`2026-01`, not
/// `2026-01 至 2026-01`).
fn same<'a>(positional: &[FluentValue<'a>], _named: &FluentArgs) -> FluentValue<'a> {
    let same = matches!(positional, [first, second] if first == second);
    FluentValue::from(if same { "yes" } else { "no" })
}

/// Gives each message the variables of the messages it refers to, through chains of
/// references (at most as long as there are messages: a cycle is the bundle's to report).
fn add_referred_variables(messages: &mut [MessageSource], references: &[BTreeSet<String>]) {
    for _ in 0..messages.len() {
        let mut changed = false;
        for index in 0..messages.len() {
            let referred: BTreeSet<String> = references[index]
                .iter()
                .filter_map(|id| messages.iter().find(|message| &message.id == id))
                .flat_map(|message| message.variables.iter().cloned())
                .collect();
            let before = messages[index].variables.len();
            messages[index].variables.extend(referred);
            changed |= messages[index].variables.len() != before;
        }
        if !changed {
            return;
        }
    }
}

/// The message as written, and the ids of the messages it refers to.
fn message_source(message: &ast::Message<&str>) -> (MessageSource, BTreeSet<String>) {
    let mut source = MessageSource {
        id: message.id.name.to_owned(),
        variables: BTreeSet::new(),
        text: String::new(),
    };
    let mut referred = BTreeSet::new();
    let patterns = message
        .value
        .iter()
        .chain(message.attributes.iter().map(|attribute| &attribute.value));
    for pattern in patterns {
        walk_pattern(pattern, &mut (&mut source, &mut referred));
    }
    source.text = source.text.trim().to_owned();
    (source, referred)
}

/// What a walk collects: the message's own text and variables, and its references.
type Walk<'a> = (&'a mut MessageSource, &'a mut BTreeSet<String>);

fn walk_pattern(pattern: &ast::Pattern<&str>, source: &mut Walk<'_>) {
    for element in &pattern.elements {
        match element {
            ast::PatternElement::TextElement { value } => source.0.text.push_str(value),
            ast::PatternElement::Placeable { expression } => walk_expression(expression, source),
        }
    }
}

fn walk_expression(expression: &ast::Expression<&str>, source: &mut Walk<'_>) {
    match expression {
        ast::Expression::Select { selector, variants } => {
            walk_inline(selector, source);
            for variant in variants {
                source.0.text.push(' ');
                walk_pattern(&variant.value, source);
                source.0.text.push(' ');
            }
        }
        ast::Expression::Inline(inline) => walk_inline(inline, source),
    }
}

fn walk_inline(inline: &ast::InlineExpression<&str>, source: &mut Walk<'_>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            source.0.variables.insert(id.name.to_owned());
        }
        ast::InlineExpression::MessageReference {
            id,
            attribute: None,
        } => {
            source.1.insert(id.name.to_owned());
        }
        ast::InlineExpression::StringLiteral { value } => source.0.text.push_str(value),
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            walk_arguments(arguments, source)
        }
        ast::InlineExpression::TermReference {
            arguments: Some(arguments),
            ..
        } => walk_arguments(arguments, source),
        ast::InlineExpression::Placeable { expression } => walk_expression(expression, source),
        _ => {}
    }
}

fn walk_arguments(arguments: &ast::CallArguments<&str>, source: &mut Walk<'_>) {
    for inline in &arguments.positional {
        walk_inline(inline, source);
    }
    for named in &arguments.named {
        walk_inline(&named.value, source);
    }
}
