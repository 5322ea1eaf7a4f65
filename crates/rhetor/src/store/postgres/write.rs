//! The PostgreSQL backend's writes: documents by `INSERT … ON CONFLICT DO
//! NOTHING` (a stored content hash is skipped), child rows by `COPY`.

use ::postgres::Transaction;

use super::text_config;
use crate::output::{serde_name, Analysis};
use crate::store::StoreError;

/// One value of a `COPY … FROM STDIN` text-format row.
fn copy_field(out: &mut String, value: Option<&str>) {
    match value {
        None => out.push_str("\\N"),
        Some(v) => {
            for c in v.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\0' => {}
                    c => out.push(c),
                }
            }
        }
    }
}

/// Rows for one `COPY`: fields tab-separated, rows newline-terminated.
#[derive(Default)]
struct CopyRows(String);

impl CopyRows {
    fn row(&mut self, fields: &[Option<&str>]) {
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                self.0.push('\t');
            }
            copy_field(&mut self.0, *f);
        }
        self.0.push('\n');
    }
}

/// Writes a batch inside `tx` (the caller commits): documents with `INSERT
/// … ON CONFLICT DO NOTHING` (a stored content hash is skipped, so a batch
/// written twice is stored once), then the new documents' child rows with
/// one `COPY` per table. Returns how many documents were new.
pub fn insert_in(
    tx: &mut Transaction<'_>,
    analyses: &[(&Analysis, &str)],
    location: &str,
) -> Result<usize, StoreError> {
    let pg = |source| StoreError::Postgres {
        location: location.to_string(),
        source,
    };
    let insert = tx
        .prepare(
            "INSERT INTO documents (id, source_path, record, url, source_name, source_label, title, author, published, language, format, encoding, word_count, genre, genre_probability, analysis_json, search)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, to_tsvector($17::text::regconfig, $18))
             ON CONFLICT (id) DO NOTHING",
        )
        .map_err(pg)?;
    let mut new = Vec::new();
    for &(a, json) in analyses {
        let title = a.title.as_ref().map(|t| t.text.clone());
        let search_text = format!("{} {}", title.as_deref().unwrap_or(""), a.text);
        let n = tx
            .execute(
                &insert,
                &[
                    &a.id,
                    &a.source.path,
                    &a.source.record.map(|r| r as i64),
                    &a.source.url,
                    &a.source.name,
                    &crate::compare::source_label(a),
                    &title,
                    &a.author
                        .as_ref()
                        .map(|t| t.text.clone())
                        .or(a.declared_author.clone()),
                    &a.published,
                    &a.language.as_ref().map(|l| l.code.clone()),
                    &serde_name(&a.format),
                    &a.encoding,
                    &(a.word_count as i64),
                    &a.genre.as_ref().map(|g| g.label.clone()),
                    &a.genre.as_ref().map(|g| f64::from(g.probability)),
                    &json,
                    &text_config(a.language.as_ref().map(|l| l.code.as_str())),
                    &search_text,
                ],
            )
            .map_err(pg)?;
        if n > 0 {
            new.push(a);
        }
    }
    if new.is_empty() {
        return Ok(0);
    }
    let (
        mut paragraphs,
        mut techniques,
        mut evidence,
        mut frames,
        mut claims,
        mut links,
        mut cited,
    ) = Default::default();
    let (mut entity_rows, mut portrayal_rows) = (CopyRows::default(), CopyRows::default());
    for a in &new {
        child_rows(
            a,
            &mut paragraphs,
            &mut techniques,
            &mut evidence,
            &mut frames,
            &mut claims,
            &mut links,
            &mut cited,
        );
        entity_rows_of(a, &mut entity_rows, &mut portrayal_rows);
    }
    for (table, rows) in [
        ("paragraphs (doc_id, idx, kind, \"start\", \"end\", line, language, text)", paragraphs),
        ("techniques (doc_id, paragraph, technique, probability)", techniques),
        ("evidence (doc_id, paragraph, technique, \"start\", \"end\", text)", evidence),
        ("frames (doc_id, frame, probability)", frames),
        ("claims (doc_id, idx, paragraph, \"start\", \"end\", text, sentence, value, value_max, kind, approximation, unit, subject, subject_key, named_group, per, time_text, time_date, hedge, source, source_kind, source_outlet)", claims),
        ("links (doc_id, \"start\", \"end\", text, url)", links),
        ("cited_sources (doc_id, idx, source_id, name, kind, uses, mentions, claims, domain, state_asset, state_owner, state_country, typology, credibility_category, credibility_score)", cited),
        ("entity_mentions (doc_id, entity_id, name, kind, wikidata, linked, mentions)", entity_rows),
        ("entity_portrayal (doc_id, entity_id, kind, text, technique, \"start\", \"end\")", portrayal_rows),
    ] {
        let rows: CopyRows = rows;
        if rows.0.is_empty() {
            continue;
        }
        use std::io::Write;
        let mut writer = tx.copy_in(&format!("COPY {table} FROM STDIN")).map_err(pg)?;
        writer.write_all(rows.0.as_bytes()).map_err(|e| StoreError::Unusable {
            location: location.to_string(),
            reason: format!("COPY: {e}"),
        })?;
        writer.finish().map_err(pg)?;
    }
    Ok(new.len())
}

