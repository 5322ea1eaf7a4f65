//! Parquet tables for pandas, DuckDB, R and Spark (`rhetor export --format
//! parquet -o DIR`): `documents`, `paragraphs`, `techniques` (one row per
//! technique of a paragraph), `evidence`, `claims`, `sources` (cited
//! sources). Offsets are code points into `documents.text`. Written with
//! the pure-Rust `parquet` crate's column writers, Snappy-compressed.

use std::path::Path;
use std::sync::Arc;

use parquet::basic::Compression;
use parquet::column::writer::ColumnWriter;
use parquet::data_type::ByteArray;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

use crate::output::{serde_name, Analysis};

/// One column's values.
enum Values {
    Text(Vec<Option<String>>),
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
}

struct Column {
    name: &'static str,
    required: bool,
    values: Values,
}

fn text(name: &'static str, required: bool, v: Vec<Option<String>>) -> Column {
    Column {
        name,
        required,
        values: Values::Text(v),
    }
}
fn int(name: &'static str, required: bool, v: Vec<Option<i64>>) -> Column {
    Column {
        name,
        required,
        values: Values::Int(v),
    }
}
fn float(name: &'static str, required: bool, v: Vec<Option<f64>>) -> Column {
    Column {
        name,
        required,
        values: Values::Float(v),
    }
}

fn write_table(path: &Path, table: &str, columns: Vec<Column>) -> Result<usize, String> {
    let fields: Vec<String> = columns
        .iter()
        .map(|c| {
            let rep = if c.required { "REQUIRED" } else { "OPTIONAL" };
            match c.values {
                Values::Text(_) => format!("{rep} BYTE_ARRAY {} (UTF8);", c.name),
                Values::Int(_) => format!("{rep} INT64 {};", c.name),
                Values::Float(_) => format!("{rep} DOUBLE {};", c.name),
            }
        })
        .collect();
    let schema = parse_message_type(&format!("message {table} {{ {} }}", fields.join(" ")))
        .map_err(|e| e.to_string())?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut writer = SerializedFileWriter::new(file, Arc::new(schema), Arc::new(props))
        .map_err(|e| e.to_string())?;
    let rows = columns.first().map_or(0, |c| match &c.values {
        Values::Text(v) => v.len(),
        Values::Int(v) => v.len(),
        Values::Float(v) => v.len(),
    });
    let mut group = writer.next_row_group().map_err(|e| e.to_string())?;
    let mut columns = columns.into_iter();
    while let Some(mut col) = group.next_column().map_err(|e| e.to_string())? {
        let Some(c) = columns.next() else { break };
        fn levels<T>(v: &[Option<T>]) -> Vec<i16> {
            v.iter().map(|x| i16::from(x.is_some())).collect()
        }
        let result = match (col.untyped(), c.values) {
            (ColumnWriter::ByteArrayColumnWriter(w), Values::Text(v)) => {
                let def = levels(&v);
                let data: Vec<ByteArray> = v
                    .into_iter()
                    .flatten()
                    .map(|s| ByteArray::from(s.into_bytes()))
                    .collect();
                w.write_batch(&data, (!c.required).then_some(&def[..]), None)
                    .map(|_| ())
            }
            (ColumnWriter::Int64ColumnWriter(w), Values::Int(v)) => {
                let def = levels(&v);
                let data: Vec<i64> = v.into_iter().flatten().collect();
                w.write_batch(&data, (!c.required).then_some(&def[..]), None)
                    .map(|_| ())
            }
            (ColumnWriter::DoubleColumnWriter(w), Values::Float(v)) => {
                let def = levels(&v);
                let data: Vec<f64> = v.into_iter().flatten().collect();
                w.write_batch(&data, (!c.required).then_some(&def[..]), None)
                    .map(|_| ())
            }
            _ => return Err(format!("{table}.{}: column type mismatch", c.name)),
        };
        result.map_err(|e| e.to_string())?;
        col.close().map_err(|e| e.to_string())?;
    }
    group.close().map_err(|e| e.to_string())?;
    writer.close().map_err(|e| e.to_string())?;
    Ok(rows)
}

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

