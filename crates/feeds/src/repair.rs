//! Making real-world documents parseable: the encoding they really use turned into UTF-8 (byte
//! order marks, UTF-16 and UTF-32, declarations that lie), and, when a first parse fails, the
//! common structural slips repaired: `<rss>` without a version, empty or unknown `type`
//! attributes, and Atom 0.3's vocabulary mapped onto Atom 1.0.

use std::borrow::Cow;

/// The document as UTF-8 text, with the repairs that must precede any parse (Dublin Core
/// stand-ins, RSS 1.0 and 0.90 items without links) applied. Borrows when nothing changed.
pub fn prepare(bytes: &[u8]) -> Cow<'_, str> {
    let text = match to_utf8(bytes) {
        Cow::Borrowed(b) => String::from_utf8_lossy(b),
        Cow::Owned(b) => {
            Cow::Owned(String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
        }
    };
    let text = match map_dublin_core(&text) {
        Some(mapped) => Cow::Owned(mapped),
        None => text,
    };
    let text = match map_rdf(&text) {
        Some(mapped) => Cow::Owned(mapped),
        None => text,
    };
    let text = match map_namespaces(&text) {
        Some(mapped) => Cow::Owned(mapped),
        None => text,
    };
    match text_constructs_as_html(&text) {
        Some(mapped) => Cow::Owned(mapped),
        None => text,
    }
}

/// Elements holding text a reader sees (titles, summaries, content), whatever the format.
const TEXT_CONSTRUCTS: [&str; 6] = ["title", "subtitle", "tagline", "summary", "content", "description"];

/// Text constructs rewritten so that the parser hands back their text with its markup intact,
/// as escaped HTML: Atom 0.3's `mode="base64"` decoded and `mode="escaped"` read as HTML;
/// XHTML (`type="xhtml"`, `application/xhtml+xml`, `mode="xml"`) and naked markup in any format
/// (`<title><p>Item</p></title>`) escaped. feed-rs would otherwise keep only the text before the
/// first child element, or read an XHTML title's escaped text (`&lt;blink&gt;`) as a tag.
fn text_constructs_as_html(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let (mut copied, mut pos) = (0, 0);
    // Constructs whose closing tag is nowhere after the point reached: an opener of one of them
    // is passed over without searching the rest of the text again (which, for a document of
    // many unclosed openers, would cost its length once for each).
    let mut unclosed = [false; TEXT_CONSTRUCTS.len()];
    // Every document passes through here, so the scan goes from `<` to `<` by memchr and a
    // plain construct (`<title>` holding only text) is passed over without a copy or a search.
    while let Some(i) = memchr::memchr(b'<', &bytes[pos..]) {
        let start = pos + i;
        let after = &text[start + 1..];
        let Some(k) = TEXT_CONSTRUCTS
            .iter()
            .position(|n| after.starts_with(*n) && ends_name(after.as_bytes().get(n.len())))
        else {
            pos = start + 1;
            continue;
        };
        if unclosed[k] {
            pos = start + 1;
            continue;
        }
        let Some(open_len) = memchr::memchr(b'>', after.as_bytes()) else {
            break;
        };
        let open = &text[start..start + open_len + 2];
        let body = start + open.len();
        if open.ends_with("/>") {
            pos = body;
            continue;
        }
        let Some((inner_len, has_elements)) = find_closing(&text[body..], TEXT_CONSTRUCTS[k]) else {
            unclosed[k] = true;
            pos = body;
            continue;
        };
        let inner = &text[body..body + inner_len];
        let has_attributes = open.len() > TEXT_CONSTRUCTS[k].len() + 2;
        if has_attributes || has_elements {
            if let Some((new_open, new_inner)) = rewrite_construct(open, inner, has_elements) {
                let out = out.get_or_insert_with(|| String::with_capacity(text.len() + 64));
                out.push_str(&text[copied..start]);
                out.push_str(&new_open);
                out.push_str(new_inner.as_deref().unwrap_or(inner));
                copied = body + inner_len;
            }
        }
        pos = body + inner_len;
    }
    out.map(|mut out| {
        out.push_str(&text[copied..]);
        out
    })
}

/// True for what may follow an element's name in a tag: white space, `>` or `/`. XML's white
/// space is ASCII (space, tab, CR, LF); other characters there were never well-formed.
fn ends_name(next: Option<&u8>) -> bool {
    next.is_some_and(|&c| c.is_ascii_whitespace() || c == b'>' || c == b'/')
}

/// Where `</name>` first starts in `text`, and whether an element (`<p>`, `<b>`: a `<` before a
/// letter) starts before it; one pass for both.
fn find_closing(text: &str, name: &str) -> Option<(usize, bool)> {
    let bytes = text.as_bytes();
    let (mut from, mut has_elements) = (0, false);
    while let Some(i) = memchr::memchr(b'<', &bytes[from..]) {
        let at = from + i;
        let rest = &bytes[at + 1..];
        if rest.first() == Some(&b'/')
            && rest[1..].starts_with(name.as_bytes())
            && rest.get(1 + name.len()) == Some(&b'>')
        {
            return Some((at, has_elements));
        }
        has_elements |= bytes.get(at + 1).is_some_and(u8::is_ascii_alphabetic);
        from = at + 1;
    }
    None
}

