//! Sticky notes' Markdown, as n8n's notes use it: headings, bullets, bold, italics, inline
//! code and links (shown as their text: a note is not a place to follow links from). Parsed
//! into views, never into HTML, so a note cannot inject markup.

use leptos::prelude::*;

/// One line of a note.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    Heading(u8, Vec<Inline>),
    Bullet(Vec<Inline>),
    Line(Vec<Inline>),
    Blank,
}

/// A run of text with one style.
#[derive(Clone, Debug, PartialEq)]
pub enum Inline {
    Text(String),
    Bold(String),
    Italic(String),
    Code(String),
}

pub fn parse(text: &str) -> Vec<Block> {
    text.lines()
        .map(|line| {
            let t = line.trim_end();
            let hashes = t.chars().take_while(|c| *c == '#').count();
            if (1..=6).contains(&hashes) && t[hashes..].starts_with(' ') {
                return Block::Heading(hashes as u8, inline(t[hashes..].trim()));
            }
            let lead = t.trim_start();
            if let Some(rest) = lead.strip_prefix("- ").or_else(|| lead.strip_prefix("* ")) {
                return Block::Bullet(inline(rest));
            }
            if t.trim().is_empty() {
                Block::Blank
            } else {
                Block::Line(inline(t))
            }
        })
        .collect()
}

/// Splits a line into styled runs; an unclosed marker stays as text.
pub fn inline(s: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let styled = [("**", 0u8), ("`", 1), ("*", 2), ("_", 2)]
            .into_iter()
            .find_map(|(m, kind)| {
                let body = rest.strip_prefix(m)?;
                let end = body.find(m).filter(|e| *e > 0)?;
                Some((kind, &body[..end], &body[end + m.len()..]))
            });
        if let Some((kind, body, after)) = styled {
            if !text.is_empty() {
                out.push(Inline::Text(std::mem::take(&mut text)));
            }
            out.push(match kind {
                0 => Inline::Bold(body.into()),
                1 => Inline::Code(body.into()),
                _ => Inline::Italic(body.into()),
            });
            rest = after;
            continue;
        }
        // [label](url) shows its label.
        if c == '['
            && let Some(close) = rest.find("](")
            && let Some(end) = rest[close..].find(')')
        {
            text.push_str(&rest[1..close]);
            rest = &rest[close + end + 1..];
            continue;
        }
        text.push(c);
        rest = &rest[c.len_utf8()..];
    }
    if !text.is_empty() {
        out.push(Inline::Text(text));
    }
    out
}

fn runs(list: Vec<Inline>) -> impl IntoView {
    list.into_iter()
        .map(|r| match r {
            Inline::Text(t) => view! { <span>{t}</span> }.into_any(),
            Inline::Bold(t) => view! { <strong>{t}</strong> }.into_any(),
            Inline::Italic(t) => view! { <em>{t}</em> }.into_any(),
            Inline::Code(t) => view! { <code>{t}</code> }.into_any(),
        })
        .collect_view()
}

/// A note's text as views.
pub fn render(text: &str) -> impl IntoView + use<> {
    parse(text)
        .into_iter()
        .map(|b| match b {
            Block::Heading(n, r) => {
                view! { <div class=format!("sticky-h sticky-h{n}")>{runs(r)}</div> }.into_any()
            }
            Block::Bullet(r) => view! { <div class="sticky-li">"• "{runs(r)}</div> }.into_any(),
            Block::Line(r) => view! { <div>{runs(r)}</div> }.into_any(),
            Block::Blank => view! { <div class="sticky-gap"></div> }.into_any(),
        })
        .collect_view()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_bullets_and_lines() {
        let b = parse("## Setup\n- add a **key**\n\nthen run");
        assert_eq!(b[0], Block::Heading(2, vec![Inline::Text("Setup".into())]));
        assert_eq!(
            b[1],
            Block::Bullet(vec![
                Inline::Text("add a ".into()),
                Inline::Bold("key".into())
            ])
        );
        assert_eq!(b[2], Block::Blank);
        assert_eq!(b[3], Block::Line(vec![Inline::Text("then run".into())]));
        // Not a heading without the space, as in Markdown.
        assert_eq!(
            parse("#tag")[0],
            Block::Line(vec![Inline::Text("#tag".into())])
        );
    }

    #[test]
    fn inline_styles_links_and_unclosed_markers() {
        assert_eq!(
            inline("use `$json` and _this_ [docs](https://x.test)"),
            vec![
                Inline::Text("use ".into()),
                Inline::Code("$json".into()),
                Inline::Text(" and ".into()),
                Inline::Italic("this".into()),
                Inline::Text(" docs".into()),
            ]
        );
        assert_eq!(inline("2 * 3 = 6"), vec![Inline::Text("2 * 3 = 6".into())]);
        assert_eq!(inline("<script>"), vec![Inline::Text("<script>".into())]);
    }
}
