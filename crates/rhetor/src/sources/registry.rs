//! Who stands behind an outlet: the State Media Matrix (state-affiliated
//! media assets, their owner, country and typology) and CRED-1 (domains
//! with a credibility category and score), compiled by `rhetor train
//! --outlets` into one versioned text file, `models/outlets.tsv`, embedded
//! in rhetor.
//!
//! The file is TSV: a magic line `rhetor-outlets<TAB>1`, two `list` lines
//! (id, name, snapshot date, licence), a `checksum` line (FNV-1a 64 of
//! everything after it), then rows: `S host asset owner country typology
//! uncertain` for the matrix (host may be empty for assets listed without a
//! URL) and `C domain category score` for CRED-1.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::document::{CredCategory, Typology};
use crate::error::ModelError;

/// Magic first line of the outlets file.
pub const MAGIC: &str = "rhetor-outlets\t1";

/// The embedded registry (`models/outlets.tsv`).
pub static EMBEDDED: LazyLock<Registry> = LazyLock::new(|| {
    Registry::parse(
        include_str!("../../../../models/outlets.tsv"),
        "models/outlets.tsv",
    )
    .unwrap_or_else(|e| {
        // The file is checked by a test at build time of the release;
        // a broken embedded list must not stop an analysis.
        eprintln!("rhetor: {e}; outlet lists unavailable");
        Registry::default()
    })
});

/// One of the two lists, as cited in the output.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListInfo {
    pub id: String,
    /// "State Media Monitor via ASD", "CRED-1".
    pub name: String,
    /// Snapshot date, "2024-02".
    pub date: String,
    pub licence: String,
}

/// A state-affiliated media asset.
#[derive(Debug, Clone, PartialEq)]
pub struct StateMedia {
    /// Fully qualified host, `www.` removed ("fr.sputniknews.com"); empty
    /// when the list gives no URL.
    pub host: String,
    pub asset: String,
    pub owner: String,
    pub country: String,
    pub typology: Typology,
    /// The list marks the typology as uncertain ("ISFM?").
    pub uncertain: bool,
}

/// A CRED-1 entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Credibility {
    pub domain: String,
    pub category: CredCategory,
    pub score: f32,
}

/// The compiled lists with their lookup tables.
#[derive(Debug, Default)]
pub struct Registry {
    pub state_list: ListInfo,
    pub credibility_list: ListInfo,
    pub state_media: Vec<StateMedia>,
    pub credibility: Vec<Credibility>,
    by_host: HashMap<String, usize>,
    by_domain: HashMap<String, usize>,
    cred_by_domain: HashMap<String, usize>,
}

/// How a link was matched to a listed asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostMatch {
    /// The link's host is the listed host.
    Host,
    /// Same registrable domain as a listed host (`de.rt.com` → `rt.com`).
    Domain,
}

impl Registry {
    /// Parses and verifies an outlets file; `name` is used in errors.
    pub fn parse(text: &str, name: &str) -> Result<Registry, ModelError> {
        let invalid = |reason: String| ModelError::Invalid {
            path: name.to_string(),
            reason,
        };
        let mut lines = text.split('\n');
        if lines.next().map(|l| l.trim_end_matches('\r')) != Some(MAGIC) {
            return Err(invalid(format!("not an outlets file (expected {MAGIC:?})")));
        }
        let mut reg = Registry::default();
        let mut body_start = None;
        let mut offset = MAGIC.len() + 1;
        for line in lines.by_ref() {
            let next = offset + line.len() + 1;
            let fields: Vec<&str> = line.split('\t').collect();
            match fields.as_slice() {
                ["list", id, list_name, date, licence] => {
                    let info = ListInfo {
                        id: id.to_string(),
                        name: list_name.to_string(),
                        date: date.to_string(),
                        licence: licence.to_string(),
                    };
                    if *id == "smm" {
                        reg.state_list = info;
                    } else {
                        reg.credibility_list = info;
                    }
                }
                ["checksum", sum] => {
                    let body = text.get(next.min(text.len())..).unwrap_or("");
                    let found = format!("{:016x}", crate::classify::linear::fnv(body.as_bytes()));
                    if found != *sum {
                        return Err(invalid(format!(
                            "checksum mismatch (damaged file?): {found} instead of {sum}"
                        )));
                    }
                    body_start = Some(next);
                    break;
                }
                _ => return Err(invalid(format!("unexpected header line {line:?}"))),
            }
            offset = next;
        }
        if body_start.is_none() {
            return Err(invalid("no checksum line".into()));
        }
        for (i, line) in lines.enumerate() {
            if line.is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            match fields.as_slice() {
                ["S", host, asset, owner, country, code, uncertain] => {
                    let typology = Typology::from_code(code)
                        .ok_or_else(|| invalid(format!("row {}: typology {code:?}", i + 1)))?;
                    reg.state_media.push(StateMedia {
                        host: host.to_string(),
                        asset: asset.to_string(),
                        owner: owner.to_string(),
                        country: country.to_string(),
                        typology,
                        uncertain: *uncertain == "1",
                    });
                }
                ["C", domain, category, score] => {
                    let category = CredCategory::parse(category)
                        .ok_or_else(|| invalid(format!("row {}: category {category:?}", i + 1)))?;
                    reg.credibility.push(Credibility {
                        domain: domain.to_string(),
                        category,
                        score: score.parse().unwrap_or(0.0),
                    });
                }
                _ => return Err(invalid(format!("row {}: {line:?}", i + 1))),
            }
        }
        reg.index();
        Ok(reg)
    }

