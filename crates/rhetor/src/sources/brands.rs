//! Outlets and agencies as articles name and link them, written for rhetor:
//! the names they go by in six languages, the domains of their editions,
//! and which row of the State Media Matrix stands for them. The lists
//! give one host per asset; an article links `fr.sputniknews.africa` or
//! writes "l'agence Tass", and this table bridges the two. Outlets that no
//! list covers (Reuters, Le Figaro…) are here too, so that they are
//! recognised as outlets — and shown as "not in the lists", never as
//! independent.

use crate::document::CitedKind;

/// An outlet or agency.
#[derive(Debug)]
pub struct Brand {
    /// Stable id, also across languages ("sputnik").
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    pub kind: CitedKind,
    /// Names in text, matched case-sensitively on word boundaries.
    pub names: &'static [&'static str],
    /// The names are ordinary words too ("Libération", "Marianne", "Le
    /// Point"): counted only after a citing cue ("dans", "selon", "à").
    pub cue_only: bool,
    /// Registrable domains of its sites (any subdomain matches).
    pub domains: &'static [&'static str],
    /// Domain labels under any public suffix (editions: `sputniknews.*`).
    pub labels: &'static [&'static str],
    /// Host of the State Media Matrix row that stands for the outlet.
    pub listed: Option<&'static str>,
}

use CitedKind::{MediaOutlet as O, NewsAgency as A};

macro_rules! brand {
    ($id:literal, $name:literal, $kind:expr, [$($n:literal),*], [$($d:literal),*], [$($l:literal),*], $listed:expr) => {
        Brand { id: $id, name: $name, kind: $kind, names: &[$($n),*], cue_only: false, domains: &[$($d),*], labels: &[$($l),*], listed: $listed }
    };
    (cue $id:literal, $name:literal, $kind:expr, [$($n:literal),*], [$($d:literal),*], [$($l:literal),*], $listed:expr) => {
        Brand { id: $id, name: $name, kind: $kind, names: &[$($n),*], cue_only: true, domains: &[$($d),*], labels: &[$($l),*], listed: $listed }
    };
}

