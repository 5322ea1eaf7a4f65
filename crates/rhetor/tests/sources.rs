//! Cited sources on the seeds and on pages linking outlets of every
//! typology, including unlisted outlets and look-alike hosts.

mod common;

use common::*;
use rhetor::document::{CitedKind, CitedSource, SourceUse, Typology};
use rhetor::ingest::{Body, RawArticle};
use rhetor::{Document, Pipeline};

fn seed(name: &str) -> Document {
    analyse_file(&repo_root().join("examples").join(name))
}

fn source<'a>(doc: &'a Document, id: &str) -> &'a CitedSource {
    doc.sources.iter().find(|s| s.id == id).unwrap_or_else(|| {
        let ids: Vec<&str> = doc.sources.iter().map(|s| s.id.as_str()).collect();
        panic!("no source {id} in {ids:?}")
    })
}

#[test]
fn seed_004_sputnik_link_and_le_figaro_through_its_journalist() {
    let doc = seed("004_b6a211a1276a3b4a.txt");
    let sputnik = source(&doc, "outlet:sputnik");
    assert_eq!(sputnik.name, "Sputnik");
    assert!(sputnik.uses.contains(&SourceUse::Linked));
    assert_eq!(sputnik.domain.as_deref(), Some("sputniknews.africa"));
    let st = sputnik.state.as_ref().expect("in the State Media Matrix");
    assert_eq!(st.typology, Typology::StateControlled);
    assert_eq!(st.owner, "Rossiya Segodnya");
    assert_eq!(st.country, "Russia");
    assert_eq!(st.matched_by, "edition");
    let person = doc
        .sources
        .iter()
        .find(|s| s.kind == CitedKind::Person && s.name == "Isabelle Lasserre")
        .expect("Isabelle Lasserre");
    assert_eq!(person.affiliation.as_deref(), Some("Le Figaro"));
    assert_eq!(person.role.as_deref(), Some("journalist"));
    let figaro = source(&doc, "outlet:le-figaro");
    assert_eq!(figaro.kind, CitedKind::MediaOutlet);
    assert!(figaro.state.is_none(), "Le Figaro is in no list");
    for s in &doc.sources {
        for m in &s.mentions {
            assert!(doc.text.get(m.span.start..m.span.end).is_some());
        }
    }
}

#[test]
fn seed_000_agency_and_government_sources() {
    let doc = seed("000_d76dd2dda02f8564.txt");
    let reuters = source(&doc, "outlet:reuters");
    assert_eq!(reuters.kind, CitedKind::NewsAgency);
    assert!(reuters.uses.contains(&SourceUse::AttributedFigure));
    assert!(reuters.state.is_none());
    let claim = &doc.claims[reuters.claims[0]];
    assert_eq!(claim.value, 50.0);
    for (needle, figure) in [
        ("services de renseignement britanniques", true),
        ("ministère britannique de la Défense", false),
        ("services sud-coréens", true),
    ] {
        let s = doc
            .sources
            .iter()
            .find(|s| s.name.contains(needle))
            .unwrap_or_else(|| panic!("no source {needle}"));
        assert_eq!(s.kind, CitedKind::Government, "{needle}");
        assert_eq!(!s.claims.is_empty(), figure, "{needle}");
    }
    assert!(
        !doc.sources.iter().any(|s| s.name.contains("Europe")),
        "\"L'Europe révèle\" is no citation"
    );
}

fn html_doc(body: &str) -> Document {
    let page = format!(
        "<html><head><title>Revue de presse</title></head><body><article><h1>Revue de presse</h1>{body}</article></body></html>"
    );
    Pipeline::default()
        .run(RawArticle {
            source: rhetor::document::Source {
                path: "page.html".into(),
                url: Some("https://www.mon-journal.example/revue".into()),
                ..Default::default()
            },
            format: rhetor::document::Format::Html,
            encoding: "UTF-8".into(),
            body: Body::Html(page),
            declared: Default::default(),
        })
        .expect("page analyses")
}