/// The new opening tag and, when it changes, the new inner text of one text construct.
/// `has_elements`: the inner text holds an element, not only text, entities or CDATA.
fn rewrite_construct(open: &str, inner: &str, has_elements: bool) -> Option<(String, Option<String>)> {
    let kind = attribute(open, "type").map(|(_, _, v)| v.trim().to_ascii_lowercase());
    let mode = attribute(open, "mode").map(|(_, _, v)| v.trim().to_ascii_lowercase());
    match mode.as_deref() {
        Some("base64") => {
            let decoded = decode_base64(inner).and_then(|bytes| String::from_utf8(bytes).ok())?;
            Some((as_html(open), Some(escape_markup(&decoded))))
        }
        Some("escaped") => Some((as_html(open), None)),
        _ if matches!(kind.as_deref(), Some("xhtml" | "application/xhtml+xml")) || (mode.is_some() && has_elements) => {
            Some((as_html(open), Some(escape_markup(inner))))
        }
        // Naked markup (no CDATA, which already keeps markup as text): read as HTML.
        _ if has_elements && !inner.contains("<![CDATA[") => {
            let open = if kind.is_some() {
                as_html(open)
            } else {
                open.to_string()
            };
            Some((open, Some(escape_markup(inner))))
        }
        _ => None,
    }
}

fn escape_markup(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// `open` with its `type` and `mode` attributes replaced by `type="html"`.
fn as_html(open: &str) -> String {
    let mut tag = open.to_string();
    for name in ["type", "mode"] {
        if let Some((a, b, _)) = attribute(&tag, name) {
            tag.replace_range(a..b, "");
        }
    }
    let end = if tag.ends_with("/>") {
        tag.len() - 2
    } else {
        tag.len() - 1
    };
    tag.insert_str(end, " type=\"html\"");
    tag
}

/// The span (from the white space before the name to the closing quote) and value of an
/// attribute of a start tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<(usize, usize, &'a str)> {
    let bytes = tag.as_bytes();
    let mut from = 0;
    while let Some(i) = tag[from..].find(name) {
        let at = from + i;
        from = at + name.len();
        if at == 0 || !bytes[at - 1].is_ascii_whitespace() {
            continue;
        }
        let rest = tag[from..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else { continue };
        let rest = rest.trim_start();
        let quote = rest.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        let value_start = tag.len() - rest.len() + 1;
        let value_end = value_start + tag[value_start..].find(quote)?;
        return Some((at - 1, value_end + 1, &tag[value_start..value_end]));
    }
    None
}

/// Namespaces the parser does not know, mapped to the ones it does: the drafts that preceded
/// Atom 0.3 (Echo, Pie, Necho) and RSS 2.0 put in Userland's namespace (as the default or under
/// a prefix), which makes the parser find no channel.
fn map_namespaces(text: &str) -> Option<String> {
    const PRE_ATOM: [&str; 4] = [
        "http://purl.org/echo/",
        "http://purl.org/pie/",
        "http://example.com/necho",
        "http://example.com/newformat#",
    ];
    const RSS2: &str = "http://backend.userland.com/rss2";
    let mut out: Option<String> = None;
    if let Some(start) = find_tag(text, "feed") {
        let end = start + text[start..].find('>')?;
        let tag = &text[start..end];
        if let Some(ns) = PRE_ATOM.iter().find(|ns| tag.contains(&format!("\"{ns}\""))) {
            let fixed = format!(
                "{}{}{}",
                &text[..start],
                tag.replacen(ns, "http://purl.org/atom/ns#", 1),
                &text[end..]
            );
            out = Some(fixed);
        }
    }
    let current = out.as_deref().unwrap_or(text);
    if current.contains(RSS2) {
        let mut fixed = current.replace(&format!(" xmlns=\"{RSS2}\""), "");
        if let Some(at) = fixed.find(&format!("=\"{RSS2}\"")) {
            let decl_start = fixed[..at].rfind("xmlns:");
            if let Some(decl_start) = decl_start {
                let prefix = fixed[decl_start + 6..at].to_string();
                fixed.replace_range(decl_start..at + RSS2.len() + 3, "");
                fixed = fixed
                    .replace(&format!("<{prefix}:"), "<")
                    .replace(&format!("</{prefix}:"), "</");
            }
        }
        out = Some(fixed);
    }
    out
}

/// A body as the server's `Content-Type: ...; charset=` says it is encoded, turned into UTF-8
/// (with its XML declaration saying so), before the document's own signals are read. The
/// charset a server states outranks the XML declaration (RFC 7303, and what browsers and
/// feedparser do), but not a byte-order mark. Where the stated charset cannot be right the body
/// is left for [`prepare`]'s own reading: bytes that do not decode in it, or a single-byte
/// charset stated for bytes that are valid UTF-8 with non-ASCII text in them (a common server
/// default that would turn every accent into two wrong characters).
pub fn with_http_charset(bytes: Vec<u8>, content_type: Option<&str>) -> Vec<u8> {
    let Some(enc) = content_type
        .and_then(charset_of)
        .and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()))
    else {
        return bytes;
    };
    if has_unicode_signature(&bytes) || enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
        return bytes;
    }
    let utf8 = std::str::from_utf8(&bytes).ok();
    if enc == encoding_rs::UTF_8 {
        return match utf8 {
            Some(text) => match declared_encoding(text.as_bytes()) {
                Some(label) if !label.eq_ignore_ascii_case("utf-8") => set_declared_utf8(text).into_bytes(),
                _ => bytes,
            },
            None => bytes,
        };
    }
    if utf8.is_some() {
        // Plain ASCII reads the same in any of these; non-ASCII UTF-8 is UTF-8.
        return bytes;
    }
    if enc.is_single_byte() {
        // A single-byte charset decodes any bytes, so decoding proves nothing. Where the
        // document declares another encoding that reads its bytes cleanly (a GBK feed on a
        // server whose default is ISO-8859-1), the declaration knows better than the default.
        let declared = declared_encoding(&bytes).and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()));
        if declared.is_some_and(|d| d != enc && d.decode_without_bom_handling_and_without_replacement(&bytes).is_some())
        {
            return bytes;
        }
    }
    match enc.decode_without_bom_handling_and_without_replacement(&bytes) {
        Some(text) => set_declared_utf8(&text).into_bytes(),
        None => bytes,
    }
}

