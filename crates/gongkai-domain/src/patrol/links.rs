//! Links and images in published text: the addresses a text points to (in plain text and
//! in the `href`/`src` of rich text), which of them are this site's own pages, and images
//! that carry no alternative text. ◐ Broken links count against a site in the inspection
//! (链接可用性, RULES.md §5.1); a missing `alt` fails screen-reader users (GB/T 37668).
//!
//! Checking that an address answers is the app's: this module only reads text.

/// An address found in a text: `start..end` are byte offsets of the address itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub start: usize,
    pub end: usize,
    pub url: String,
}

/// Where an address points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A page of this site, as its path (`/documents/12`).
    Internal(String),
    /// Another site, http or https.
    External(String),
    /// mailto:, tel:, a fragment, or a scheme nothing checks.
    Other,
}

/// Characters that end an address written in running text: whitespace, CJK text and
/// punctuation, and the brackets and quotes that enclose an address.
fn ends_url(c: char) -> bool {
    c.is_whitespace() || !c.is_ascii() || matches!(c, '<' | '>' | '"' | '\'' | '`' | '{' | '}' | '|' | '\\' | '^')
}

/// Addresses written in running text (`详见http://www.gov.cn/zhengce/…。`).
pub fn text_links(text: &str) -> Vec<Link> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = find_scheme(&text[from..]) {
        let start = from + at;
        let rest = &text[start..];
        let mut len = rest.find(ends_url).unwrap_or(rest.len());
        // Sentence punctuation after an address is not part of it.
        while len > 0 && matches!(rest.as_bytes()[len - 1], b'.' | b',' | b';' | b':' | b'!' | b'?' | b')' | b']') {
            len -= 1;
        }
        let url = &rest[..len];
        if url.len() > "https://".len() {
            out.push(Link { start, end: start + len, url: url.to_string() });
        }
        from = start + len.max(1);
    }
    out
}

fn find_scheme(s: &str) -> Option<usize> {
    let lower = s.as_bytes();
    (0..lower.len()).find(|&i| {
        let tail = &lower[i..];
        (tail.len() >= 7 && tail[..7].eq_ignore_ascii_case(b"http://"))
            || (tail.len() >= 8 && tail[..8].eq_ignore_ascii_case(b"https://"))
    })
}

/// The value of each `name="…"` attribute in `html` (quoted with " or ').
fn attribute_values<'a>(html: &'a str, name: &str) -> Vec<(usize, usize, &'a str)> {
    let mut out = Vec::new();
    let lower = html.to_ascii_lowercase();
    let needle = format!("{name}=");
    let mut from = 0;
    while let Some(at) = lower[from..].find(&needle) {
        let i = from + at;
        let before_ok = i == 0 || lower.as_bytes()[i - 1].is_ascii_whitespace();
        let v = i + needle.len();
        from = v;
        let Some(&q) = html.as_bytes().get(v) else { break };
        if !before_ok || (q != b'"' && q != b'\'') {
            continue;
        }
        if let Some(len) = html[v + 1..].find(q as char) {
            out.push((v + 1, v + 1 + len, &html[v + 1..v + 1 + len]));
            from = v + 1 + len;
        }
    }
    out
}

/// Addresses in the links and media of rich text (`<a href>`, `<img src>`, `<video src>`).
pub fn html_links(html: &str) -> Vec<Link> {
    let mut out: Vec<Link> = ["href", "src"]
        .iter()
        .flat_map(|a| attribute_values(html, a))
        .map(|(start, end, v)| Link { start, end, url: v.replace("&amp;", "&").trim().to_string() })
        .filter(|l| !l.url.is_empty())
        .collect();
    out.sort_by_key(|l| l.start);
    out
}

/// Where `url` points; `site_hosts` are the names this site answers to.
pub fn target(url: &str, site_hosts: &[&str]) -> Target {
    let u = url.trim();
    if u.starts_with('/') && !u.starts_with("//") {
        return Target::Internal(path_only(u));
    }
    let lower = u.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    let Some(rest) = rest else { return Target::Other };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() {
        return Target::Other;
    }
    if site_hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        let path = &u[u.len() - rest.len() + host.len()..];
        return Target::Internal(if path.is_empty() { "/".into() } else { path_only(path) });
    }
    Target::External(u.to_string())
}

fn path_only(p: &str) -> String {
    let p = p.split(['?', '#']).next().unwrap_or("/");
    if p.is_empty() { "/".into() } else { p.to_string() }
}

