//! Cleaning untrusted text: everything a feed sends becomes plain, bounded, printable text.

/// Turns an HTML or plain-text fragment into one line of plain text: tags removed (with the
/// contents of script and style), entities decoded, control, zero-width and bidi-override
/// characters dropped, white space folded.
pub fn plain_text(input: &str) -> String {
    // Most titles have neither tags nor entities: nothing to strip or decode.
    if !input.contains(['<', '&']) {
        return fold_whitespace(input);
    }
    let stripped = strip_tags(input);
    let mut decoded = html_escape::decode_html_entities(&stripped).into_owned();
    // Titles are often escaped HTML (`&lt;b&gt;`): once decoded, markup may appear; strip it too.
    // Not when the input was markup already: then an escaped `&lt;blink&gt;` is text to show.
    if !looks_like_markup(input) && looks_like_markup(&decoded) {
        decoded = html_escape::decode_html_entities(&strip_tags(&decoded)).into_owned();
    }
    fold_whitespace(&decoded)
}

/// Cuts `text` to at most `max` characters (not bytes), ending with `…` when cut.
pub fn truncate_chars(text: &str, max: usize) -> String {
    if max == 0 {
        return String::new();
    }
    let mut chars = text.char_indices();
    match chars.nth(max) {
        None => text.to_string(),
        Some(_) => {
            let cut = text.char_indices().nth(max - 1).map(|(i, _)| i).unwrap_or(text.len());
            let mut out = text[..cut].trim_end().to_string();
            out.push('…');
            out
        }
    }
}

/// True for characters that must never reach a reader: controls, zero-width joiners and
/// spaces, bidi overrides, byte-order marks and other invisible formatting.
fn is_invisible(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
        || matches!(
            c,
            '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
                | '\u{00AD}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

fn fold_whitespace(text: &str) -> String {
    // Printable ASCII with single spaces between words is already folded.
    let bytes = text.as_bytes();
    let folded = bytes.iter().all(|b| (b' '..=b'~').contains(b))
        && !text.contains("  ")
        && bytes.first() != Some(&b' ')
        && bytes.last() != Some(&b' ');
    if folded {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if is_invisible(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    out
}

fn looks_like_markup(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
}

/// Removes tags. A `<` not followed by a letter, `/`, `!` or `?` is text (`a < b`).
fn strip_tags(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let starts_tag = after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'));
        if !starts_tag {
            out.push('<');
            rest = after;
            continue;
        }
        if let Some(body) = after.strip_prefix("!--") {
            // A comment never closed with `-->` ends at the next `>`, as older readers end it,
            // rather than swallowing the rest of the text.
            rest = match body.find("-->") {
                Some(end) => &body[end + 3..],
                None => body.find('>').map_or("", |end| &body[end + 1..]),
            };
            continue;
        }
        let Some(end) = after.find('>') else {
            // An unclosed tag at the end: drop it.
            rest = "";
            break;
        };
        let tag = &after[..end];
        rest = &after[end + 1..];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if !tag.starts_with('/') && matches!(name.as_str(), "script" | "style") {
            let close = format!("</{name}");
            rest = find_ignoring_case(rest, &close).map_or("", |i| {
                let tail = &rest[i..];
                tail.find('>').map_or("", |j| &tail[j + 1..])
            });
            continue;
        }
        // Block-level tags separate words; inline ones do not.
        if matches!(
            name.as_str(),
            "br" | "p" | "div" | "li" | "tr" | "td" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote" | "hr"
        ) {
            out.push(' ');
        }
    }
    out.push_str(rest);
    out
}

/// Where `needle` (ASCII, in lower case) first occurs in `hay`, whatever the case of its letters.
/// Searches in place: a lower-cased copy of the rest of the text for every `<script>` would make a
/// hostile summary of many such tags cost its length once for each.
fn find_ignoring_case(hay: &str, needle: &str) -> Option<usize> {
    // The needle is ASCII, so a match starts on a character boundary.
    hay.as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_markup_and_decodes_entities() {
        assert_eq!(plain_text("<p>AT&amp;T <b>wins</b></p><p>again</p>"), "AT&T wins again");
        assert_eq!(plain_text("caf&eacute; &#x4E2D;&#25991;"), "café 中文");
        assert_eq!(plain_text("&lt;em&gt;escaped&lt;/em&gt; title"), "escaped title");
        assert_eq!(
            plain_text("<div>History of the &lt;blink&gt; tag</div>"),
            "History of the <blink> tag"
        );
        assert_eq!(plain_text("a < b and c > d"), "a < b and c > d");
        assert_eq!(plain_text("x<script>alert(1)</script>y<style>p{}</style>z"), "xyz");
        assert_eq!(plain_text("中<SCRIPT>文</ScRiPt>字<style>p{}</STYLE >!"), "中字!");
        assert_eq!(plain_text("keep<!-- hidden -->this"), "keepthis");
        assert_eq!(plain_text("sa<!-- -- unclosed >fe<script>x</script>"), "safe");
        assert_eq!(plain_text("line<br/>break"), "line break");
    }

    #[test]
    fn drops_invisible_characters_and_folds_space() {
        assert_eq!(plain_text("  a\u{200B}b\u{202E}c\u{0007}\n\n d\u{FEFF} "), "abc d");
        // Text that is already plain takes a short cut; it must agree with the long way.
        assert_eq!(plain_text("plain words, one space"), "plain words, one space");
        assert_eq!(plain_text(" lead and trail "), "lead and trail");
        assert_eq!(plain_text("a  b\tc\u{7f}d"), "a b cd");
    }

    #[test]
    fn truncates_on_character_boundaries() {
        assert_eq!(truncate_chars("数学家的七百天", 4), "数学家…");
        assert_eq!(truncate_chars("short", 5), "short");
        assert_eq!(truncate_chars("exactly six", 6), "exact…");
        assert_eq!(truncate_chars("anything", 0), "");
        assert!(truncate_chars(&"é".repeat(300), 256).chars().count() <= 256);
    }
}
