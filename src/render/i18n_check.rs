//! The localisation test: every language folder holds every message with the same variables,
//! every `msg!`/`t!` in the code names a message that exists and passes exactly the variables the
//! message uses, and every message (but the command descriptions, checked against the command tree
//! in `bot::commands`) is used somewhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use fluent_syntax::ast;

/// A message as the Fluent files define it: its variables and its attributes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Defined {
    pub variables: BTreeSet<String>,
    pub attributes: BTreeSet<String>,
}

/// Every language folder under `locales/`, with its messages by id.
pub fn locales() -> BTreeMap<String, BTreeMap<String, Defined>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    let mut out = BTreeMap::new();
    for dir in std::fs::read_dir(&root).expect("locales/ exists") {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let mut messages = BTreeMap::new();
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            if file.extension().is_some_and(|e| e == "ftl") {
                read_ftl(&file, &mut messages);
            }
        }
        out.insert(dir.file_name().unwrap().to_string_lossy().into_owned(), messages);
    }
    out
}

fn read_ftl(path: &Path, messages: &mut BTreeMap<String, Defined>) {
    let text = std::fs::read_to_string(path).unwrap();
    let resource = fluent_syntax::parser::parse(text.as_str())
        .unwrap_or_else(|(_, errors)| panic!("{}: Fluent syntax errors: {errors:?}", path.display()));
    for entry in resource.body {
        match entry {
            ast::Entry::Message(m) => {
                let mut defined = Defined::default();
                if let Some(value) = &m.value {
                    pattern_variables(value, &mut defined.variables);
                }
                for attribute in &m.attributes {
                    pattern_variables(&attribute.value, &mut defined.variables);
                    defined.attributes.insert(attribute.id.name.to_string());
                }
                let id = m.id.name.to_string();
                assert!(
                    messages.insert(id.clone(), defined).is_none(),
                    "{}: `{id}` is defined twice",
                    path.display()
                );
            }
            ast::Entry::Junk { content } => panic!("{}: cannot parse `{content}`", path.display()),
            _ => {}
        }
    }
}

fn pattern_variables(pattern: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_variables(expression, out);
        }
    }
}

fn expression_variables(expression: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
    match expression {
        ast::Expression::Select { selector, variants } => {
            inline_variables(selector, out);
            for variant in variants {
                pattern_variables(&variant.value, out);
            }
        }
        ast::Expression::Inline(inline) => inline_variables(inline, out),
    }
}

fn inline_variables(inline: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_string());
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for a in &arguments.positional {
                inline_variables(a, out);
            }
            for a in &arguments.named {
                inline_variables(&a.value, out);
            }
        }
        ast::InlineExpression::Placeable { expression } => expression_variables(expression, out),
        _ => {}
    }
}

/// One use of a message in the code: `msg!("id", a = ..)` or `t!(locale, "id", a = ..)`.
#[derive(Debug, Clone)]
pub struct Use {
    pub at: String,
    pub id: String,
    pub args: BTreeSet<String>,
}

/// Every message the program (not its tests) uses, read from the source of this crate.
pub fn uses() -> Vec<Use> {
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let code = without_test_items(&strip_comments(&text));
        for (macro_name, skip) in [("msg!(", 0), ("t!(", 1)] {
            let mut from = 0;
            while let Some(found) = code[from..].find(macro_name) {
                let start = from + found;
                from = start + macro_name.len();
                // `t!(` inside another identifier (`format_t!(`) is not ours.
                let before = code[..start].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let Some(args) = balanced_args(&code[from..]) else {
                    continue;
                };
                let parts = split_top_level(args);
                let Some(id) = parts.get(skip).and_then(|p| string_literal(p)) else {
                    // The macros' own definitions pass `$id` through.
                    continue;
                };
                let line = code[..start].matches('\n').count() + 1;
                let args = parts[skip + 1..]
                    .iter()
                    .filter_map(|p| p.split_once('=').map(|(name, _)| name.trim().to_string()))
                    .filter(|name| !name.is_empty())
                    .collect();
                out.push(Use {
                    at: format!("{}:{line}", file.display()),
                    id,
                    args,
                });
            }
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Removes `//` comments (outside string literals), keeping line breaks.
fn strip_comments(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    for line in code.lines() {
        let mut in_string = false;
        let mut escaped = false;
        let mut cut = line.len();
        let bytes = line.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                _ if escaped => escaped = false,
                b'\\' if in_string => escaped = true,
                b'"' => in_string = !in_string,
                b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => {
                    cut = i;
                    break;
                }
                _ => {}
            }
        }
        out.push_str(&line[..cut]);
        out.push('\n');
    }
    out
}

