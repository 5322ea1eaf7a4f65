//! Entities on the seeds: who is named, linked the same way in both
//! articles, and the words each article attaches to them; and in other
//! languages, the tagger's names with their spans.

mod common;

use common::*;
use rhetor::document::{Entity, EntityKind, NameForm, PortrayalKind};
use rhetor::Document;

fn seed(name: &str) -> Document {
    analyse_file(&repo_root().join("examples").join(name))
}

fn entity<'a>(doc: &'a Document, id: &str) -> &'a Entity {
    doc.entities
        .iter()
        .find(|e| e.id == id)
        .unwrap_or_else(|| panic!("no entity {id}: {:?}", ids(doc)))
}

fn ids(doc: &Document) -> Vec<&str> {
    doc.entities.iter().map(|e| e.id.as_str()).collect()
}

fn portrayal(doc: &Document, e: &Entity, kind: PortrayalKind) -> Vec<String> {
    e.portrayal
        .iter()
        .filter(|p| p.kind == kind)
        .map(|p| doc.slice(p.span).to_string())
        .collect()
}

fn any_contains(items: &[String], needle: &str) -> bool {
    items.iter().any(|i| i.contains(needle))
}

#[test]
fn seed_004_names_and_portrays_the_actors() {
    let doc = seed("004_b6a211a1276a3b4a.txt");
    let kim = entity(&doc, "kim-jong-un");
    assert_eq!(kim.kind, EntityKind::Person);
    assert_eq!(kim.wikidata.as_deref(), Some("Q56226"));
    assert!(any_contains(
        &portrayal(&doc, kim, PortrayalKind::Predicate),
        "un dictateur en son pays"
    ));
    let putin = entity(&doc, "putin");
    assert!(portrayal(&doc, putin, PortrayalKind::Epithet).contains(&"camarade".to_string()));
    let usa = entity(&doc, "usa");
    assert!(usa
        .mentions
        .iter()
        .any(|m| m.form == NameForm::Metonym && doc.slice(m.span) == "Washington"));
    assert!(any_contains(
        &portrayal(&doc, usa, PortrayalKind::Predicate),
        "qui sème la mort sur toute la planète"
    ));
    // Not portrayal: "l'Ukraine, dont 25 militairement" (a relative that is
    // not the subject), "l'Otan, toujours possible avec …" (an adverb: the
    // phrase is about the confrontation), "cette guerre a renforcé l'Otan"
    // (French "a" is a verb, not the English article).
    let ukraine = entity(&doc, "ukraine");
    assert!(!any_contains(
        &portrayal(&doc, ukraine, PortrayalKind::Apposition),
        "dont"
    ));
    let nato = entity(&doc, "nato");
    assert!(!any_contains(
        &portrayal(&doc, nato, PortrayalKind::Apposition),
        "toujours possible"
    ));
    assert!(!any_contains(
        &portrayal(&doc, nato, PortrayalKind::Epithet),
        "renforcé"
    ));
    // "les Kinzhal" are missiles: a name after a plural article is no person.
    assert!(doc
        .entities
        .iter()
        .all(|e| !(e.kind == EntityKind::Person && e.name.contains("Kinzhal"))));
    let shoigu = entity(&doc, "shoigu");
    assert!(any_contains(
        &portrayal(&doc, shoigu, PortrayalKind::Apposition),
        "le ministre russe de la Défense"
    ));
    for id in ["nato", "russia", "north-korea", "ukraine", "russia/forces"] {
        entity(&doc, id);
    }
}