/// The entity rows of one analysis (the same as SQLite's).
fn entity_rows_of(a: &Analysis, entities: &mut CopyRows, portrayal: &mut CopyRows) {
    let (e_rows, p_rows) = crate::store::entities::rows_of(a);
    let id = Some(a.id.as_str());
    for (entity, name, kind, wikidata, linked, mentions) in &e_rows {
        let (linked, mentions) = (linked.to_string(), mentions.to_string());
        entities.row(&[
            id,
            Some(entity),
            Some(name),
            Some(kind),
            wikidata.as_deref(),
            Some(&linked),
            Some(&mentions),
        ]);
    }
    for (entity, kind, text, technique, start, end) in &p_rows {
        let (start, end) = (start.to_string(), end.to_string());
        portrayal.row(&[
            id,
            Some(entity),
            Some(kind),
            Some(text),
            technique.as_deref(),
            Some(&start),
            Some(&end),
        ]);
    }
}

#[allow(clippy::too_many_arguments)]
fn child_rows(
    a: &Analysis,
    paragraphs: &mut CopyRows,
    techniques: &mut CopyRows,
    evidence: &mut CopyRows,
    frames: &mut CopyRows,
    claims: &mut CopyRows,
    links: &mut CopyRows,
    cited: &mut CopyRows,
) {
    let id = Some(a.id.as_str());
    for p in &a.paragraphs {
        let (idx, start, end, line) = (
            p.index.to_string(),
            p.start.to_string(),
            p.end.to_string(),
            p.line.map(|l| l.to_string()),
        );
        let kind = Some(crate::store::paragraph_kind(p.kind));
        paragraphs.row(&[
            id,
            Some(&idx),
            kind.as_deref(),
            Some(&start),
            Some(&end),
            line.as_deref(),
            p.language.as_ref().map(|l| l.code.as_str()),
            Some(&p.text),
        ]);
        for t in &p.techniques {
            let prob = t.probability.to_string();
            techniques.row(&[id, Some(&idx), Some(&t.technique), Some(&prob)]);
            for e in &t.evidence {
                let (s, en) = (e.start.to_string(), e.end.to_string());
                evidence.row(&[
                    id,
                    Some(&idx),
                    Some(&t.technique),
                    Some(&s),
                    Some(&en),
                    Some(&e.text),
                ]);
            }
        }
    }
    for f in &a.frames {
        let prob = f.probability.to_string();
        frames.row(&[id, Some(&f.label), Some(&prob)]);
    }
    for (i, c) in a.claims.iter().enumerate() {
        let nums = [
            i.to_string(),
            c.paragraph.to_string(),
            c.start.to_string(),
            c.end.to_string(),
            c.value.to_string(),
        ];
        let value_max = c.value_max.map(|v| v.to_string());
        let (kind, approx) = (serde_name(&c.kind), serde_name(&c.approximation));
        let source_kind = c.source.as_ref().and_then(|s| serde_name(&s.kind));
        claims.row(&[
            id,
            Some(&nums[0]),
            Some(&nums[1]),
            Some(&nums[2]),
            Some(&nums[3]),
            Some(&c.text),
            Some(&c.sentence.text),
            Some(&nums[4]),
            value_max.as_deref(),
            kind.as_deref(),
            approx.as_deref(),
            c.unit.as_deref(),
            c.subject.as_ref().map(|s| s.text.as_str()),
            c.subject_key.as_deref(),
            c.group.as_deref(),
            c.per.as_deref(),
            c.time.as_ref().map(|t| t.text.as_str()),
            c.time.as_ref().and_then(|t| t.date.as_deref()),
            c.hedge.as_ref().map(|h| h.text.as_str()),
            c.source.as_ref().map(|s| s.text.as_str()),
            source_kind.as_deref(),
            c.source
                .as_ref()
                .and_then(|s| s.outlet.as_ref().map(|o| o.text.as_str())),
        ]);
    }
    for l in &a.links {
        let (s, e) = (l.start.to_string(), l.end.to_string());
        links.row(&[id, Some(&s), Some(&e), Some(&l.text), Some(&l.url)]);
    }
    for (i, s) in a.sources.iter().enumerate() {
        let uses: Vec<String> = s.uses.iter().filter_map(serde_name).collect();
        let nums = [
            i.to_string(),
            s.mentions.len().to_string(),
            s.claims.len().to_string(),
        ];
        let kind = serde_name(&s.kind);
        let typology = s.state.as_ref().and_then(|st| serde_name(&st.typology));
        let category = s.credibility.as_ref().and_then(|c| serde_name(&c.category));
        let score = s.credibility.as_ref().map(|c| c.score.to_string());
        cited.row(&[
            id,
            Some(&nums[0]),
            Some(&s.id),
            Some(&s.name),
            kind.as_deref(),
            Some(&uses.join(",")),
            Some(&nums[1]),
            Some(&nums[2]),
            s.domain.as_deref(),
            s.state.as_ref().map(|st| st.asset.as_str()),
            s.state.as_ref().map(|st| st.owner.as_str()),
            s.state.as_ref().map(|st| st.country.as_str()),
            typology.as_deref(),
            category.as_deref(),
            score.as_deref(),
        ]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_fields_are_escaped() {
        let mut rows = CopyRows::default();
        rows.row(&[Some("a\tb"), None, Some("x\ty\nz\\")]);
        assert_eq!(rows.0, "a\\tb\t\\N\tx\\ty\\nz\\\\\n");
    }
}