/// Whether the body opens with a byte-order mark or the zero bytes of UTF-16 or UTF-32 text:
/// the encoding [`prepare`] reads from the bytes themselves, whatever a header says.
fn has_unicode_signature(bytes: &[u8]) -> bool {
    matches!(
        bytes,
        [0xEF, 0xBB, 0xBF, ..]
            | [0xFE, 0xFF, ..]
            | [0xFF, 0xFE, ..]
            | [0x00, 0x00, 0xFE, 0xFF, ..]
            | [0x00, 0x00, 0x00, b'<', ..]
            | [b'<', 0x00, 0x00, 0x00, ..]
            | [0x00, b'<', 0x00, ..]
            | [b'<', 0x00, _, 0x00, ..]
    )
}

/// The `charset` parameter of a Content-Type value, unquoted.
fn charset_of(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches(|c| c == '"' || c == '\''))
            .filter(|v| !v.is_empty())
    })
}

/// The document as UTF-8, with its XML declaration saying so when it was re-encoded.
fn to_utf8(bytes: &[u8]) -> Cow<'_, [u8]> {
    let (text, changed) = match bytes {
        [0x00, 0x00, 0xFE, 0xFF, rest @ ..] => (decode_utf32(rest, true), true),
        [0xFF, 0xFE, 0x00, 0x00, rest @ ..] => (decode_utf32(rest, false), true),
        [0xEF, 0xBB, 0xBF, rest @ ..] => match std::str::from_utf8(rest) {
            Ok(_) => return fix_declaration(Cow::Borrowed(rest)),
            Err(_) => (String::from_utf8_lossy(rest).into_owned(), true),
        },
        [0xFE, 0xFF, ..] | [0xFF, 0xFE, ..] => (encoding_rs::UTF_16LE.decode(bytes).0.into_owned(), true),
        [0x00, 0x00, 0x00, b'<', ..] => (decode_utf32(bytes, true), true),
        [b'<', 0x00, 0x00, 0x00, ..] => (decode_utf32(bytes, false), true),
        [0x00, b'<', 0x00, ..] => (
            encoding_rs::UTF_16BE.decode_without_bom_handling(bytes).0.into_owned(),
            true,
        ),
        [b'<', 0x00, _, 0x00, ..] => (
            encoding_rs::UTF_16LE.decode_without_bom_handling(bytes).0.into_owned(),
            true,
        ),
        _ => return decode_declared(bytes),
    };
    debug_assert!(changed);
    Cow::Owned(set_declared_utf8(&text).into_bytes())
}

/// No byte-order mark: trust the declaration when it names something other than UTF-8, and
/// fall back to Windows-1252 (as browsers do) when bytes said to be UTF-8 are not.
fn decode_declared(bytes: &[u8]) -> Cow<'_, [u8]> {
    let declared = declared_encoding(bytes).and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()));
    let valid_utf8 = std::str::from_utf8(bytes).is_ok();
    match declared {
        // A UTF-16 declaration on single-byte content is a lie: it is UTF-8 (or ASCII).
        Some(enc) if is_unicode(enc) && valid_utf8 => fix_declaration(Cow::Borrowed(bytes)),
        Some(enc) if is_unicode(enc) => {
            let text = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0;
            Cow::Owned(set_declared_utf8(&text).into_bytes())
        }
        Some(enc) => {
            let (text, _, had_errors) = enc.decode(bytes);
            if had_errors && valid_utf8 {
                // Declared a legacy encoding, but the bytes are clean UTF-8: believe the bytes.
                return Cow::Owned(set_declared_utf8(std::str::from_utf8(bytes).unwrap_or_default()).into_bytes());
            }
            Cow::Owned(set_declared_utf8(&text).into_bytes())
        }
        None if valid_utf8 => Cow::Borrowed(bytes),
        None => {
            let text = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0;
            Cow::Owned(set_declared_utf8(&text).into_bytes())
        }
    }
}

