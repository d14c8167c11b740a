//! Characters Kubernetes' decoders refuse before parsing. go-yaml's reader (which
//! `kubectl` and the API server read YAML with) stops at any character outside YAML's
//! printable set, anywhere in a document, comments included: "yaml: control characters are
//! not allowed". saphyr-parser skips most of them silently (a NUL even surfaces as a
//! misleading tab error), so the loader looks for them itself.

/// The first character of `text` that the decoder refuses, with its byte offset. `json`:
/// the file is read as JSON (its first non-blank character is `{`), whose decoder refuses
/// only the C0 controls; YAML's reader also refuses DEL, the C1 controls but NEL, and the
/// non-characters U+FFFE and U+FFFF.
pub fn first_forbidden(text: &str, json: bool) -> Option<(usize, char)> {
    let bytes = text.as_bytes();
    let c0 = |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || (!json && b == 0x7f);
    // Whole blocks first: a fold without an early exit vectorises, and almost every text has
    // none.
    const BLOCK: usize = 64;
    let ascii_at = bytes
        .chunks(BLOCK)
        .position(|block| block.iter().fold(false, |bad, &b| bad | c0(b)))
        .and_then(|block| {
            let from = block * BLOCK;
            let i = bytes[from..].iter().position(|&b| c0(b))?;
            Some(from + i)
        });
    let wide_at = if json {
        None
    } else {
        // C1 controls are 0xC2 0x80..=0x9F in UTF-8; U+FFFE and U+FFFF are 0xEF 0xBF 0xBE/0xBF.
        memchr::memchr2_iter(0xc2, 0xef, bytes).find(|&i| match bytes[i] {
            0xc2 => bytes
                .get(i + 1)
                .is_some_and(|&b| (0x80..=0x9f).contains(&b) && b != 0x85),
            _ => bytes.get(i + 1) == Some(&0xbf) && matches!(bytes.get(i + 2), Some(0xbe | 0xbf)),
        })
    };
    let at = match (ascii_at, wide_at) {
        (Some(a), Some(w)) => a.min(w),
        (a, w) => a.or(w)?,
    };
    Some((at, text[at..].chars().next()?))
}

/// The character's usual name, for the ones people meet.
pub fn name(c: char) -> Option<&'static str> {
    Some(match c {
        '\0' => "NUL",
        '\u{8}' => "backspace",
        '\u{b}' => "vertical tab",
        '\u{c}' => "form feed",
        '\u{1b}' => "escape",
        '\u{7f}' => "DEL",
        '\u{a0}'..='\u{ff}' => return None,
        '\u{80}'..='\u{9f}' => "a C1 control",
        '\u{fffe}' | '\u{ffff}' => "a Unicode non-character",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_go_yaml_refuses_and_nothing_else() {
        let ok = "a: \"tab\there\"\r\nb: é ü ключ \u{85} \u{a0} \u{feff} \u{fffd} 😀\n";
        assert_eq!(first_forbidden(ok, false), None);
        for (text, at, c) in [
            ("a: x\u{0}y", 4, '\0'),
            ("# comment \u{1b}[31m\n", 10, '\u{1b}'),
            ("a: \u{7f}", 3, '\u{7f}'),
            ("a: é\u{80}", 5, '\u{80}'),
            ("a: \u{9f}", 3, '\u{9f}'),
            ("a: \u{fffe}", 3, '\u{fffe}'),
            ("a: \u{ffff}", 3, '\u{ffff}'),
        ] {
            assert_eq!(first_forbidden(text, false), Some((at, c)), "{text:?}");
        }
        // The earliest of both kinds, past the first block.
        let long = format!("{}\u{9f}{}\u{c}", "k: v\n".repeat(40), "x".repeat(100));
        assert_eq!(first_forbidden(&long, false), Some((200, '\u{9f}')));
        let long = format!("{}\u{c}\u{9f}", "k: v\n".repeat(40));
        assert_eq!(first_forbidden(&long, false), Some((200, '\u{c}')));
    }

    #[test]
    fn json_refuses_only_c0_controls() {
        assert_eq!(
            first_forbidden("{\"a\": \"\u{7f}\u{85}\u{9f}\u{ffff}\"}", true),
            None
        );
        assert_eq!(
            first_forbidden("{\"a\": \"\u{1}\"}", true),
            Some((7, '\u{1}'))
        );
    }
}
