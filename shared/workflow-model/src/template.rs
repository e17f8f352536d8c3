//! n8n parameter templates: a value starting with `=` is a template of text and `{{ … }}`
//! expressions. A template that is exactly one expression yields the expression's value with
//! its type; anything else yields a string.

/// One piece of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Text(String),
    Expr(String),
}

/// A parsed template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    pub segments: Vec<Segment>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unclosed `{{{{` at byte {0}")]
pub struct UnclosedExpression(pub usize);

impl Template {
    /// `None` when `value` is a plain string (does not start with `=`).
    pub fn parse(value: &str) -> Option<Result<Self, UnclosedExpression>> {
        value.strip_prefix('=').map(parse_body)
    }

    /// The expression, when the template is exactly one `{{ … }}` and nothing else.
    pub fn single_expression(&self) -> Option<&str> {
        match self.segments.as_slice() {
            [Segment::Expr(e)] => Some(e),
            _ => None,
        }
    }

    /// Every expression in the template.
    pub fn expressions(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Expr(e) => Some(e.as_str()),
            Segment::Text(_) => None,
        })
    }
}

fn parse_body(body: &str) -> Result<Template, UnclosedExpression> {
    let bytes = body.as_bytes();
    let mut segments = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'{' && bytes[i + 1] == b'{' {
            let expr_start = i + 2;
            let end = find_close(bytes, expr_start).ok_or(UnclosedExpression(i + 1))?;
            if text_start < i {
                segments.push(Segment::Text(body[text_start..i].to_string()));
            }
            segments.push(Segment::Expr(body[expr_start..end].trim().to_string()));
            i = end + 2;
            text_start = i;
        } else {
            i += 1;
        }
    }
    if text_start < bytes.len() {
        segments.push(Segment::Text(body[text_start..].to_string()));
    }
    Ok(Template { segments })
}

/// Where one `{{ … }}` of a template body is (byte offsets): `open` is its `{{`, `inner`
/// what lies between the braces; an unclosed one runs to the end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub open: usize,
    pub inner: std::ops::Range<usize>,
    pub closed: bool,
}

/// The `{{ … }}` blocks of a template body (without its `=`), found as the parser finds
/// them: for the editor, which draws and completes what a run will evaluate.
pub fn blocks(body: &str) -> Vec<Block> {
    let bytes = body.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'{' && bytes[i + 1] == b'{' {
            let start = i + 2;
            match find_close(bytes, start) {
                Some(end) => {
                    found.push(Block {
                        open: i,
                        inner: start..end,
                        closed: true,
                    });
                    i = end + 2;
                }
                None => {
                    found.push(Block {
                        open: i,
                        inner: start..bytes.len(),
                        closed: false,
                    });
                    break;
                }
            }
        } else {
            i += 1;
        }
    }
    found
}

/// Finds the `}}` closing an expression that starts at `from`, skipping braces of object
/// literals and blocks and anything inside string or template literals.
fn find_close(bytes: &[u8], from: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            quote @ (b'"' | b'\'' | b'`') => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'{' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b'}' if bytes.get(i + 1) == Some(&b'}') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use Segment::*;

    fn parse(s: &str) -> Template {
        Template::parse(s).unwrap().unwrap()
    }

    #[test]
    fn blocks_are_where_the_parser_finds_them() {
        let body = "Hi {{ $json.name }} and {{ { a: '}}' }.a }} then {{ open";
        let found = blocks(body);
        assert_eq!(found.len(), 3);
        assert_eq!(&body[found[0].inner.clone()], " $json.name ");
        assert_eq!(&body[found[1].inner.clone()], " { a: '}}' }.a ");
        assert!(found[1].closed && !found[2].closed);
        assert_eq!(&body[found[2].inner.clone()], " open");
        assert_eq!(found[2].open, body.len() - 7);
    }

    #[test]
    fn plain_strings_are_not_templates() {
        assert!(Template::parse("hello {{ $json.x }}").is_none());
    }

    #[test]
    fn splits_text_and_expressions() {
        assert_eq!(
            parse("={{ $json.n * 2 }}").single_expression(),
            Some("$json.n * 2")
        );
        assert_eq!(
            parse("=Hello {{ $json.name }}!").segments,
            vec![
                Text("Hello ".into()),
                Expr("$json.name".into()),
                Text("!".into())
            ]
        );
        assert_eq!(
            parse("=no expressions").segments,
            vec![Text("no expressions".into())]
        );
        assert_eq!(parse("=").segments, vec![]);
    }

    #[test]
    fn braces_and_strings_inside_expressions_do_not_close_them() {
        assert_eq!(
            parse("={{ {a: {b: 1}}.a.b }}").single_expression(),
            Some("{a: {b: 1}}.a.b")
        );
        assert_eq!(
            parse("={{ \"}}\" + '}}' + `}}` }}").single_expression(),
            Some("\"}}\" + '}}' + `}}`")
        );
        assert_eq!(
            parse("={{ 'it\\'s' }}").single_expression(),
            Some("'it\\'s'")
        );
    }

    #[test]
    fn unclosed_expressions_are_errors() {
        assert_eq!(
            Template::parse("=a {{ $json.x"),
            Some(Err(UnclosedExpression(3)))
        );
    }
}