fn is_unicode(enc: &'static encoding_rs::Encoding) -> bool {
    enc == encoding_rs::UTF_8 || enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE
}

fn fix_declaration(bytes: Cow<'_, [u8]>) -> Cow<'_, [u8]> {
    match declared_encoding(&bytes) {
        Some(label) if !label.eq_ignore_ascii_case("utf-8") => {
            Cow::Owned(set_declared_utf8(&String::from_utf8_lossy(&bytes)).into_bytes())
        }
        _ => bytes,
    }
}

fn decode_utf32(bytes: &[u8], big_endian: bool) -> String {
    bytes
        .chunks_exact(4)
        .map(|c| {
            let arr = [c[0], c[1], c[2], c[3]];
            let unit = if big_endian {
                u32::from_be_bytes(arr)
            } else {
                u32::from_le_bytes(arr)
            };
            char::from_u32(unit).unwrap_or('\u{FFFD}')
        })
        .filter(|c| *c != '\u{FEFF}')
        .collect()
}

/// The `encoding` of the XML declaration, if the document starts with one.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(512)];
    let head = String::from_utf8_lossy(head);
    let decl = head.trim_start().strip_prefix("<?xml")?;
    let decl = &decl[..decl.find("?>")?];
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = rest.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let value = &rest[1..];
    Some(value[..value.find(quote)?].trim().to_string())
}

/// Rewrites (or leaves out) the declared encoding, since the text is now UTF-8.
fn set_declared_utf8(text: &str) -> String {
    let text = text.trim_start_matches('\u{FEFF}');
    let trimmed = text.trim_start();
    if let Some(decl_body) = trimmed.strip_prefix("<?xml") {
        if let Some(end) = decl_body.find("?>") {
            let rest = &decl_body[end + 2..];
            return format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>{rest}");
        }
    }
    text.to_string()
}

/// Structural repairs, tried when a first parse failed or found an Atom 0.3 feed. Returns None
/// when there was nothing to repair.
pub fn repair_structure(text: &str) -> Option<String> {
    let mut out = text.to_string();
    let mut changed = false;
    if let Some(fixed) = add_rss_version(&out) {
        out = fixed;
        changed = true;
    }
    if let Some(fixed) = drop_bad_type_attributes(&out) {
        out = fixed;
        changed = true;
    }
    if let Some(fixed) = atom03_to_atom10(&out) {
        out = fixed;
        changed = true;
    }
    changed.then_some(out)
}

/// Dublin Core stand-ins that RSS feeds use instead of the core elements (`dc:title` for
/// `title`, `dc:date` or `dcterms:modified` for `pubDate`), mapped when the core element is
/// absent from the whole document. Returns None when nothing was mapped.
fn map_dublin_core(text: &str) -> Option<String> {
    if !text.contains("purl.org/dc/") || find_tag(text, "rss").is_none() {
        return None;
    }
    let mut out = text.to_string();
    let mut changed = false;
    if find_tag(&out, "title").is_none() && find_tag(&out, "dc:title").is_some() {
        out = out.replace("<dc:title", "<title").replace("</dc:title>", "</title>");
        changed = true;
    }
    if find_tag(&out, "pubDate").is_none() {
        for element in ["dc:date", "dcterms:issued", "dcterms:modified", "dcterms:created"] {
            if find_tag(&out, element).is_some() {
                out = out
                    .replace(&format!("<{element}"), "<pubDate")
                    .replace(&format!("</{element}>"), "</pubDate>");
                changed = true;
                break;
            }
        }
    }
    changed.then_some(out)
}

/// Stands in for the link of an RSS 1.0 item that has none, so that feed-rs keeps the item; not
/// http(s), so the link itself is dropped afterwards like any other such link.
const NO_LINK: &str = "urn:x-claim-digest:no-link";