/// The outlets and agencies rhetor recognises by name or by domain.
pub const BRANDS: &[Brand] = &[
    // State-affiliated outlets (State Media Matrix rows in `listed`).
    brand!(
        "sputnik",
        "Sputnik",
        O,
        [
            "Sputnik",
            "Spoutnik",
            "Спутник",
            "Sputnik News",
            "Sputniknews"
        ],
        [
            "sputnikglobe.com",
            "sputniknews.com",
            "sputniknews.ru",
            "sputnik-georgia.ru",
            "sputnik.by",
            "sputnik.kz",
            "sputnik-abkhazia.ru",
            "sputnik-ossetia.ru"
        ],
        ["sputniknews"],
        Some("sputnikglobe.com")
    ),
    brand!(
        "rt",
        "RT",
        O,
        [
            "RT",
            "Russia Today",
            "RT France",
            "RT en français",
            "RT Deutsch",
            "RT DE"
        ],
        [
            "rt.com",
            "rt.rs",
            "rtde.tv",
            "rtde.world",
            "rtde.site",
            "rtde.live",
            "rtde.tech",
            "rtde.xyz",
            "rtde.me"
        ],
        [],
        Some("rt.com")
    ),
    brand!(
        "rossiya-segodnya",
        "Rossiya Segodnya",
        A,
        [
            "Rossiya Segodnya",
            "Россия сегодня",
            "RIA Novosti",
            "RIA-Novosti",
            "РИА Новости",
            "Ria Novosti"
        ],
        ["ria.ru"],
        [],
        Some("sputnikglobe.com")
    ),
    brand!(
        "tass",
        "TASS",
        A,
        ["TASS", "Tass", "ТАСС", "ITAR-TASS", "Itar-Tass"],
        ["tass.ru", "tass.com"],
        [],
        Some("tass.com")
    ),
    brand!(
        "xinhua",
        "Xinhua",
        A,
        ["Xinhua", "Chine nouvelle", "Синьхуа", "Xinhua News Agency"],
        ["xinhuanet.com", "news.cn"],
        [],
        Some("xinhuanet.com")
    ),
    brand!(
        "cgtn",
        "CGTN",
        O,
        ["CGTN", "China Global Television Network"],
        ["cgtn.com"],
        [],
        Some("cgtn.com")
    ),
    brand!(
        "cctv",
        "CCTV",
        O,
        ["CCTV", "China Central Television"],
        ["cctv.com"],
        [],
        Some("cctv.com")
    ),
    brand!(
        "global-times",
        "Global Times",
        O,
        ["Global Times", "Huanqiu Shibao"],
        ["globaltimes.cn", "huanqiu.com"],
        [],
        Some("globaltimes.cn")
    ),
    brand!(
        "people-daily",
        "People's Daily",
        O,
        ["People's Daily", "Quotidien du peuple", "Renmin Ribao"],
        ["people.com.cn"],
        [],
        None
    ),
    brand!(
        "press-tv",
        "Press TV",
        O,
        ["Press TV", "PressTV"],
        ["presstv.ir"],
        [],
        Some("presstv.ir")
    ),
    brand!(
        "al-jazeera",
        "Al Jazeera",
        O,
        ["Al Jazeera", "Al-Jazeera", "Al Jazira", "Al-Jazira"],
        ["aljazeera.com", "aljazeera.net"],
        [],
        Some("aljazeera.com")
    ),
    brand!(
        "kcna",
        "KCNA",
        A,
        [
            "KCNA",
            "Korean Central News Agency",
            "agence centrale de presse coréenne"
        ],
        ["kcna.kp", "kcnawatch.org"],
        [],
        None
    ),
    brand!(
        "vgtrk",
        "VGTRK",
        O,
        [
            "VGTRK",
            "ВГТРК",
            "Rossiya 1",
            "Russia-1",
            "Россия-1",
            "Россия 24",
            "Rossiya 24"
        ],
        ["vesti.ru", "russia.tv", "smotrim.ru"],
        [],
        Some("vesti.ru")
    ),
    brand!(
        "channel-one-russia",
        "Channel One Russia",
        O,
        ["Pervy Kanal", "Первый канал", "Channel One Russia"],
        ["1tv.ru", "1tv.com"],
        [],
        None
    ),
    brand!(
        cue "zvezda",
        "Zvezda",
        O,
        ["Zvezda", "Звезда"],
        ["tvzvezda.ru"],
        [],
        Some("tvzvezda.ru")
    ),
    brand!(
        cue "izvestia",
        "Izvestia",
        O,
        ["Izvestia", "Известия", "Izwiestia"],
        ["iz.ru"],
        [],
        Some("iz.ru")
    ),
    brand!(
        "komsomolskaya-pravda",
        "Komsomolskaya Pravda",
        O,
        ["Komsomolskaya Pravda", "Комсомольская правда"],
        ["kp.ru"],
        [],
        Some("kp.ru")
    ),
    brand!(
        cue "anadolu",
        "Anadolu",
        A,
        ["Anadolu", "agence Anadolu", "Anadolu Agency"],
        ["aa.com.tr"],
        [],
        Some("aa.com.tr")
    ),
    brand!(
        "ukrinform",
        "Ukrinform",
        A,
        ["Ukrinform", "Укрінформ"],
        ["ukrinform.ua", "ukrinform.net", "ukrinform.fr"],
        [],
        Some("ukrinform.ua")
    ),
    brand!(
        "bbc",
        "BBC",
        O,
        ["BBC", "British Broadcasting Corporation"],
        ["bbc.co.uk", "bbc.com"],
        [],
        Some("bbc.co.uk")
    ),
    brand!(
        "voa",
        "Voice of America",
        O,
        [
            "Voice of America",
            "VOA",
            "Golos Ameriki",
            "Голос Америки",
            "Głos Ameryki",
            "la Voix de l'Amérique"
        ],
        ["voanews.com", "golosameriki.com"],
        [],
        Some("voanews.com")
    ),
    brand!(
        "rferl",
        "Radio Free Europe/Radio Liberty",
        O,
        [
            "Radio Free Europe",
            "Radio Liberty",
            "RFE/RL",
            "Radio Svoboda",
            "Радио Свобода"
        ],
        ["rferl.org", "svoboda.org"],
        [],
        Some("rferl.org")
    ),
    brand!(
        "france24",
        "France 24",
        O,
        ["France 24", "France24"],
        ["france24.com"],
        [],
        Some("france24.com")
    ),
    brand!(
        "rfi",
        "RFI",
        O,
        ["RFI", "Radio France Internationale"],
        ["rfi.fr"],
        [],
        Some("rfi.fr")
    ),
    brand!(
        "francetv",
        "France Télévisions",
        O,
        [
            "France Télévisions",
            "France 2",
            "France 3",
            "franceinfo",
            "France Info",
            "Franceinfo"
        ],
        ["francetvinfo.fr", "francetelevisions.fr", "france.tv"],
        [],
        Some("francetvinfo.fr")
    ),
    brand!(
        "radio-france",
        "Radio France",
        O,
        ["Radio France", "France Inter", "France Culture"],
        ["radiofrance.fr"],
        [],
        Some("radiofrance.fr")
    ),
    brand!(
        "dw",
        "Deutsche Welle",
        O,
        ["Deutsche Welle", "DW"],
        ["dw.com"],
        [],
        Some("dw.com")
    ),
    brand!(
        "ard",
        "ARD",
        O,
        ["ARD", "Tagesschau", "tagesschau"],
        ["ard.de", "tagesschau.de"],
        [],
        Some("ard.de")
    ),
    brand!("zdf", "ZDF", O, ["ZDF"], ["zdf.de"], [], Some("zdf.de")),
    brand!(
        "rai",
        "RAI",
        O,
        ["RAI", "Rai News", "RaiNews"],
        ["rai.it", "rainews.it"],
        [],
        None
    ),
    brand!(
        "tvp",
        "TVP",
        O,
        ["TVP", "Telewizja Polska", "TVP Info"],
        ["tvp.pl", "tvp.info"],
        [],
        Some("tvp.pl")
    ),
    brand!(
        "polskie-radio",
        "Polskie Radio",
        O,
        ["Polskie Radio"],
        ["polskieradio.pl", "polskieradio24.pl"],
        [],
        Some("polskieradio.pl")
    ),
    brand!("nhk", "NHK", O, ["NHK"], ["nhk.or.jp"], [], None),
    brand!(
        "yonhap",
        "Yonhap",
        A,
        ["Yonhap", "Yonhap News Agency"],
        ["yna.co.kr", "yonhapnews.co.kr"],
        [],
        Some("yonhapnews.co.kr")
    ),
    brand!(
        "efe",
        "EFE",
        A,
        ["EFE", "agence EFE"],
        ["efe.com"],
        [],
        Some("efe.com")
    ),
    brand!(
        "rtbf",
        "RTBF",
        O,
        ["RTBF"],
        ["rtbf.be"],
        [],
        Some("rtbf.be")
    ),
    brand!(
        "swissinfo",
        "Swissinfo",
        O,
        ["Swissinfo", "SWI swissinfo.ch"],
        ["swissinfo.ch"],
        [],
        None
    ),
    // Agencies and outlets that neither list covers.
    brand!(
        "reuters",
        "Reuters",
        A,
        ["Reuters", "Рейтер", "Рейтерс"],
        ["reuters.com"],
        [],
        None
    ),
    brand!(
        "afp",
        "AFP",
        A,
        ["AFP", "Agence France-Presse", "l'Agence France-Presse"],
        ["afp.com"],
        [],
        None
    ),
    brand!(
        "ap",
        "Associated Press",
        A,
        ["Associated Press", "AP"],
        ["apnews.com", "ap.org"],
        [],
        None
    ),
    brand!(
        cue "bloomberg",
        "Bloomberg",
        A,
        ["Bloomberg"],
        ["bloomberg.com"],
        [],
        None
    ),
    brand!(
        "interfax",
        "Interfax",
        A,
        ["Interfax", "Интерфакс"],
        ["interfax.ru", "interfax.com.ua", "interfax.com"],
        [],
        None
    ),
    brand!(
        "dpa",
        "dpa",
        A,
        ["dpa", "DPA", "Deutsche Presse-Agentur"],
        ["dpa.com"],
        [],
        None
    ),
    brand!("ansa", "ANSA", A, ["ANSA"], ["ansa.it"], [], None),
    brand!(
        "pap",
        "PAP",
        A,
        ["PAP", "Polska Agencja Prasowa"],
        ["pap.pl"],
        [],
        None
    ),
    brand!(
        "le-figaro",
        "Le Figaro",
        O,
        ["Le Figaro", "le Figaro", "Figaro"],
        ["lefigaro.fr"],
        [],
        None
    ),
    brand!(
        "le-monde",
        "Le Monde",
        O,
        ["Le Monde"],
        ["lemonde.fr"],
        [],
        None
    ),
    brand!(cue "liberation", "Libération", O, ["Libération"], ["liberation.fr"], [], None),
    brand!(
        "les-echos",
        "Les Échos",
        O,
        ["Les Échos", "Les Echos"],
        ["lesechos.fr"],
        [],
        None
    ),
    brand!(
        "le-parisien",
        "Le Parisien",
        O,
        ["Le Parisien"],
        ["leparisien.fr"],
        [],
        None
    ),
    brand!(
        "l-express",
        "L'Express",
        O,
        ["L'Express", "L’Express"],
        ["lexpress.fr"],
        [],
        None
    ),
    brand!(cue "le-point", "Le Point", O, ["Le Point"], ["lepoint.fr"], [], None),
    brand!(
        "l-obs",
        "L'Obs",
        O,
        ["L'Obs", "L’Obs", "Le Nouvel Observateur"],
        ["nouvelobs.com"],
        [],
        None
    ),
    brand!(
        "mediapart",
        "Mediapart",
        O,
        ["Mediapart"],
        ["mediapart.fr"],
        [],
        None
    ),
    brand!(
        "bfmtv",
        "BFMTV",
        O,
        ["BFMTV", "BFM TV", "BFM"],
        ["bfmtv.com"],
        [],
        None
    ),
    brand!(
        "tf1",
        "TF1",
        O,
        ["TF1", "LCI"],
        ["tf1info.fr", "tf1.fr", "lci.fr"],
        [],
        None
    ),
    brand!("cnews", "CNews", O, ["CNews"], ["cnews.fr"], [], None),
    brand!(
        "ouest-france",
        "Ouest-France",
        O,
        ["Ouest-France", "Ouest France"],
        ["ouest-france.fr"],
        [],
        None
    ),
    brand!(cue "la-croix", "La Croix", O, ["La Croix"], ["la-croix.com"], [], None),
    brand!(cue "marianne", "Marianne", O, ["Marianne"], ["marianne.net"], [], None),
    brand!(
        "valeurs-actuelles",
        "Valeurs actuelles",
        O,
        ["Valeurs actuelles"],
        ["valeursactuelles.com"],
        [],
        None
    ),
    brand!(
        "jdd",
        "Le JDD",
        O,
        ["Le JDD", "JDD", "Journal du dimanche"],
        ["lejdd.fr"],
        [],
        None
    ),
    brand!(
        "courrier-international",
        "Courrier international",
        O,
        ["Courrier international"],
        ["courrierinternational.com"],
        [],
        None
    ),
    brand!(
        "le-monde-diplomatique",
        "Le Monde diplomatique",
        O,
        ["Le Monde diplomatique"],
        ["monde-diplomatique.fr"],
        [],
        None
    ),
    brand!(
        "nyt",
        "The New York Times",
        O,
        ["New York Times", "NYT"],
        ["nytimes.com"],
        [],
        None
    ),
    brand!(
        "washington-post",
        "The Washington Post",
        O,
        ["Washington Post"],
        ["washingtonpost.com"],
        [],
        None
    ),
    brand!(
        "wsj",
        "The Wall Street Journal",
        O,
        ["Wall Street Journal", "WSJ"],
        ["wsj.com"],
        [],
        None
    ),
    brand!(
        cue "guardian",
        "The Guardian",
        O,
        ["The Guardian", "Guardian"],
        ["theguardian.com"],
        [],
        None
    ),
    brand!(
        "the-times",
        "The Times",
        O,
        ["The Times"],
        ["thetimes.co.uk", "thetimes.com"],
        [],
        None
    ),
    brand!(
        "ft",
        "Financial Times",
        O,
        ["Financial Times"],
        ["ft.com"],
        [],
        None
    ),
    brand!(
        cue "economist",
        "The Economist",
        O,
        ["The Economist", "Economist"],
        ["economist.com"],
        [],
        None
    ),
    brand!(
        "telegraph",
        "The Telegraph",
        O,
        ["The Telegraph", "Daily Telegraph"],
        ["telegraph.co.uk"],
        [],
        None
    ),
    brand!(
        "daily-mail",
        "Daily Mail",
        O,
        ["Daily Mail"],
        ["dailymail.co.uk"],
        [],
        None
    ),
    brand!("cnn", "CNN", O, ["CNN"], ["cnn.com"], [], None),
    brand!(
        "fox-news",
        "Fox News",
        O,
        ["Fox News"],
        ["foxnews.com"],
        [],
        None
    ),
    brand!("nbc", "NBC News", O, ["NBC"], ["nbcnews.com"], [], None),
    brand!("cbs", "CBS News", O, ["CBS"], ["cbsnews.com"], [], None),
    brand!(
        "politico",
        "Politico",
        O,
        ["Politico"],
        ["politico.com", "politico.eu"],
        [],
        None
    ),
    brand!("axios", "Axios", O, ["Axios"], ["axios.com"], [], None),
    brand!(
        "newsweek",
        "Newsweek",
        O,
        ["Newsweek"],
        ["newsweek.com"],
        [],
        None
    ),
    brand!(
        cue "spiegel",
        "Der Spiegel",
        O,
        ["Der Spiegel", "Spiegel"],
        ["spiegel.de"],
        [],
        None
    ),
    brand!(
        cue "die-welt",
        "Die Welt",
        O,
        ["Die Welt"],
        ["welt.de"],
        [],
        None
    ),
    brand!(
        cue "bild",
        "Bild",
        O,
        ["Bild", "Bild-Zeitung"],
        ["bild.de"],
        [],
        None
    ),
    brand!(
        "faz",
        "Frankfurter Allgemeine Zeitung",
        O,
        ["Frankfurter Allgemeine", "FAZ"],
        ["faz.net"],
        [],
        None
    ),
    brand!(
        "sz",
        "Süddeutsche Zeitung",
        O,
        ["Süddeutsche Zeitung", "Süddeutsche"],
        ["sueddeutsche.de"],
        [],
        None
    ),
    brand!(
        cue "die-zeit",
        "Die Zeit",
        O,
        ["Die Zeit"],
        ["zeit.de"],
        [],
        None
    ),
    brand!(
        "corriere",
        "Corriere della Sera",
        O,
        ["Corriere della Sera", "Corriere"],
        ["corriere.it"],
        [],
        None
    ),
    brand!(
        cue "repubblica",
        "la Repubblica",
        O,
        ["la Repubblica", "La Repubblica", "Repubblica"],
        ["repubblica.it"],
        [],
        None
    ),
    brand!(
        "la-stampa",
        "La Stampa",
        O,
        ["La Stampa"],
        ["lastampa.it"],
        [],
        None
    ),
    brand!(
        "fatto",
        "Il Fatto Quotidiano",
        O,
        ["Il Fatto Quotidiano", "Fatto Quotidiano"],
        ["ilfattoquotidiano.it"],
        [],
        None
    ),
    brand!(
        "wyborcza",
        "Gazeta Wyborcza",
        O,
        ["Gazeta Wyborcza", "Wyborcza"],
        ["wyborcza.pl"],
        [],
        None
    ),
    brand!(
        cue "rzeczpospolita",
        "Rzeczpospolita",
        O,
        ["Rzeczpospolita"],
        ["rp.pl"],
        [],
        None
    ),
    brand!("onet", "Onet", O, ["Onet"], ["onet.pl"], [], None),
    brand!(
        "kommersant",
        "Kommersant",
        O,
        ["Kommersant", "Коммерсантъ"],
        ["kommersant.ru"],
        [],
        None
    ),
    brand!(
        "meduza",
        "Meduza",
        O,
        ["Meduza", "Медуза"],
        ["meduza.io"],
        [],
        None
    ),
    brand!(
        "novaya-gazeta",
        "Novaya Gazeta",
        O,
        ["Novaya Gazeta", "Новая газета"],
        ["novayagazeta.ru", "novayagazeta.eu"],
        [],
        None
    ),
    brand!(
        "kyiv-independent",
        "The Kyiv Independent",
        O,
        ["Kyiv Independent"],
        ["kyivindependent.com"],
        [],
        None
    ),
    brand!(
        "ukrainska-pravda",
        "Ukrainska Pravda",
        O,
        ["Ukrainska Pravda", "Українська правда"],
        ["pravda.com.ua"],
        [],
        None
    ),
    brand!(
        "kyiv-post",
        "Kyiv Post",
        O,
        ["Kyiv Post"],
        ["kyivpost.com"],
        [],
        None
    ),
    brand!(
        "haaretz",
        "Haaretz",
        O,
        ["Haaretz"],
        ["haaretz.com", "haaretz.co.il"],
        [],
        None
    ),
    brand!(
        "times-of-israel",
        "The Times of Israel",
        O,
        ["Times of Israel"],
        ["timesofisrael.com"],
        [],
        None
    ),
    brand!(
        "euronews",
        "Euronews",
        O,
        ["Euronews"],
        ["euronews.com"],
        [],
        None
    ),
];

/// The brand owning a registrable domain (or one of its edition labels).
pub fn brand_for_domain(domain: &str, label: Option<&str>) -> Option<&'static Brand> {
    BRANDS
        .iter()
        .find(|b| b.domains.contains(&domain))
        .or_else(|| {
            let label = label?;
            BRANDS.iter().find(|b| b.labels.contains(&label))
        })
}

/// Brand by id.
pub fn brand(id: &str) -> Option<&'static Brand> {
    BRANDS.iter().find(|b| b.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_listed_hosts_exist() {
        let reg = &*super::super::registry::EMBEDDED;
        let mut ids = std::collections::HashSet::new();
        for b in BRANDS {
            assert!(ids.insert(b.id), "duplicate {}", b.id);
            if let Some(h) = b.listed {
                assert!(
                    reg.state_media_at(h).is_some(),
                    "{}: {h} not in the matrix",
                    b.id
                );
            }
        }
    }
}