#[test]
fn seed_000_names_and_portrays_the_actors() {
    let doc = seed("000_d76dd2dda02f8564.txt");
    let nato = entity(&doc, "nato");
    assert!(nato.mentions.iter().any(|m| m.form == NameForm::Acronym));
    assert!(any_contains(
        &portrayal(&doc, nato, PortrayalKind::Action),
        "jouer les lâches"
    ));
    let uk = entity(&doc, "uk");
    assert!(any_contains(
        &portrayal(&doc, uk, PortrayalKind::Apposition),
        "seul îlot de lucidité"
    ));
    let forces = entity(&doc, "north-korea/forces");
    assert!(forces
        .mentions
        .iter()
        .any(|m| doc.slice(m.span) == "soldats nord-coréens"));
    // "… les soldats nord-coréens sur le terrain. Ces fanatiques, …": the
    // label opening the next sentence is theirs.
    assert!(any_contains(
        &portrayal(&doc, forces, PortrayalKind::Epithet),
        "fanatiques"
    ));
    // "… la nature de l'ennemi auquel fait face Kiev : des robots humains
    // programmés pour tuer …" (twice in the article): the enemy's name is
    // theirs, not that of Kiev's side (the Ukrainian soldiers named just
    // before it).
    let epithets = portrayal(&doc, forces, PortrayalKind::Epithet);
    assert_eq!(
        epithets.iter().filter(|e| *e == "robots humains").count(),
        2,
        "{epithets:?}"
    );
    for side in ["ukraine", "ukraine/forces", "ukraine/people"] {
        if let Some(e) = doc.entities.iter().find(|e| e.id == side) {
            assert!(!any_contains(
                &portrayal(&doc, e, PortrayalKind::Epithet),
                "robots"
            ));
        }
    }
    // "La Pologne, la République tchèque, …": the longer name wins over
    // "la République" (France) that starts before it.
    let czechia = entity(&doc, "czechia");
    assert!(czechia
        .mentions
        .iter()
        .any(|m| doc.slice(m.span) == "République tchèque"));
    assert!(entity(&doc, "france")
        .mentions
        .iter()
        .all(|m| !doc.slice(m.span).contains("République")));
    // "Les 6 000 pertes nord-coréennes": the casualties are the forces.
    assert!(forces
        .mentions
        .iter()
        .any(|m| doc.slice(m.span) == "pertes nord-coréennes"));
    // The figures about them are theirs.
    assert!(forces
        .portrayal
        .iter()
        .any(|p| p.kind == PortrayalKind::Claim));
    let kim = entity(&doc, "kim-jong-un");
    assert!(any_contains(
        &portrayal(&doc, kim, PortrayalKind::Action),
        "expédie 30 000 soldats"
    ));
    // Washington is the US government here, never the city.
    assert!(entity(&doc, "usa")
        .mentions
        .iter()
        .any(|m| doc.slice(m.span) == "Washington"));
    assert!(!ids(&doc).contains(&"washington-dc"));
}

#[test]
fn seed_000_has_no_false_actors_or_clauses_as_appositions() {
    let doc = seed("000_d76dd2dda02f8564.txt");
    // "drones Shahed" is a weapon, "soldats asiatiques" no army of a state.
    for id in ["person:shahed", "asia/forces"] {
        assert!(!ids(&doc).contains(&id), "{id}: {:?}", ids(&doc));
    }
    // Each of these is followed by a comma and the sentence's main clause
    // (or the list's next item with its verb), not by a noun phrase about it.
    for (id, clause) in [
        ("czechia", "les pays baltes supplient"),
        ("place:moyen orient", "il rechigne"),
        ("us-republicans", "ignore délibérément"),
        ("ukraine/forces", "illustre parfaitement"),
    ] {
        if let Some(e) = doc.entities.iter().find(|e| e.id == id) {
            let appositions = portrayal(&doc, e, PortrayalKind::Apposition);
            assert!(!any_contains(&appositions, clause), "{id}: {appositions:?}");
        }
    }
    // The appositions that are ones stay.
    assert!(any_contains(
        &portrayal(&doc, entity(&doc, "usa"), PortrayalKind::Apposition),
        "superpuissance en perte de vitesse"
    ));
    assert!(any_contains(
        &portrayal(&doc, entity(&doc, "china"), PortrayalKind::Apposition),
        "arsenal technologique de Poutine"
    ));
}

#[test]
fn an_acronym_is_no_place_and_an_article_alone_is_no_evidence() {
    let doc = seed("004_b6a211a1276a3b4a.txt");
    assert!(!ids(&doc).contains(&"place:lgbt"), "{:?}", ids(&doc));
    for seed_name in ["000_d76dd2dda02f8564.txt", "004_b6a211a1276a3b4a.txt"] {
        let doc = seed(seed_name);
        for hits in &doc.techniques {
            for hit in hits {
                for ev in &hit.evidence {
                    let shown = doc.slice(*ev);
                    let short = shown.chars().filter(|c| c.is_alphanumeric()).count() <= 3
                        && !shown.contains(' ');
                    assert!(!short, "{seed_name}: {} evidence {shown:?}", hit.label);
                }
            }
        }
    }
}

