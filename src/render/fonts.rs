//! The fonts the tally chart draws with: the embedded DejaVu Sans (data/fonts) for Latin text,
//! and, for Chinese, a font with CJK glyphs found at run time: CHART_FONT, else fontconfig's
//! choice for Simplified Chinese, else the usual Debian paths (`fonts-noto-cjk`,
//! `fonts-wqy-microhei`). Read once per process; without one, Chinese charts are drawn in
//! English rather than in boxes.

use std::path::PathBuf;
use std::sync::OnceLock;

use ab_glyph::{Font as _, FontRef};
use plotters::style::FontStyle;

/// The plotters family of the embedded Latin font.
pub const LATIN: &str = "chart-latin";
/// The plotters family of the CJK font, when one was found.
pub const CJK: &str = "chart-cjk";

static EMBEDDED: &[u8] = include_bytes!("../../data/fonts/DejaVuSans.ttf");

/// Characters a font must have to draw a Chinese chart: common ones from its labels.
const CJK_PROBE: &str = "中文认同不确定轮票已有结果";

/// Where a CJK font is looked for when CHART_FONT is unset, after fontconfig: Debian's
/// `fonts-noto-cjk` (face 2 of the collection is Simplified Chinese) and `fonts-wqy-microhei`.
const KNOWN_PATHS: [(&str, u32); 3] = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
];

/// A font file, and which face of it when it is a collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontFile {
    pub path: PathBuf,
    /// None: the first face with Chinese glyphs.
    pub face: Option<u32>,
}

impl FontFile {
    /// A CHART_FONT value: a path, with `:N` after it for face N of a collection (as
    /// `fc-match -f '%{file}:%{index}'` prints it).
    pub fn parse(value: &str) -> FontFile {
        if let Some((path, face)) = value.rsplit_once(':') {
            if let Ok(face) = face.parse() {
                return FontFile {
                    path: path.into(),
                    face: Some(face),
                };
            }
        }
        FontFile {
            path: value.into(),
            face: None,
        }
    }
}

/// The fonts registered with plotters for this process.
pub struct Fonts {
    latin: FontRef<'static>,
    /// The CJK font and the file it came from, when one was found.
    cjk: Option<(FontRef<'static>, FontFile)>,
    /// Why there is no CJK font, when there is none.
    pub missing: Option<String>,
}

impl Fonts {
    pub fn has_cjk(&self) -> bool {
        self.cjk.is_some()
    }

    /// The file the CJK font was read from.
    pub fn cjk_file(&self) -> Option<&FontFile> {
        self.cjk.as_ref().map(|(_, file)| file)
    }

    /// The family to draw `texts` with: the embedded font when it has every character, else
    /// the CJK font when there is one (else the embedded font, with boxes for what it lacks).
    pub fn family_for<'t>(&self, texts: impl IntoIterator<Item = &'t str>) -> &'static str {
        let latin_has_all = texts
            .into_iter()
            .all(|t| t.chars().all(|c| c.is_whitespace() || self.latin.glyph_id(c).0 != 0));
        if latin_has_all || self.cjk.is_none() {
            LATIN
        } else {
            CJK
        }
    }
}

#[cfg(test)]
impl Fonts {
    /// The embedded font alone, as on a machine without a CJK font.
    pub fn embedded_only() -> Fonts {
        loaded();
        Fonts {
            latin: FontRef::try_from_slice(EMBEDDED).expect("the embedded font parses"),
            cjk: None,
            missing: Some("none, for this test".into()),
        }
    }
}

static LOADED: OnceLock<Fonts> = OnceLock::new();

/// Reads and registers the chart's fonts, once per process (later calls return the first
/// result), and says in the log which CJK font the charts use or why there is none.
pub fn load(configured: Option<&FontFile>) -> &'static Fonts {
    LOADED.get_or_init(|| {
        let fonts = read(configured);
        match (&fonts.cjk, &fonts.missing) {
            (Some((_, file)), _) => tracing::info!(
                path = %file.path.display(),
                face = file.face.unwrap_or(0),
                "charts draw Chinese with this font"
            ),
            (None, Some(reason)) => tracing::warn!(
                %reason,
                "no font with Chinese glyphs: Chinese servers' charts are drawn in English (install fonts-noto-cjk or set CHART_FONT)"
            ),
            (None, None) => {}
        }
        fonts
    })
}

/// The fonts, loaded with fontconfig's choice if `load` was not called first.
pub fn loaded() -> &'static Fonts {
    load(None)
}

fn read(configured: Option<&FontFile>) -> Fonts {
    // The embedded font is valid, so neither can fail; if registration ever did, text would be missing.
    let latin = FontRef::try_from_slice(EMBEDDED).expect("the embedded font parses");
    let _ = plotters::style::register_font(LATIN, FontStyle::Normal, EMBEDDED);
    let found = match configured {
        Some(file) => open_cjk(file).map_err(|e| format!("CHART_FONT={}: {e}", file.path.display())),
        None => find_cjk(),
    };
    match found {
        Ok((bytes, file)) => {
            // One font for the process's life, so leaking it once gives plotters the `'static` bytes it needs.
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            match FontRef::try_from_slice(bytes) {
                Ok(font) if plotters::style::register_font(CJK, FontStyle::Normal, bytes).is_ok() => Fonts {
                    latin,
                    cjk: Some((font, file)),
                    missing: None,
                },
                _ => Fonts {
                    latin,
                    cjk: None,
                    missing: Some(format!("{}: not a font plotters can read", file.path.display())),
                },
            }
        }
        Err(reason) => Fonts {
            latin,
            cjk: None,
            missing: Some(reason),
        },
    }
}

