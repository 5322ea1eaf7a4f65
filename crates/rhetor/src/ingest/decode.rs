//! Bytes to text: BOMs (UTF-8, UTF-16), valid UTF-8, else a legacy encoding
//! guessed by `chardetng` (Windows-1252, Latin-1, KOI8-R…).

use crate::error::InputError;

/// Decoded text and the name of the encoding it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
}

/// Decodes `bytes`; refuses empty input and binary data.
pub fn decode(bytes: &[u8]) -> Result<Decoded, InputError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(InputError::Empty);
    }
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        let text = text.into_owned();
        if had_errors && encoding != encoding_rs::UTF_8 {
            return Err(InputError::Binary(format!("invalid {}", encoding.name())));
        }
        check_not_binary(&text)?;
        return Ok(Decoded {
            text,
            encoding: encoding.name(),
        });
    }
    if bytes.contains(&0) {
        return Err(InputError::Binary("contains NUL bytes".into()));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            check_not_binary(text)?;
            Ok(Decoded {
                text: text.to_owned(),
                encoding: "UTF-8",
            })
        }
        Err(_) => {
            let mut detector = chardetng::EncodingDetector::new();
            detector.feed(bytes, true);
            let encoding = detector.guess(None, false);
            let (text, _, _) = encoding.decode(bytes);
            let text = text.into_owned();
            check_not_binary(&text)?;
            Ok(Decoded {
                text,
                encoding: encoding.name(),
            })
        }
    }
}

/// Text whose characters are mostly control codes is not an article.
fn check_not_binary(text: &str) -> Result<(), InputError> {
    let sample: Vec<char> = text.chars().take(8192).collect();
    let controls = sample
        .iter()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        .count();
    if controls * 20 > sample.len().max(1) {
        return Err(InputError::Binary(format!(
            "{controls} control characters in the first {} (not text)",
            sample.len()
        )));
    }
    if text.trim().is_empty() {
        return Err(InputError::Empty);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_boms_and_legacy() {
        assert_eq!(decode(b"\xEF\xBB\xBFabc").unwrap().text, "abc");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("été".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        let d = decode(&utf16).unwrap();
        assert_eq!(d.text, "été");
        assert_eq!(d.encoding, "UTF-16LE");
        let latin = b"Le pr\xe9sident a d\xe9clar\xe9 qu'il \xe9tait tr\xe8s fi\xe8re de l'\xe9t\xe9 fran\xe7ais.";
        let d = decode(latin).unwrap();
        assert!(d.text.contains("président"), "{}", d.text);
        assert_eq!(d.encoding, "windows-1252");
    }

    #[test]
    fn refuses_empty_and_binary() {
        assert!(matches!(decode(b""), Err(InputError::Empty)));
        assert!(matches!(decode(b"  \n"), Err(InputError::Empty)));
        assert!(matches!(
            decode(b"\x7fELF\x02\x01\x00\x00"),
            Err(InputError::Binary(_))
        ));
    }
}