/// Writes the tables into `dir`; returns (table, rows) written.
pub fn write_tables(
    dir: &Path,
    analyses: &[Analysis],
) -> Result<Vec<(&'static str, usize)>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut written = Vec::new();

    let d = analyses;
    written.push((
        "documents",
        write_table(
            &dir.join("documents.parquet"),
            "documents",
            vec![
                text("id", true, d.iter().map(|a| s(&a.id)).collect()),
                text(
                    "source_path",
                    true,
                    d.iter().map(|a| s(&a.source.path)).collect(),
                ),
                text(
                    "url",
                    false,
                    d.iter().map(|a| a.source.url.clone()).collect(),
                ),
                text(
                    "source",
                    true,
                    d.iter()
                        .map(|a| s(&crate::compare::source_label(a)))
                        .collect(),
                ),
                text(
                    "title",
                    false,
                    d.iter()
                        .map(|a| a.title.as_ref().map(|t| t.text.clone()))
                        .collect(),
                ),
                text(
                    "published",
                    false,
                    d.iter().map(|a| a.published.clone()).collect(),
                ),
                text(
                    "language",
                    false,
                    d.iter()
                        .map(|a| a.language.as_ref().map(|l| l.code.clone()))
                        .collect(),
                ),
                text("tier", false, d.iter().map(|a| a.tier.clone()).collect()),
                text(
                    "genre",
                    false,
                    d.iter()
                        .map(|a| a.genre.as_ref().map(|g| g.label.clone()))
                        .collect(),
                ),
                float(
                    "genre_probability",
                    false,
                    d.iter()
                        .map(|a| a.genre.as_ref().map(|g| f64::from(g.probability)))
                        .collect(),
                ),
                text(
                    "frames",
                    true,
                    d.iter()
                        .map(|a| {
                            s(&a.frames
                                .iter()
                                .map(|f| f.label.as_str())
                                .collect::<Vec<_>>()
                                .join(","))
                        })
                        .collect(),
                ),
                int(
                    "word_count",
                    true,
                    d.iter().map(|a| Some(a.word_count as i64)).collect(),
                ),
                text("text", true, d.iter().map(|a| s(&a.text)).collect()),
            ],
        )?,
    ));

    let paras: Vec<(&Analysis, &crate::output::ParagraphOut)> = d
        .iter()
        .flat_map(|a| a.paragraphs.iter().map(move |p| (a, p)))
        .collect();
    written.push((
        "paragraphs",
        write_table(
            &dir.join("paragraphs.parquet"),
            "paragraphs",
            vec![
                text(
                    "doc_id",
                    true,
                    paras.iter().map(|(a, _)| s(&a.id)).collect(),
                ),
                int(
                    "idx",
                    true,
                    paras.iter().map(|(_, p)| Some(p.index as i64)).collect(),
                ),
                text(
                    "kind",
                    true,
                    paras.iter().map(|(_, p)| serde_name(&p.kind)).collect(),
                ),
                int(
                    "start",
                    true,
                    paras.iter().map(|(_, p)| Some(p.start as i64)).collect(),
                ),
                int(
                    "end",
                    true,
                    paras.iter().map(|(_, p)| Some(p.end as i64)).collect(),
                ),
                text(
                    "language",
                    false,
                    paras
                        .iter()
                        .map(|(_, p)| p.language.as_ref().map(|l| l.code.clone()))
                        .collect(),
                ),
                text(
                    "text",
                    true,
                    paras.iter().map(|(_, p)| s(&p.text)).collect(),
                ),
            ],
        )?,
    ));

    let techs: Vec<(&Analysis, usize, &crate::output::TechniqueOut)> = paras
        .iter()
        .flat_map(|(a, p)| p.techniques.iter().map(move |t| (*a, p.index, t)))
        .collect();
    written.push((
        "techniques",
        write_table(
            &dir.join("techniques.parquet"),
            "techniques",
            vec![
                text(
                    "doc_id",
                    true,
                    techs.iter().map(|(a, _, _)| s(&a.id)).collect(),
                ),
                int(
                    "paragraph",
                    true,
                    techs.iter().map(|(_, i, _)| Some(*i as i64)).collect(),
                ),
                text(
                    "technique",
                    true,
                    techs.iter().map(|(_, _, t)| s(&t.technique)).collect(),
                ),
                float(
                    "probability",
                    true,
                    techs
                        .iter()
                        .map(|(_, _, t)| Some(f64::from(t.probability)))
                        .collect(),
                ),
            ],
        )?,
    ));

    let ev: Vec<(&Analysis, usize, &str, &crate::output::TextSpan)> = techs
        .iter()
        .flat_map(|(a, i, t)| {
            t.evidence
                .iter()
                .map(move |e| (*a, *i, t.technique.as_str(), e))
        })
        .collect();
    written.push((
        "evidence",
        write_table(
            &dir.join("evidence.parquet"),
            "evidence",
            vec![
                text("doc_id", true, ev.iter().map(|(a, ..)| s(&a.id)).collect()),
                int(
                    "paragraph",
                    true,
                    ev.iter().map(|(_, i, ..)| Some(*i as i64)).collect(),
                ),
                text(
                    "technique",
                    true,
                    ev.iter().map(|(_, _, t, _)| s(t)).collect(),
                ),
                int(
                    "start",
                    true,
                    ev.iter().map(|(.., e)| Some(e.start as i64)).collect(),
                ),
                int(
                    "end",
                    true,
                    ev.iter().map(|(.., e)| Some(e.end as i64)).collect(),
                ),
                text("text", true, ev.iter().map(|(.., e)| s(&e.text)).collect()),
            ],
        )?,
    ));

    let claims: Vec<(&Analysis, &crate::output::ClaimOut)> = d
        .iter()
        .flat_map(|a| a.claims.iter().map(move |c| (a, c)))
        .collect();
    written.push((
        "claims",
        write_table(
            &dir.join("claims.parquet"),
            "claims",
            vec![
                text(
                    "doc_id",
                    true,
                    claims.iter().map(|(a, _)| s(&a.id)).collect(),
                ),
                int(
                    "paragraph",
                    true,
                    claims
                        .iter()
                        .map(|(_, c)| Some(c.paragraph as i64))
                        .collect(),
                ),
                int(
                    "start",
                    true,
                    claims.iter().map(|(_, c)| Some(c.start as i64)).collect(),
                ),
                int(
                    "end",
                    true,
                    claims.iter().map(|(_, c)| Some(c.end as i64)).collect(),
                ),
                text(
                    "text",
                    true,
                    claims.iter().map(|(_, c)| s(&c.text)).collect(),
                ),
                float(
                    "value",
                    true,
                    claims.iter().map(|(_, c)| Some(c.value)).collect(),
                ),
                float(
                    "value_max",
                    false,
                    claims.iter().map(|(_, c)| c.value_max).collect(),
                ),
                text(
                    "kind",
                    true,
                    claims.iter().map(|(_, c)| serde_name(&c.kind)).collect(),
                ),
                text(
                    "approximation",
                    true,
                    claims
                        .iter()
                        .map(|(_, c)| serde_name(&c.approximation))
                        .collect(),
                ),
                text(
                    "subject",
                    false,
                    claims
                        .iter()
                        .map(|(_, c)| c.subject.as_ref().map(|x| x.text.clone()))
                        .collect(),
                ),
                text(
                    "group",
                    false,
                    claims.iter().map(|(_, c)| c.group.clone()).collect(),
                ),
                text(
                    "per",
                    false,
                    claims.iter().map(|(_, c)| c.per.clone()).collect(),
                ),
                text(
                    "time",
                    false,
                    claims
                        .iter()
                        .map(|(_, c)| c.time.as_ref().and_then(|t| t.date.clone()))
                        .collect(),
                ),
                text(
                    "source",
                    false,
                    claims
                        .iter()
                        .map(|(_, c)| c.source.as_ref().map(|x| x.text.clone()))
                        .collect(),
                ),
                text(
                    "sentence",
                    true,
                    claims.iter().map(|(_, c)| s(&c.sentence.text)).collect(),
                ),
            ],
        )?,
    ));

    let src: Vec<(&Analysis, &crate::output::CitedSourceOut)> = d
        .iter()
        .flat_map(|a| a.sources.iter().map(move |x| (a, x)))
        .collect();
    written.push((
        "sources",
        write_table(
            &dir.join("sources.parquet"),
            "sources",
            vec![
                text("doc_id", true, src.iter().map(|(a, _)| s(&a.id)).collect()),
                text(
                    "source_id",
                    true,
                    src.iter().map(|(_, x)| s(&x.id)).collect(),
                ),
                text("name", true, src.iter().map(|(_, x)| s(&x.name)).collect()),
                text(
                    "kind",
                    true,
                    src.iter().map(|(_, x)| s(x.kind.as_str())).collect(),
                ),
                int(
                    "mentions",
                    true,
                    src.iter()
                        .map(|(_, x)| Some(x.mentions.len() as i64))
                        .collect(),
                ),
                text(
                    "domain",
                    false,
                    src.iter().map(|(_, x)| x.domain.clone()).collect(),
                ),
                text(
                    "typology",
                    false,
                    src.iter()
                        .map(|(_, x)| x.state.as_ref().map(|st| st.typology.as_str().to_string()))
                        .collect(),
                ),
                text(
                    "owner",
                    false,
                    src.iter()
                        .map(|(_, x)| x.state.as_ref().map(|st| st.owner.clone()))
                        .collect(),
                ),
                text(
                    "country",
                    false,
                    src.iter()
                        .map(|(_, x)| x.state.as_ref().map(|st| st.country.clone()))
                        .collect(),
                ),
                text(
                    "credibility",
                    false,
                    src.iter()
                        .map(|(_, x)| {
                            x.credibility
                                .as_ref()
                                .map(|c| c.category.as_str().to_string())
                        })
                        .collect(),
                ),
            ],
        )?,
    ));
    Ok(written)
}