/// RSS 1.0 and 0.90: feed-rs keeps only items with a `<link>`; an item that names itself with
/// `rdf:about` gets that address as its link (any other gets a stand-in that is dropped later),
/// and RSS 0.90's namespace is read as RSS 1.0's.
fn map_rdf(original: &str) -> Option<String> {
    if !original.contains("22-rdf-syntax-ns#") {
        return None;
    }
    let text = original.replace("http://my.netscape.com/rdf/simple/0.9/", "http://purl.org/rss/1.0/");
    let mut changed = text.len() != original.len() || text != original;
    // One pass, the output built as it goes: a hostile document of many items must cost its
    // length, not its length for every item.
    let mut out = String::with_capacity(text.len() + 64);
    let mut copied = 0;
    // The next `</item>` at or after some point, found again only once passed.
    let mut next_close: Option<usize> = text.find("</item>");
    let mut next_item = find_tag(&text, "item");
    while let Some(start) = next_item {
        let Some(open_end) = text[start..].find('>').map(|e| start + e) else {
            break;
        };
        if next_close.is_some_and(|c| c < open_end) {
            next_close = text[open_end..].find("</item>").map(|e| open_end + e);
        }
        next_item = find_tag(&text[open_end..], "item").map(|e| open_end + e);
        // An item ends at its `</item>`, or, left open, where the next one begins.
        let end = next_close.unwrap_or(text.len()).min(next_item.unwrap_or(text.len()));
        let tag = &text[start..open_end];
        if tag.ends_with('/') || text[open_end..end].contains("<link") {
            continue;
        }
        let about = tag.find("rdf:about=").and_then(|a| {
            let value = &tag[a + "rdf:about=".len()..];
            let quote = value.chars().next().filter(|q| matches!(q, '"' | '\''))?;
            let value = &value[1..];
            Some(&value[..value.find(quote)?])
        });
        out.push_str(&text[copied..=open_end]);
        out.push_str("<link>");
        out.push_str(about.unwrap_or(NO_LINK));
        out.push_str("</link>");
        copied = open_end + 1;
        changed = true;
    }
    out.push_str(&text[copied..]);
    changed.then_some(out)
}

pub fn is_atom03(text: &str) -> bool {
    text.contains("http://purl.org/atom/ns#")
}

fn add_rss_version(text: &str) -> Option<String> {
    let start = find_tag(text, "rss")?;
    let end = start + text[start..].find('>')?;
    let tag = &text[start..end];
    if tag.contains("version") {
        return None;
    }
    Some(format!("{} version=\"2.0\"{}", &text[..start + 4], &text[start + 4..]))
}

/// Finds `<name` followed by white space, `>` or `/`.
fn find_tag(text: &str, name: &str) -> Option<usize> {
    // Often a tag the document lacks (`<feed` in RSS), so the whole document is read: by memmem.
    let needle = format!("<{name}");
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, needle.as_bytes()).find(|&at| ends_name(bytes.get(at + needle.len())))
}

/// Rewrites `type` attributes the parser refuses on text constructs: MIME names become Atom's
/// own (`text/plain` → `text`, `text/html` → `html`, `application/xhtml+xml` → `xhtml`); empty
/// or unknown ones are dropped (the text then counts as plain). `content` may carry any MIME
/// type and keeps it, unless it is empty.
fn drop_bad_type_attributes(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let tail = &rest[lt..];
        let Some(gt) = tail.find('>') else { break };
        let tag = &tail[..=gt];
        let name: String = tag[1..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == ':')
            .collect();
        let local = name.rsplit(':').next().unwrap_or("");
        let construct = matches!(
            local,
            "title" | "subtitle" | "summary" | "content" | "rights" | "tagline" | "info" | "copyright"
        );
        rest = &tail[gt + 1..];
        match construct.then(|| type_fix(tag, local == "content")).flatten() {
            Some(Fix::Replace(a, b, replacement)) => {
                out.push_str(&tag[..a]);
                out.push_str(&replacement);
                out.push_str(&tag[b..]);
                changed = true;
            }
            Some(Fix::Base64(a, b)) => {
                // Base64 text (a binary type on a title or summary): decoded into escaped HTML.
                let end = rest.find("</").unwrap_or(rest.len());
                match decode_base64(&rest[..end]).and_then(|bytes| String::from_utf8(bytes).ok()) {
                    Some(decoded) => {
                        out.push_str(&tag[..a]);
                        out.push_str(" type=\"html\"");
                        out.push_str(&tag[b..]);
                        out.push_str(&html_escape::encode_text(&decoded));
                        rest = &rest[end..];
                    }
                    None => {
                        out.push_str(&tag[..a]);
                        out.push_str(&tag[b..]);
                    }
                }
                changed = true;
            }
            None => out.push_str(tag),
        }
    }
    out.push_str(rest);
    changed.then_some(out)
}

enum Fix {
    /// Replace the attribute's span with this text.
    Replace(usize, usize, String),
    /// The attribute's span names a binary type: the element's text is base64.
    Base64(usize, usize),
}

/// What to do with a text construct's `type="..."` attribute, if anything.
fn type_fix(tag: &str, is_content: bool) -> Option<Fix> {
    let at = tag.find(" type=")?;
    let quote = tag[at + 6..].chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let value_start = at + 7;
    let value_end = value_start + tag[value_start..].find(quote)?;
    let value = tag[value_start..value_end].trim().to_ascii_lowercase();
    let replacement = match value.as_str() {
        "text" | "html" | "xhtml" => return None,
        "text/plain" => " type=\"text\"".to_string(),
        "text/html" => " type=\"html\"".to_string(),
        "application/xhtml+xml" => " type=\"xhtml\"".to_string(),
        v if is_content && v.contains('/') && !v.ends_with('/') => return None,
        v if v.contains('/') && !v.starts_with("text/") && !v.contains("xml") => {
            return Some(Fix::Base64(at, value_end + 1))
        }
        _ => String::new(),
    };
    Some(Fix::Replace(at, value_end + 1, replacement))
}