#[test]
fn both_seeds_share_ids_for_the_same_actors() {
    let a = seed("000_d76dd2dda02f8564.txt");
    let b = seed("004_b6a211a1276a3b4a.txt");
    for id in [
        "kim-jong-un",
        "usa",
        "nato",
        "russia",
        "north-korea",
        "ukraine",
    ] {
        let (x, y) = (entity(&a, id), entity(&b, id));
        assert_eq!(x.name, y.name);
        // Different spellings, one id: "Kim Jong Un" / "Kim Jong-un", "OTAN" / "Otan".
        let forms = |e: &Entity, d: &Document| -> Vec<String> {
            e.mentions
                .iter()
                .map(|m| d.slice(m.span).to_string())
                .collect()
        };
        assert!(!forms(x, &a).is_empty() && !forms(y, &b).is_empty());
    }
    assert!(entity(&a, "kim-jong-un")
        .mentions
        .iter()
        .any(|m| a.slice(m.span) == "Kim Jong Un"));
    assert!(entity(&b, "kim-jong-un")
        .mentions
        .iter()
        .any(|m| b.slice(m.span) == "Kim Jong-un"));
}

fn analyse(text: &str) -> Document {
    let raw = text_article("test.txt", text.to_string());
    rhetor::Pipeline::default().run(raw).expect("analysed")
}

#[test]
fn sentence_initial_capitals_and_headlines_make_no_entity() {
    let doc = analyse(
        "Beau bilan\n\nRappelons que la guerre continue. Car les soldats meurent chaque jour, et personne ne le dit.",
    );
    for e in &doc.entities {
        for m in &e.mentions {
            let t = doc.slice(m.span);
            assert!(
                !["Beau", "Rappelons", "Car", "Beau bilan"].contains(&t),
                "{t} is no entity"
            );
        }
    }
}

#[test]
fn short_forms_join_the_full_name_and_unknown_names_are_kept() {
    let doc = analyse(
        "Le président Jean Tartempion a reçu hier les syndicats à Lyon. Selon Tartempion, la réforme sera votée. Kim Jong-un a salué la décision, et Kim a promis de venir.",
    );
    let d = &doc;
    let names: Vec<(&str, &str)> = d
        .entities
        .iter()
        .flat_map(|e| {
            e.mentions
                .iter()
                .map(move |m| (e.id.as_str(), d.slice(m.span)))
        })
        .collect();
    assert!(names.contains(&("kim-jong-un", "Kim")), "{names:?}");
    let jt = names
        .iter()
        .find(|(_, t)| *t == "Jean Tartempion")
        .expect("the tagger finds him")
        .0;
    assert!(names.contains(&(jt, "Tartempion")), "{names:?}");
}

#[test]
fn six_languages_link_to_the_same_ids() {
    for (text, id) in [
        (
            "Vladimir Putin met the press in the Kremlin on Monday, officials said.",
            "putin",
        ),
        (
            "Wladimir Putin hat am Montag in Moskau eine Rede gehalten, hieß es.",
            "putin",
        ),
        (
            "Il presidente Vladimir Putin ha parlato lunedì a Mosca, secondo fonti ufficiali.",
            "putin",
        ),
        (
            "Władimir Putin przemawiał w poniedziałek w Moskwie, podała agencja.",
            "putin",
        ),
        (
            "Владимир Путин выступил в понедельник в Москве, сообщили источники.",
            "putin",
        ),
        (
            "Selenskyj sprach am Dienstag vor dem Parlament in Kiew über die Lage.",
            "zelensky",
        ),
        (
            "Zełenski przemawiał we wtorek w parlamencie, podały media.",
            "zelensky",
        ),
        (
            "L'OTAN et la NATO ne font qu'un, mais Washington hésite encore beaucoup.",
            "nato",
        ),
    ] {
        let doc = analyse(text);
        assert!(
            doc.entities.iter().any(|e| e.id == id),
            "{text}: {:?}",
            ids(&doc)
        );
    }
}

#[test]
fn every_mention_and_portrayal_slices_the_text() {
    for name in ["000_d76dd2dda02f8564.txt", "004_b6a211a1276a3b4a.txt"] {
        let doc = seed(name);
        assert!(doc.entities.len() > 10);
        for e in &doc.entities {
            for m in &e.mentions {
                assert!(doc.text.get(m.span.start..m.span.end).is_some());
            }
            for p in &e.portrayal {
                assert!(p.mention < e.mentions.len());
                assert!(doc
                    .text
                    .get(p.span.start..p.span.end)
                    .is_some_and(|t| !t.is_empty()));
            }
        }
    }
}