/// `<img>` tags in `html` without an `alt`, or with an empty one: the tag's span and its
/// `src`. (An empty alt marks a decoration; a published image in a government text carries
/// content, so it is reported for a person to judge.)
pub fn images_without_alt(html: &str) -> Vec<(usize, usize, String)> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = lower[from..].find("<img") {
        let start = from + at;
        let end = lower[start..].find('>').map(|e| start + e + 1).unwrap_or(html.len());
        let tag = &html[start..end];
        let alt = attribute_values(tag, "alt").into_iter().next().map(|(_, _, v)| v.trim().to_string());
        if alt.is_none_or(|a| a.is_empty()) {
            let src =
                attribute_values(tag, "src").into_iter().next().map(|(_, _, v)| v.to_string()).unwrap_or_default();
            out.push((start, end, src));
        }
        from = end;
    }
    out
}

/// Whether the link checker may ask `ip`: not this machine, not a private network, not a
/// link-local, shared, documentation or reserved range — a published link that points there
/// is broken for the public anyway, and asking it would let a page probe the intranet.
pub fn is_public_address(ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || (o[0] == 198 && (o[1] == 18 || o[1] == 19))
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_address(IpAddr::V4(v4));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] == 0x2001 && s[1] == 0x0db8))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_in_running_text_end_where_the_sentence_goes_on() {
        let cases: &[(&str, &[&str])] = &[
            (
                "详见http://www.gov.cn/zhengce/content/2019-04/15/content_5382991.htm。",
                &["http://www.gov.cn/zhengce/content/2019-04/15/content_5382991.htm"],
            ),
            (
                "网址：https://www.laiwu.gov.cn/art/2025/1/2/art_1.html，电话0634-1234567",
                &["https://www.laiwu.gov.cn/art/2025/1/2/art_1.html"],
            ),
            ("(see https://example.cn/a?b=1&c=2).", &["https://example.cn/a?b=1&c=2"]),
            ("HTTPS://WWW.GOV.CN/ and http://a.cn", &["HTTPS://WWW.GOV.CN/", "http://a.cn"]),
            ("http:// 不是地址；第三条 无链接", &[]),
        ];
        for (text, want) in cases {
            let got: Vec<String> = text_links(text).into_iter().map(|l| l.url).collect();
            assert_eq!(got, *want, "{text}");
            for l in text_links(text) {
                assert_eq!(&text[l.start..l.end], l.url);
            }
        }
    }

    #[test]
    fn links_and_media_of_rich_text() {
        let html = r#"<p>见<a href="/documents/12">通知</a>和<a href='https://www.gov.cn/a?x=1&amp;y=2'>国务院</a></p><img src="/static/a.png" alt="流程图"><a data-href="x">y</a>"#;
        let got: Vec<String> = html_links(html).into_iter().map(|l| l.url).collect();
        assert_eq!(got, ["/documents/12", "https://www.gov.cn/a?x=1&y=2", "/static/a.png"]);
    }

    #[test]
    fn this_sites_addresses_are_its_pages() {
        let hosts = ["www.laiwu.gov.cn"];
        let cases = [
            ("/documents/12?v=2#a", Target::Internal("/documents/12".into())),
            ("https://www.laiwu.gov.cn/documents/3", Target::Internal("/documents/3".into())),
            ("http://WWW.LAIWU.GOV.CN", Target::Internal("/".into())),
            ("https://www.gov.cn/zhengce/", Target::External("https://www.gov.cn/zhengce/".into())),
            ("//cdn.example/x.js", Target::Other),
            ("mailto:gk@laiwu.gov.cn", Target::Other),
            ("javascript:void(0)", Target::Other),
            ("#top", Target::Other),
        ];
        for (url, want) in cases {
            assert_eq!(target(url, &hosts), want, "{url}");
        }
    }

    #[test]
    fn the_checker_never_asks_this_machine_or_a_private_network() {
        let cases = [
            ("127.0.0.1", false),
            ("10.1.2.3", false),
            ("172.16.0.1", false),
            ("192.168.1.1", false),
            ("169.254.169.254", false),
            ("100.64.0.1", false),
            ("0.0.0.0", false),
            ("198.18.0.1", false),
            ("::1", false),
            ("fd00::1", false),
            ("fe80::1", false),
            ("::ffff:10.0.0.1", false),
            ("202.108.22.5", true),
            ("8.8.8.8", true),
            ("2400:da00::6666", true),
        ];
        for (ip, want) in cases {
            assert_eq!(is_public_address(ip.parse().unwrap()), want, "{ip}");
        }
    }

    #[test]
    fn images_need_words_for_those_who_cannot_see_them() {
        let html = r#"<img src="/a.png" alt="办事流程图"><IMG SRC="/b.png"><img src='/c.png' alt=""><img alt=" " src="/d.png">"#;
        let srcs: Vec<String> = images_without_alt(html).into_iter().map(|(_, _, s)| s).collect();
        assert_eq!(srcs, ["/b.png", "/c.png", "/d.png"]);
    }
}