/// Standard base64, white space ignored; None for anything else.
fn decode_base64(input: &str) -> Option<Vec<u8>> {
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    for c in input.bytes().filter(|c| !c.is_ascii_whitespace()) {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(value);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    Some(out)
}

/// Atom 0.3 to Atom 1.0: the namespace and the renamed elements.
fn atom03_to_atom10(text: &str) -> Option<String> {
    if !is_atom03(text) {
        return None;
    }
    let mut out = text.replace("http://purl.org/atom/ns#", "http://www.w3.org/2005/Atom");
    for (old, new) in [
        ("issued", "published"),
        ("modified", "updated"),
        ("tagline", "subtitle"),
        ("copyright", "rights"),
    ] {
        out = out.replace(&format!("<{old}>"), &format!("<{new}>"));
        out = out.replace(&format!("<{old} "), &format!("<{new} "));
        out = out.replace(&format!("</{old}>"), &format!("</{new}>"));
    }
    // Atom 0.3 allowed `created` alone; 1.0 has no such element, and `published` serves.
    if !out.contains("<published") {
        out = out
            .replace("<created>", "<published>")
            .replace("</created>", "</published>");
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_servers_charset_outranks_the_declaration_but_not_the_bytes() {
        let gbk = |text: &str| encoding_rs::GBK.encode(text).0.into_owned();
        let feed = |decl: &str| {
            format!("<?xml version=\"1.0\"{decl}?><rss><channel><title>人工智能新闻</title></channel></rss>")
        };
        let read =
            |bytes: Vec<u8>, ct: Option<&str>| String::from_utf8(with_http_charset(bytes, ct)).unwrap_or_default();
        // Stated gb2312, bytes GBK, no declaration or a wrong one: read as GBK.
        for decl in ["", " encoding=\"iso-8859-1\""] {
            let text = read(gbk(&feed(decl)), Some("application/rss+xml; charset='gb2312'"));
            assert!(
                text.contains("人工智能新闻") && text.contains("encoding=\"utf-8\""),
                "{text}"
            );
        }
        // Stated UTF-8 for UTF-8 bytes declared as Latin-1: the declaration is made to agree.
        let text = read(
            feed(" encoding=\"iso-8859-1\"").into_bytes(),
            Some("text/xml;charset=\"UTF-8\""),
        );
        assert!(
            text.contains("encoding=\"utf-8\"") && text.contains("人工智能新闻"),
            "{text}"
        );
        assert!(prepare(text.as_bytes()).contains("人工智能新闻"));
        // A single-byte charset stated for UTF-8 text is a server default, not the truth.
        let utf8 = feed("").into_bytes();
        assert_eq!(
            with_http_charset(utf8.clone(), Some("text/xml; charset=ISO-8859-1")),
            utf8
        );
        // Bytes that do not decode in the stated charset, no charset, an unknown one, or a BOM:
        // left as they came.
        let latin1 = encoding_rs::WINDOWS_1252
            .encode("<rss><title>café</title></rss>")
            .0
            .into_owned();
        assert_eq!(
            with_http_charset(latin1.clone(), Some("text/xml; charset=utf-8")),
            latin1
        );
        for ct in [
            None,
            Some("text/xml"),
            Some("text/xml; charset=klingon"),
            Some("text/xml; charset="),
        ] {
            assert_eq!(with_http_charset(gbk(&feed("")), ct), gbk(&feed("")), "{ct:?}");
        }
        let bom = [&[0xEF, 0xBB, 0xBF][..], feed("").as_bytes()].concat();
        assert_eq!(with_http_charset(bom.clone(), Some("text/xml; charset=gb2312")), bom);
        // UTF-16 or UTF-32 text, with or without a mark, under a Latin-1 header: left to the bytes.
        let utf16: Vec<u8> = feed("").encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(
            with_http_charset(utf16.clone(), Some("text/xml; charset=iso-8859-1")),
            utf16
        );
        let utf32be: Vec<u8> = [0xFEFF_u32]
            .into_iter()
            .chain(feed("").chars().map(u32::from))
            .flat_map(u32::to_be_bytes)
            .collect();
        assert_eq!(
            with_http_charset(utf32be.clone(), Some("text/xml; charset=iso-8859-1")),
            utf32be
        );
        // A GBK feed that says so, on a server whose default charset is Latin-1: the
        // declaration is believed, and the text reads right.
        let declared_gbk = gbk(&feed(" encoding=\"gbk\""));
        let kept = with_http_charset(declared_gbk.clone(), Some("text/xml; charset=ISO-8859-1"));
        assert_eq!(kept, declared_gbk);
        assert!(prepare(&kept).contains("人工智能新闻"));
    }

    fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend(if big_endian { [0xFE, 0xFF] } else { [0xFF, 0xFE] });
        }
        for unit in text.encode_utf16() {
            out.extend(if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            });
        }
        out
    }

    #[test]
    fn utf16_with_bom_and_lying_declaration_becomes_utf8() {
        let doc = "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss version=\"2.0\"><channel><title>Café 中文</title></channel></rss>";
        for big in [true, false] {
            let fixed = to_utf8(&utf16(doc, big, true)).into_owned();
            let text = String::from_utf8(fixed).unwrap();
            assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"), "{text}");
            assert!(text.contains("Café 中文"));
        }
        let no_bom = String::from_utf8(to_utf8(&utf16(doc, true, false)).into_owned()).unwrap();
        assert!(no_bom.contains("Café 中文"));
    }

    #[test]
    fn declared_legacy_encodings_are_decoded() {
        let mut latin1 = b"<?xml version='1.0' encoding='ISO-8859-1'?><rss><channel><title>caf".to_vec();
        latin1.push(0xE9);
        latin1.extend(b"</title></channel></rss>");
        let text = String::from_utf8(to_utf8(&latin1).into_owned()).unwrap();
        assert!(text.contains("café"), "{text}");
        let (gbk, _, _) = encoding_rs::GBK
            .encode("<?xml version=\"1.0\" encoding=\"gb2312\"?><rss><channel><title>数学家</title></channel></rss>");
        assert!(String::from_utf8(to_utf8(&gbk).into_owned())
            .unwrap()
            .contains("数学家"));
        // Declared utf-8 but not: read as Windows-1252.
        let bad = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><t>\x93quoted\x94</t>";
        assert!(String::from_utf8(to_utf8(bad).into_owned())
            .unwrap()
            .contains("\u{201C}quoted\u{201D}"));
        // Plain UTF-8 is untouched and not copied.
        assert!(matches!(to_utf8("<rss/>".as_bytes()), Cow::Borrowed(_)));
    }

    #[test]
    fn rdf_items_without_links_use_their_about_address() {
        let doc = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/"><item rdf:about="http://example.com/1"><title>T</title></item><item rdf:about="http://example.com/2"><link>http://example.com/x</link></item></rdf:RDF>"#;
        let mapped = map_rdf(doc).unwrap();
        assert!(mapped.contains("xmlns=\"http://purl.org/rss/1.0/\""));
        assert!(
            mapped
                .contains("<item rdf:about=\"http://example.com/1\"><link>http://example.com/1</link><title>T</title>"),
            "{mapped}"
        );
        assert_eq!(mapped.matches("<link>").count(), 2, "an item with a link keeps it");
        assert!(map_rdf("<rss><channel/></rss>").is_none());
        let bare = map_rdf(r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><item><title>T</title></item></rdf:RDF>"#)
            .unwrap();
        assert!(
            bare.contains(&format!("<item><link>{NO_LINK}</link><title>T</title>")),
            "{bare}"
        );
    }

    #[test]
    fn rdf_items_with_odd_about_values_do_not_break_the_repair() {
        let rdf = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">"#;
        // A character of several bytes where a quote belongs, an unquoted value, an empty one.
        for item in [
            "<item rdf:about=é>",
            "<item rdf:about=“http://x.example/”>",
            "<item rdf:about=http://x.example/a>",
            "<item rdf:about=\"\">",
        ] {
            let doc = format!("{rdf}{item}<title>T</title></item></rdf:RDF>");
            let mapped = map_rdf(&doc).unwrap();
            assert_eq!(mapped.matches("<link>").count(), 1, "{mapped}");
        }
        let doc = format!("{rdf}<item rdf:about='http://x.example/1'><title>T</title></item></rdf:RDF>");
        assert!(map_rdf(&doc).unwrap().contains("<link>http://x.example/1</link>"));
    }

    /// Documents of many openers left unclosed, as a hostile feed may send: every one still
    /// repaired or passed over, each searched for once (before, each opener searched the rest of
    /// the text, so a few hundred kilobytes took half a minute; BENCHMARKS.md has no timing of
    /// this, the test only keeps the cases working).
    #[test]
    fn many_unclosed_openers_are_repaired_in_one_pass() {
        let rdf = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">"#;
        let items = 20_000;
        let doc = format!("{rdf}{}</rdf:RDF>", "<item><title>T</title>".repeat(items));
        let mapped = map_rdf(&doc).unwrap();
        assert_eq!(
            mapped.matches("<link>").count(),
            items,
            "each open item gets its stand-in link"
        );
        let doc = format!(
            "<feed>{}<title type=\"xhtml\"><b>x</b></title></feed>",
            "<summary>".repeat(items)
        );
        let mapped = text_constructs_as_html(&doc).unwrap();
        assert!(mapped.contains("type=\"html\""), "the closed one is still repaired");
    }

    #[test]
    fn xhtml_titles_keep_escaped_text_apart_from_markup() {
        let doc = r#"<feed><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">The &lt;blink&gt; <b>tag</b></div></title><entry><title>plain &amp; simple</title></entry></feed>"#;
        let mapped = text_constructs_as_html(doc).unwrap();
        assert!(
            mapped.contains(r#"<title type="html">&lt;div xmlns="http://www.w3.org/1999/xhtml"&gt;The &amp;lt;blink&amp;gt; &lt;b&gt;tag&lt;/b&gt;&lt;/div&gt;</title>"#),
            "{mapped}"
        );
        assert!(
            mapped.contains("<title>plain &amp; simple</title>"),
            "other titles untouched"
        );
        assert!(text_constructs_as_html("<feed><title>x</title><summary>a &amp; b</summary></feed>").is_none());
    }

    #[test]
    fn text_construct_modes_and_naked_markup_become_escaped_html() {
        let base64 = r#"<title mode="base64" type="text/html">
            RXhhbXBsZSA8Yj5BdG9tPC9iPg==
        </title>"#;
        assert_eq!(
            text_constructs_as_html(base64).unwrap(),
            r#"<title type="html">Example &lt;b&gt;Atom&lt;/b&gt;</title>"#
        );
        let escaped = r#"<summary type='text/html' mode='escaped'>&lt;b&gt;x&lt;/b&gt;</summary>"#;
        assert_eq!(
            text_constructs_as_html(escaped).unwrap(),
            r#"<summary type="html">&lt;b&gt;x&lt;/b&gt;</summary>"#
        );
        let xml_mode = r#"<title type="application/xhtml+xml" mode="xml"><div>a <a href="/x">link</a></div></title>"#;
        assert_eq!(
            text_constructs_as_html(xml_mode).unwrap(),
            r#"<title type="html">&lt;div&gt;a &lt;a href="/x"&gt;link&lt;/a&gt;&lt;/div&gt;</title>"#
        );
        let naked_rss = "<item><title><p>Item Title</p></title><description>d</description></item>";
        assert_eq!(
            text_constructs_as_html(naked_rss).unwrap(),
            "<item><title>&lt;p&gt;Item Title&lt;/p&gt;</title><description>d</description></item>"
        );
        let cdata = "<title><![CDATA[<b>kept</b>]]></title>";
        assert!(
            text_constructs_as_html(cdata).is_none(),
            "CDATA already keeps markup as text"
        );
        assert!(text_constructs_as_html("<content:encoded><p>x</p></content:encoded><content src=\"a\"/>").is_none());
    }

    #[test]
    fn unknown_namespaces_map_to_known_ones() {
        let pie = r#"<feed version="0.3" xmlns="http://purl.org/pie/"><title>T</title></feed>"#;
        assert_eq!(
            map_namespaces(pie).unwrap(),
            r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>T</title></feed>"#
        );
        let default_ns = r#"<rss version="2.0" xmlns="http://backend.userland.com/rss2"><channel/></rss>"#;
        assert_eq!(
            map_namespaces(default_ns).unwrap(),
            r#"<rss version="2.0"><channel/></rss>"#
        );
        let prefixed = r#"<r:rss version="2.0" xmlns:r="http://backend.userland.com/rss2"><r:channel><r:title>T</r:title></r:channel></r:rss>"#;
        assert_eq!(
            map_namespaces(prefixed).unwrap(),
            r#"<rss version="2.0" ><channel><title>T</title></channel></rss>"#
        );
        assert!(map_namespaces(r#"<feed xmlns="http://www.w3.org/2005/Atom"/>"#).is_none());
    }

    #[test]
    fn dublin_core_stands_in_for_missing_core_elements() {
        let doc = "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><item><dc:title>T</dc:title><dc:date>2003-12-31T10:14:55Z</dc:date></item></channel></rss>";
        let mapped = map_dublin_core(doc).unwrap();
        assert!(
            mapped.contains("<title>T</title>") && mapped.contains("<pubDate>2003-12-31T10:14:55Z</pubDate>"),
            "{mapped}"
        );
        let has_core = "<rss xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><title>A</title><pubDate>x</pubDate><dc:title>B</dc:title></channel></rss>";
        assert!(map_dublin_core(has_core).is_none());
    }

    #[test]
    fn base64_decoding() {
        assert_eq!(decode_base64("RXhh\nbXBsZQ==").unwrap(), b"Example");
        assert_eq!(decode_base64("not base64!"), None);
    }

    #[test]
    fn structural_repairs() {
        assert_eq!(
            repair_structure("<rss><channel/></rss>").unwrap(),
            "<rss version=\"2.0\"><channel/></rss>"
        );
        assert!(repair_structure("<rss version=\"0.91\"><channel/></rss>").is_none());
        assert_eq!(
            repair_structure("<feed><title type=\"\">T</title><summary type='bogus'>S</summary><content type=\"text/plain\">C</content></feed>").unwrap(),
            "<feed><title>T</title><summary>S</summary><content type=\"text\">C</content></feed>"
        );
        assert_eq!(
            repair_structure(
                "<feed><title type=\"text/plain\">T</title><summary type='application/xhtml+xml'>S</summary></feed>"
            )
            .unwrap(),
            "<feed><title type=\"text\">T</title><summary type=\"xhtml\">S</summary></feed>"
        );
        let atom03 = "<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"><tagline>t</tagline><entry><issued>2004-01-01T00:00:00Z</issued><modified>2004-01-02T00:00:00Z</modified></entry></feed>";
        let fixed = repair_structure(atom03).unwrap();
        assert!(
            fixed.contains("http://www.w3.org/2005/Atom")
                && fixed.contains("<published>2004")
                && fixed.contains("<updated>2004")
                && fixed.contains("<subtitle>t</subtitle>"),
            "{fixed}"
        );
    }
}
