//! Hosts and registrable domains of links (the public-suffix list, through
//! the `psl` crate, compiled in: no list is read or fetched at run time).

/// The host of a URL, lower-cased, without `www.`, port, credentials or a
/// trailing dot; `None` when the URL has no plausible host.
pub fn host_of(url: &str) -> Option<String> {
    let url = url.trim();
    let rest = match url.split_once("://") {
        Some((scheme, rest))
            if scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+') =>
        {
            rest
        }
        Some(_) => return None,
        None if url.starts_with("www.") => url,
        None => return None,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if authority.starts_with('[') {
        return None; // IPv6 literal: no outlet lives there
    } else {
        authority.split(':').next().unwrap_or("")
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    let valid = !host.is_empty()
        && host.contains('.')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || !c.is_ascii());
    valid.then_some(host)
}

/// The registrable domain ("eTLD+1") of a host: `fr.sputniknews.africa` →
/// `sputniknews.africa`, `news.bbc.co.uk` → `bbc.co.uk`.
pub fn registrable_domain(host: &str) -> Option<String> {
    psl::domain_str(host).map(str::to_string)
}

/// The registrable domain without its public suffix: `sputniknews.africa`
/// → `sputniknews`, `bbc.co.uk` → `bbc`.
pub fn domain_label(host: &str) -> Option<String> {
    let domain = registrable_domain(host)?;
    let suffix = psl::suffix_str(&domain)?;
    domain
        .strip_suffix(suffix)
        .map(|d| d.trim_end_matches('.').to_string())
        .filter(|d| !d.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_domains() {
        assert_eq!(
            host_of("https://fr.sputniknews.africa/20241105/x.html").as_deref(),
            Some("fr.sputniknews.africa")
        );
        assert_eq!(
            host_of("http://WWW.BBC.co.uk:80/news").as_deref(),
            Some("bbc.co.uk")
        );
        assert_eq!(host_of("www.lefigaro.fr/x").as_deref(), Some("lefigaro.fr"));
        assert_eq!(host_of("mailto:someone@example.org"), None);
        assert_eq!(host_of("javascript:void(0)"), None);
        assert_eq!(
            registrable_domain("fr.sputniknews.africa").as_deref(),
            Some("sputniknews.africa")
        );
        assert_eq!(
            registrable_domain("news.bbc.co.uk").as_deref(),
            Some("bbc.co.uk")
        );
        assert_eq!(
            registrable_domain("bbc.co.uk.evil.example").as_deref(),
            Some("evil.example")
        );
        assert_eq!(
            domain_label("fr.sputniknews.africa").as_deref(),
            Some("sputniknews")
        );
        assert_eq!(
            domain_label("sputnik-tours.example").as_deref(),
            Some("sputnik-tours")
        );
    }
}