#[test]
fn links_of_every_typology_and_look_alikes() {
    let links = [
        ("https://de.rt.com/international/1/", "RT allemand"),
        ("https://francais.rt.com/x", "RT en français"),
        ("https://www.bbc.co.uk/news/world", "la radio britannique"),
        ("https://www.voanews.com/a/1.html", "la radio américaine"),
        ("https://www.dw.com/fr/x", "la radio allemande"),
        ("https://iz.ru/123", "un quotidien russe"),
        ("https://www.kp.ru/daily/1", "un tabloïd russe"),
        (
            "https://www.lemonde.fr/international/article/1.html",
            "un quotidien français",
        ),
        ("https://100percentfedup.com/x", "un site partisan"),
        (
            "https://sputnik-tours.example/voyages",
            "une agence de voyages",
        ),
        ("https://bbc.co.uk.evil.example/news", "un faux site"),
        (
            "https://www.mon-journal.example/autre",
            "un autre article du site",
        ),
    ];
    let paragraphs: String = links
        .iter()
        .map(|(href, text)| {
            format!("<p>Le gouvernement a réagi mardi, comme le rapporte <a href=\"{href}\">{text}</a>, après une longue journée de discussions au Parlement.</p>")
        })
        .collect();
    let doc = html_doc(&paragraphs);
    let by_domain = |d: &str| doc.sources.iter().find(|s| s.domain.as_deref() == Some(d));
    let typology = |d: &str| {
        by_domain(d)
            .and_then(|s| s.state.as_ref())
            .map(|st| st.typology)
    };
    let rt = source(&doc, "outlet:rt");
    assert_eq!(rt.urls.len(), 2, "both RT editions merge: {:?}", rt.urls);
    assert_eq!(
        rt.state.as_ref().map(|s| s.typology),
        Some(Typology::StateControlled)
    );
    assert_eq!(typology("bbc.co.uk"), Some(Typology::IndependentPublic));
    assert_eq!(
        typology("voanews.com"),
        Some(Typology::IndependentStateFundedManaged)
    );
    assert_eq!(typology("dw.com"), Some(Typology::IndependentStateFunded));
    assert_eq!(typology("iz.ru"), Some(Typology::CapturedPublic));
    assert_eq!(typology("kp.ru"), Some(Typology::CapturedPrivate));
    let monde = by_domain("lemonde.fr").expect("Le Monde");
    assert!(monde.state.is_none() && monde.credibility.is_none());
    assert_eq!(monde.kind, CitedKind::MediaOutlet);
    let partisan = by_domain("100percentfedup.com").expect("CRED-1 domain");
    assert_eq!(
        partisan.credibility.as_ref().map(|c| c.category.as_str()),
        Some("mixed")
    );
    for fake in ["sputnik-tours.example", "evil.example"] {
        let s = by_domain(fake).unwrap_or_else(|| panic!("{fake} is cited"));
        assert!(s.state.is_none(), "{fake} must not match an outlet");
        assert_eq!(s.kind, CitedKind::Website, "{fake}");
    }
    assert!(
        by_domain("mon-journal.example").is_none(),
        "own site is no citation"
    );
}

#[test]
fn outlets_named_in_six_languages() {
    let cases = [
        (
            "fr",
            "Selon l'agence Tass, 300 soldats ont été tués mardi près de la ville.",
            "outlet:tass",
        ),
        (
            "en",
            "According to Reuters, 300 soldiers were killed on Tuesday near the town.",
            "outlet:reuters",
        ),
        (
            "de",
            "Laut Russia Today wurden am Dienstag 300 Soldaten in der Nähe der Stadt getötet.",
            "outlet:rt",
        ),
        (
            "it",
            "Secondo Xinhua, martedì 300 soldati sono stati uccisi vicino alla città.",
            "outlet:xinhua",
        ),
        (
            "pl",
            "Według Głos Ameryki we wtorek w pobliżu miasta zginęło 300 żołnierzy.",
            "outlet:voa",
        ),
        (
            "ru",
            "По данным ТАСС, во вторник недалеко от города погибли 300 солдат.",
            "outlet:tass",
        ),
    ];
    for (lang, text, id) in cases {
        let doc = Pipeline::default()
            .run(text_article("x.txt", format!("Titre\n\n{text}\n")))
            .expect("analysed");
        let s = doc.sources.iter().find(|s| s.id == id);
        assert!(
            s.is_some(),
            "{lang}: {id} not found in {:?}",
            doc.sources.iter().map(|s| &s.id).collect::<Vec<_>>()
        );
    }
    // Ambiguous names count only as citations.
    let doc = Pipeline::default()
        .run(text_article(
            "x.txt",
            "Titre\n\nLa Libération de Paris fut fêtée en août 1944 par des foules immenses.\n\nComme l'écrit Libération ce matin, la fête fut longue.\n".into(),
        ))
        .unwrap();
    let lib = source(&doc, "outlet:liberation");
    assert_eq!(lib.mentions.len(), 1);
}