/// fontconfig's choice for Simplified Chinese, then the known paths: the first that has
/// Chinese glyphs.
fn find_cjk() -> Result<(Vec<u8>, FontFile), String> {
    let mut tried = Vec::new();
    let mut candidates = Vec::new();
    match fontconfig_choice() {
        Ok(file) => candidates.push(file),
        Err(e) => tried.push(e),
    }
    candidates.extend(KNOWN_PATHS.iter().map(|(path, face)| FontFile {
        path: path.into(),
        face: Some(*face),
    }));
    for file in candidates {
        match open_cjk(&file) {
            Ok(found) => return Ok(found),
            Err(e) => tried.push(format!("{}: {e}", file.path.display())),
        }
    }
    Err(tried.join("; "))
}

fn fontconfig_choice() -> Result<FontFile, String> {
    let out = std::process::Command::new("fc-match")
        .args(["-f", "%{file}:%{index}", "sans-serif:lang=zh-cn"])
        .output()
        .map_err(|e| format!("fc-match: {e}"))?;
    let printed = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() || printed.trim().is_empty() {
        return Err("fc-match found no font".into());
    }
    Ok(FontFile::parse(printed.trim()))
}

/// The bytes of `file` with the chosen face first (plotters reads a collection's first face),
/// when that face has Chinese glyphs.
fn open_cjk(file: &FontFile) -> Result<(Vec<u8>, FontFile), String> {
    let bytes = std::fs::read(&file.path).map_err(|e| e.to_string())?;
    let face = match file.face {
        Some(face) => {
            let font =
                FontRef::try_from_slice_and_index(&bytes, face).map_err(|_| format!("no readable face {face}"))?;
            if !has_cjk(&font) {
                return Err(format!("face {face} has no Chinese glyphs"));
            }
            face
        }
        None => (0..face_count(&bytes))
            .find(|&i| FontRef::try_from_slice_and_index(&bytes, i).is_ok_and(|f| has_cjk(&f)))
            .ok_or("no face with Chinese glyphs")?,
    };
    let bytes = with_face_first(bytes, face).ok_or("not a font collection")?;
    Ok((
        bytes,
        FontFile {
            path: file.path.clone(),
            face: Some(face),
        },
    ))
}

fn has_cjk(font: &FontRef<'_>) -> bool {
    CJK_PROBE.chars().all(|c| font.glyph_id(c).0 != 0)
}

/// The faces in a font file: a collection's count, else one.
fn face_count(bytes: &[u8]) -> u32 {
    match bytes.get(..12) {
        Some(header) if &header[..4] == b"ttcf" => u32::from_be_bytes([header[8], header[9], header[10], header[11]]),
        _ => 1,
    }
}

/// A collection (`ttcf` header: tag, version, face count, then each face's offset) with face
/// `face` swapped into first place; a single font as it is. None: no such face.
fn with_face_first(mut bytes: Vec<u8>, face: u32) -> Option<Vec<u8>> {
    if face == 0 {
        return Some(bytes);
    }
    if face >= face_count(&bytes) || bytes.get(..4) != Some(b"ttcf") {
        return None;
    }
    let wanted = 12 + 4 * face as usize;
    if bytes.len() < wanted + 4 {
        return None;
    }
    for k in 0..4 {
        bytes.swap(12 + k, wanted + k);
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_font_value_names_a_path_and_perhaps_a_face() {
        assert_eq!(
            FontFile::parse("/usr/share/fonts/a.ttc:2"),
            FontFile {
                path: "/usr/share/fonts/a.ttc".into(),
                face: Some(2)
            }
        );
        assert_eq!(FontFile::parse("/fonts/b.ttf").face, None);
        assert_eq!(FontFile::parse("C:/fonts/b.ttf").path, PathBuf::from("C:/fonts/b.ttf"));
    }

    #[test]
    fn a_collections_face_is_moved_first_and_a_single_font_stays_as_it_is() {
        let mut ttc = b"ttcf\x00\x02\x00\x00\x00\x00\x00\x03".to_vec();
        for offset in [100u32, 200, 300] {
            ttc.extend(offset.to_be_bytes());
        }
        let moved = with_face_first(ttc.clone(), 2).unwrap();
        assert_eq!(&moved[12..16], &300u32.to_be_bytes());
        assert_eq!(&moved[20..24], &100u32.to_be_bytes());
        assert_eq!(with_face_first(ttc, 3), None, "no fourth face");
        assert_eq!(with_face_first(EMBEDDED.to_vec(), 0).as_deref(), Some(EMBEDDED));
        assert_eq!(with_face_first(EMBEDDED.to_vec(), 1), None);
    }

    #[test]
    fn the_embedded_font_has_no_chinese_and_is_not_taken_for_a_cjk_font() {
        let latin = FontRef::try_from_slice(EMBEDDED).unwrap();
        assert!(!has_cjk(&latin));
        assert!(latin.glyph_id('A').0 != 0);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("latin.ttf");
        std::fs::write(&path, EMBEDDED).unwrap();
        let err = open_cjk(&FontFile { path, face: None }).unwrap_err();
        assert!(err.contains("no face with Chinese glyphs"), "{err}");
    }
}
