//! Colouring an expression parameter: the text around `{{ … }}` stays plain; inside, the
//! JavaScript is split into variables (`$json`), properties, strings, numbers and the
//! rest. An unclosed `{{` is marked, as the run would refuse it.

use agente_workflow_model::template;

/// What a piece of the text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// The leading `=` that makes a parameter an expression.
    Marker,
    /// Text outside `{{ … }}`.
    Text,
    /// `{{` or `}}`.
    Brace,
    /// A `{{` with no `}}`: the run fails on it.
    Unclosed,
    /// `$json`, `$input`, `$now` …
    Variable,
    /// A name after a dot.
    Property,
    Str,
    Number,
    /// `true`, `false`, `null`, `undefined`.
    Keyword,
    /// Operators, brackets, spaces, other names.
    Code,
}

impl Tone {
    /// The CSS class the editor draws it with.
    pub fn class(self) -> &'static str {
        match self {
            Tone::Marker => "tok-marker",
            Tone::Text => "tok-text",
            Tone::Brace => "tok-brace",
            Tone::Unclosed => "tok-unclosed",
            Tone::Variable => "tok-var",
            Tone::Property => "tok-prop",
            Tone::Str => "tok-str",
            Tone::Number => "tok-num",
            Tone::Keyword => "tok-kw",
            Tone::Code => "tok-code",
        }
    }
}

/// A run of text with one tone; the pieces put together are the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    pub tone: Tone,
    pub text: String,
}

/// The pieces of a parameter value; a value without the leading `=` is all text.
pub fn highlight(value: &str) -> Vec<Piece> {
    let mut out = Pieces::default();
    let Some(body) = value.strip_prefix('=') else {
        out.push(Tone::Text, value);
        return out.0;
    };
    out.push(Tone::Marker, "=");
    let mut at = 0;
    for block in template::blocks(body) {
        out.push(Tone::Text, &body[at..block.open]);
        let open = if block.closed {
            Tone::Brace
        } else {
            Tone::Unclosed
        };
        out.push(open, "{{");
        code(&body[block.inner.clone()], &mut out);
        at = block.inner.end;
        if block.closed {
            out.push(Tone::Brace, "}}");
            at += 2;
        }
    }
    out.push(Tone::Text, &body[at..]);
    out.0
}

#[derive(Default)]
struct Pieces(Vec<Piece>);

impl Pieces {
    /// Adds text, joined to the last piece when it has the same tone.
    fn push(&mut self, tone: Tone, text: &str) {
        if text.is_empty() {
            return;
        }
        match self.0.last_mut() {
            Some(last) if last.tone == tone && tone != Tone::Brace => last.text.push_str(text),
            _ => self.0.push(Piece {
                tone,
                text: text.to_string(),
            }),
        }
    }
}

/// Splits JavaScript into tones, as far as colouring needs (not a parser).
fn code(js: &str, out: &mut Pieces) {
    let mut rest = js;
    let mut after_dot = false;
    while let Some(c) = rest.chars().next() {
        let len = match c {
            '\'' | '"' | '`' => string_len(rest, c),
            '0'..='9' => rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
                .unwrap_or(rest.len()),
            c if is_name_start(c) => rest.find(|c: char| !is_name_part(c)).unwrap_or(rest.len()),
            c => c.len_utf8(),
        };
        let (token, tail) = rest.split_at(len);
        let tone = match c {
            '\'' | '"' | '`' => Tone::Str,
            '0'..='9' => Tone::Number,
            '$' => Tone::Variable,
            c if is_name_start(c) && after_dot => Tone::Property,
            _ if matches!(token, "true" | "false" | "null" | "undefined") => Tone::Keyword,
            _ => Tone::Code,
        };
        if !c.is_whitespace() {
            after_dot = token == ".";
        }
        out.push(tone, token);
        rest = tail;
    }
}

/// The length of the string literal at the start of `s` (to its end when unterminated).
fn string_len(s: &str, quote: char) -> usize {
    let mut escaped = false;
    for (at, c) in s.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            c if c == quote => return at + 1,
            _ => {}
        }
    }
    s.len()
}

pub(super) fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '$'
}

pub(super) fn is_name_part(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tones(value: &str) -> Vec<(Tone, &str)> {
        let pieces = highlight(value);
        assert_eq!(
            pieces.iter().map(|p| p.text.as_str()).collect::<String>(),
            value
        );
        // Leak for terse assertions; tests only.
        pieces
            .into_iter()
            .map(|p| (p.tone, &*Box::leak(p.text.into_boxed_str())))
            .collect()
    }

    #[test]
    fn colours_the_parts_of_an_expression() {
        use Tone::*;
        assert_eq!(
            tones("=Hi {{ $json.name + 'x}}' + 2 }}!"),
            vec![
                (Marker, "="),
                (Text, "Hi "),
                (Brace, "{{"),
                (Code, " "),
                (Variable, "$json"),
                (Code, "."),
                (Property, "name"),
                (Code, " + "),
                (Str, "'x}}'"),
                (Code, " + "),
                (Number, "2"),
                (Code, " "),
                (Brace, "}}"),
                (Text, "!"),
            ]
        );
        assert_eq!(
            tones("={{ $('Get user').item.json.ok ?? null }}")[3..9],
            [
                (Variable, "$"),
                (Code, "("),
                (Str, "'Get user'"),
                (Code, ")."),
                (Property, "item"),
                (Code, "."),
            ]
        );
    }

    #[test]
    fn marks_an_unclosed_block_and_keeps_plain_values_plain() {
        use Tone::*;
        assert_eq!(
            tones("={{ $json.a }} and {{ $json"),
            vec![
                (Marker, "="),
                (Brace, "{{"),
                (Code, " "),
                (Variable, "$json"),
                (Code, "."),
                (Property, "a"),
                (Code, " "),
                (Brace, "}}"),
                (Text, " and "),
                (Unclosed, "{{"),
                (Code, " "),
                (Variable, "$json"),
            ]
        );
        assert_eq!(tones("just {{ text }}"), vec![(Text, "just {{ text }}")]);
        assert_eq!(
            tones("={{ 'open"),
            vec![(Marker, "="), (Unclosed, "{{"), (Code, " "), (Str, "'open")]
        );
    }
}
