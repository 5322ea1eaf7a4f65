//! Property tests: the normaliser and the HTML extractor never panic, and
//! every span they report is valid and maps back into the original.

use proptest::prelude::*;
use rhetor::normalize::{emit, plain_blocks, PlainOptions};

fn messy_text() -> impl Strategy<Value = String> {
    let pieces = prop::collection::vec(
        prop_oneof![
            "[a-zA-Zéèàôç]{1,12}",
            Just(" ".to_string()),
            Just("  ".to_string()),
            Just("\n".to_string()),
            Just("\r\n".to_string()),
            Just("\n\n\n".to_string()),
            Just("-\n".to_string()),
            Just("\u{a0}".to_string()),
            Just("e\u{301}".to_string()),
            Just("https://ex.org/a-".to_string()),
            Just("12".to_string()),
            Just(". ".to_string()),
            Just("\t".to_string()),
            Just("\u{feff}".to_string()),
            Just("# ".to_string()),
            Just("- ".to_string()),
        ],
        0..80,
    );
    pieces.prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn normaliser_spans_are_valid(text in messy_text(), markdown in any::<bool>()) {
        let blocks = plain_blocks(&text, PlainOptions { markdown });
        let (aligned, norm) = emit(&text, &blocks);
        let (out, alignment) = aligned.into_parts();
        prop_assert!(!out.contains("  "));
        let mut prev_end = 0;
        for b in &norm {
            prop_assert!(b.span.start >= prev_end && b.span.end <= out.len());
            prop_assert!(out.is_char_boundary(b.span.start) && out.is_char_boundary(b.span.end));
            let piece = &out[b.span.start..b.span.end];
            prop_assert!(!piece.is_empty() && piece.trim() == piece);
            let orig = alignment.to_original(b.span);
            prop_assert!(orig.start <= orig.end && orig.end <= text.len());
            prop_assert!(text.is_char_boundary(orig.start) && text.is_char_boundary(orig.end));
            prev_end = b.span.end;
        }
        for pos in 0..=text.len() {
            if text.is_char_boundary(pos) {
                let n = alignment.from_original(pos);
                prop_assert!(n <= out.len());
            }
        }
    }

    #[test]
    fn html_extractor_never_panics(parts in prop::collection::vec(prop_oneof![
        Just("<div>"), Just("</div>"), Just("<p>"), Just("</p>"), Just("<article>"),
        Just("<script>x<y</script>"), Just("<a href=\"u\">"), Just("</a>"), Just("<h2>"),
        Just("</h2>"), Just("<!--"), Just("-->"), Just("texte assez long pour compter. "),
        Just("&amp;"), Just("<"), Just(">"), Just("<br/>"), Just("<li>"), Just("<table><td>"),
    ], 0..120)) {
        let html = parts.concat();
        let _ = rhetor::ingest::html::extract(&html, None);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// The number recogniser never panics and its spans are valid.
    #[test]
    fn numbers_never_panic(text in "[0-9 ,.'’\u{a0}\u{202f}a-zé%€$£/+()-]{0,60}|(un|deux|trente|mille|cent|et|vingt|quatre|million|plus de|moins de|[0-9]{1,4}| |-|,){0,12}", lang in prop_oneof![Just("fr"), Just("en"), Just("de")]) {
        for m in rhetor::numbers::find_numbers(&text, lang, Default::default()) {
            prop_assert!(m.span.start <= m.span.end && m.span.end <= text.len());
            prop_assert!(text.is_char_boundary(m.span.start) && text.is_char_boundary(m.span.end));
            prop_assert!(m.value.is_finite());
        }
    }

    /// Integers written with any grouping style parse back to themselves.
    #[test]
    fn grouped_digits_round_trip(n in 1000u64..1_000_000_000, sep in prop_oneof![Just(" "), Just("\u{a0}"), Just("\u{202f}"), Just(".")]) {
        let digits = n.to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push_str(sep);
            }
            grouped.push(c);
        }
        let text = format!("Il y a {grouped} soldats.");
        let found = rhetor::numbers::find_numbers(&text, "fr", Default::default());
        prop_assert_eq!(found.len(), 1, "{} → {:?}", text, found);
        prop_assert_eq!(found[0].value, n as f64);
    }
}