/// The code without the items marked `#[cfg(test)]` (a test module, a test-only function,
/// field or match arm): what tests render is not a use by the program. The mark counts only
/// where it opens a line, as attributes do (not inside a string). Each removed item leaves its
/// line breaks, so that the lines of the uses found after it stay right.
fn without_test_items(code: &str) -> String {
    const MARK: &str = "#[cfg(test)]";
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find(MARK) {
        let opens_line = rest[..at]
            .chars()
            .rev()
            .take_while(|&c| c != '\n')
            .all(char::is_whitespace);
        if !opens_line {
            out.push_str(&rest[..at + MARK.len()]);
            rest = &rest[at + MARK.len()..];
            continue;
        }
        out.push_str(&rest[..at]);
        let item = &rest[at..];
        let end = MARK.len() + item_end(&item[MARK.len()..]);
        out.extend(item[..end].chars().filter(|&c| c == '\n'));
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

/// Where the item at the start of `code` ends: after its `;` or `,` at the top level, or after
/// the block that closes back to the top level, or just before a bracket that closes the
/// enclosing one (a test-only field or arm at the end of its struct or match). Strings, raw
/// strings and character literals are stepped over, so that a `'{'` or a `"}"` in them does
/// not count, and `;` inside brackets (`[u8; 2]`) is not an end.
fn item_end(code: &str) -> usize {
    let bytes = code.as_bytes();
    let (mut depth, mut i) = (0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'r' if matches!(bytes.get(i + 1), Some(b'"' | b'#')) && starts_raw_string(bytes, i) => {
                let hashes = bytes[i + 1..].iter().take_while(|&&b| b == b'#').count();
                if bytes.get(i + 1 + hashes) == Some(&b'"') {
                    let close = format!("\"{}", "#".repeat(hashes));
                    let body = i + 2 + hashes;
                    i = code[body..]
                        .find(&close)
                        .map_or(bytes.len(), |n| body + n + close.len());
                    continue;
                }
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'\'' => {
                // A character literal ('x', '\n', '长'); a lifetime ('a) has no closing quote.
                let escaped = bytes.get(i + 1) == Some(&b'\\');
                let width = code[i + 1..].chars().next().map_or(1, char::len_utf8);
                let close = i + 1 + if escaped { 2 } else { width };
                if bytes.get(close) == Some(&b'\'') {
                    i = close;
                }
            }
            b'{' | b'(' | b'[' => depth += 1,
            b'}' | b')' | b']' => {
                if depth == 0 {
                    return i;
                }
                depth -= 1;
                if depth == 0 && bytes[i] == b'}' {
                    return i + 1;
                }
            }
            b';' | b',' if depth == 0 => return i + 1,
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// Whether the `r` at `i` opens a raw string (`r"`, `r#"`, `br"`), not ends an identifier.
fn starts_raw_string(bytes: &[u8], i: usize) -> bool {
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    match i.checked_sub(1).map(|p| bytes[p]) {
        None => true,
        Some(b'b') => i < 2 || !ident(bytes[i - 2]),
        Some(before) => !ident(before),
    }
}

/// The text between an opening parenthesis (already consumed) and its match.
fn balanced_args(text: &str) -> Option<&str> {
    let mut depth = 1;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '(' | '[' | '{' if !in_string => depth += 1,
            ')' | ']' | '}' if !in_string => {
                depth -= 1;
                if depth == 0 {
                    return Some(&text[..i]);
                }
            }
            _ => {}
        }
    }
    None
}

/// Splits macro arguments on the commas that are not inside brackets or strings.
fn split_top_level(args: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut in_string, mut escaped, mut start) = (0, false, false, 0);
    for (i, c) in args.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '(' | '[' | '{' if !in_string => depth += 1,
            ')' | ']' | '}' if !in_string => depth -= 1,
            ',' if !in_string && depth == 0 => {
                parts.push(args[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    let last = args[start..].trim();
    if !last.is_empty() {
        parts.push(last);
    }
    parts
}

fn string_literal(part: &str) -> Option<String> {
    let inner = part.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.contains('"')).then(|| inner.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FALLBACK: &str = "en-US";

    #[test]
    fn only_test_items_are_left_out_of_the_uses() {
        let code = concat!(
            "#[cfg(test)]\n",
            "mod test_app;\n",
            "struct App {\n",
            "    #[cfg(test)]\n",
            "    pages: u8,\n",
            "}\n",
            "#[cfg(test)]\n",
            "fn helper() { let open = '{'; t!(l, \"only-in-a-helper\"); }\n",
            "fn program() { msg!(\"used-by-the-program\"); }\n",
            "#[cfg(test)]\n",
            "mod tests {\n",
            "    const RAW: &str = r#\"}\"#;\n",
            "    fn f<'a>(x: &'a str) { let c = '}'; msg!(\"only-in-tests\"); }\n",
            "}\n",
            "fn after() { msg!(\"after-the-tests\"); }\n",
        );
        let kept = without_test_items(code);
        // A test-only field or arm at the end of its block takes only itself.
        let tail = concat!(
            "fn arms(x: u8) -> u8 {\n",
            "    match x {\n",
            "        #[cfg(test)]\n",
            "        9 => { let _: [u8; 2] = [0; 2]; msg!(\"in-a-test-arm\") }\n",
            "    };\n",
            "    msg!(\"after-the-match\")\n",
            "}\n",
            "const S: &str = \"#[cfg(test)]\";\n",
            "fn named() { t!(l, \"after-a-mark-in-a-string\"); }\n",
        );
        let tail_kept = without_test_items(tail);
        assert!(!tail_kept.contains("in-a-test-arm"), "{tail_kept}");
        assert!(
            tail_kept.contains("after-the-match") && tail_kept.contains("after-a-mark-in-a-string"),
            "{tail_kept}"
        );
        assert!(
            kept.contains("used-by-the-program") && kept.contains("after-the-tests"),
            "{kept}"
        );
        assert!(
            !kept.contains("only-in-a-helper") && !kept.contains("only-in-tests"),
            "{kept}"
        );
        assert!(kept.contains("struct App") && !kept.contains("pages"), "{kept}");
        // Line numbers of what is kept do not move.
        let line_of = |text: &str, what: &str| text[..text.find(what).unwrap()].matches('\n').count();
        assert_eq!(line_of(&kept, "after-the-tests"), line_of(code, "after-the-tests"));
    }

    #[test]
    fn every_language_has_every_message_with_the_same_variables() {
        let locales = locales();
        let fallback = &locales[FALLBACK];
        assert!(locales.len() >= 2, "{:?}", locales.keys());
        let mut problems = Vec::new();
        for (tag, messages) in &locales {
            for (id, defined) in fallback {
                match messages.get(id) {
                    None => problems.push(format!("{tag}: `{id}` is missing")),
                    Some(d) if d != defined => {
                        problems.push(format!("{tag}: `{id}` has {d:?}, {FALLBACK} has {defined:?}"))
                    }
                    Some(_) => {}
                }
            }
            for id in messages.keys().filter(|id| !fallback.contains_key(*id)) {
                problems.push(format!("{tag}: `{id}` is not in {FALLBACK}"));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn every_message_the_code_uses_exists_and_gets_exactly_its_variables() {
        let locales = locales();
        let fallback = &locales[FALLBACK];
        let uses = uses();
        assert!(uses.len() > 50, "the scanner found only {} uses", uses.len());
        let mut problems = Vec::new();
        for u in &uses {
            match fallback.get(&u.id) {
                None => problems.push(format!("{}: no message `{}`", u.at, u.id)),
                Some(defined) => {
                    for missing in defined.variables.difference(&u.args) {
                        problems.push(format!("{}: `{}` needs ${missing}, not passed", u.at, u.id));
                    }
                    for unused in u.args.difference(&defined.variables) {
                        problems.push(format!("{}: `{}` does not use ${unused}", u.at, u.id));
                    }
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn every_message_is_used() {
        let used: BTreeSet<String> = uses().into_iter().map(|u| u.id).collect();
        let locales = locales();
        let unused: Vec<&String> = locales[FALLBACK]
            .keys()
            .filter(|id| !id.starts_with("cmd-") && !used.contains(*id))
            .collect();
        assert!(unused.is_empty(), "never used: {unused:?}");
    }

    #[test]
    fn the_scanner_reads_nested_arguments_and_ignores_comments() {
        let parts = split_top_level(r#"locale, "a-b", x = f(1, 2), y = "s,t""#);
        assert_eq!(parts, ["locale", "\"a-b\"", "x = f(1, 2)", "y = \"s,t\""]);
        assert_eq!(balanced_args("a(b)c) rest"), Some("a(b)c"));
        assert_eq!(
            strip_comments("let a = \"//x\"; // t!(l, \"gone\")"),
            "let a = \"//x\"; \n"
        );
    }
}