    fn index(&mut self) {
        for (i, m) in self.state_media.iter().enumerate() {
            if m.host.is_empty() {
                continue;
            }
            self.by_host.entry(m.host.clone()).or_insert(i);
            if let Some(d) = super::host::registrable_domain(&m.host) {
                // The asset whose host is the domain itself represents it;
                // else the first listed.
                let own = m.host == d;
                match self.by_domain.get(&d) {
                    Some(&j) if !own || self.state_media[j].host == d => {}
                    _ => {
                        self.by_domain.insert(d, i);
                    }
                }
            }
        }
        for (i, c) in self.credibility.iter().enumerate() {
            self.cred_by_domain.entry(c.domain.clone()).or_insert(i);
        }
    }

    /// The listed asset behind a host: exact host first, then the
    /// registrable domain.
    pub fn state_media_for_host(&self, host: &str) -> Option<(&StateMedia, HostMatch)> {
        if let Some(&i) = self.by_host.get(host) {
            return Some((&self.state_media[i], HostMatch::Host));
        }
        let domain = super::host::registrable_domain(host)?;
        self.by_domain
            .get(&domain)
            .map(|&i| (&self.state_media[i], HostMatch::Domain))
    }

    /// The asset listed at exactly this host.
    pub fn state_media_at(&self, host: &str) -> Option<&StateMedia> {
        self.by_host.get(host).map(|&i| &self.state_media[i])
    }

    /// The asset listed under this name (first row), for outlets that the
    /// list gives without a URL.
    pub fn state_media_named(&self, asset: &str) -> Option<&StateMedia> {
        self.state_media.iter().find(|m| m.asset == asset)
    }

    /// CRED-1's entry for a host: exact host, then its registrable domain.
    pub fn credibility_for_host(&self, host: &str) -> Option<&Credibility> {
        if let Some(&i) = self.cred_by_domain.get(host) {
            return Some(&self.credibility[i]);
        }
        let domain = super::host::registrable_domain(host)?;
        self.cred_by_domain
            .get(&domain)
            .map(|&i| &self.credibility[i])
    }
}

/// Writes an outlets file (used by `rhetor train --outlets`).
pub fn serialise(
    state_list: &ListInfo,
    credibility_list: &ListInfo,
    state_media: &[StateMedia],
    credibility: &[Credibility],
) -> String {
    let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ").trim().to_string();
    let mut body = String::new();
    for m in state_media {
        body.push_str(&format!(
            "S\t{}\t{}\t{}\t{}\t{}\t{}\n",
            clean(&m.host),
            clean(&m.asset),
            clean(&m.owner),
            clean(&m.country),
            m.typology.code(),
            u8::from(m.uncertain)
        ));
    }
    for c in credibility {
        body.push_str(&format!(
            "C\t{}\t{}\t{}\n",
            clean(&c.domain),
            c.category.as_str(),
            c.score
        ));
    }
    let list = |l: &ListInfo| {
        format!(
            "list\t{}\t{}\t{}\t{}\n",
            clean(&l.id),
            clean(&l.name),
            clean(&l.date),
            clean(&l.licence)
        )
    };
    format!(
        "{MAGIC}\n{}{}checksum\t{:016x}\n{body}",
        list(state_list),
        list(credibility_list),
        crate::classify::linear::fnv(body.as_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_lists_load() {
        let r = Registry::parse(
            include_str!("../../../../models/outlets.tsv"),
            "models/outlets.tsv",
        )
        .expect("valid");
        assert!(r.state_media.len() > 1000, "{}", r.state_media.len());
        assert!(r.credibility.len() > 2000);
        let (m, how) = r
            .state_media_for_host("fr.sputniknews.com")
            .expect("listed");
        assert_eq!(
            (m.typology, how),
            (Typology::StateControlled, HostMatch::Host)
        );
        let (m, how) = r.state_media_for_host("news.rt.com").expect("RT");
        assert_eq!(how, HostMatch::Domain);
        assert!(m.owner.contains("RT"), "{m:?}");
        assert_eq!(
            r.state_media_for_host("bbc.co.uk").map(|m| m.0.typology),
            Some(Typology::IndependentPublic)
        );
        assert!(r.state_media_for_host("bbc.co.uk.evil.example").is_none());
    }

    #[test]
    fn a_damaged_file_is_refused() {
        let text = include_str!("../../../../models/outlets.tsv").replacen("\tSC\t", "\tIP\t", 1);
        assert!(Registry::parse(&text, "x").is_err());
        assert!(Registry::parse("hello", "x").is_err());
    }
}
