//! Which calls may start inline on a runtime worker (`offload.rs`).
//!
//! QuickJS polls its interrupt handler only on backward jumps and in a few built-ins, so
//! a slice cannot cut short everything: `arr.sort()` over a million values, or a
//! comparator without loops, runs to its end. Inline calls are therefore limited to what
//! cannot run long whatever it is given:
//!
//! - the sandbox's own bookkeeping on a payload of at most [`INLINE_PAYLOAD`] bytes (its
//!   work is linear in the payload);
//! - expressions that pass [`is_bounded_expression`]: no loops, functions, assignments or
//!   `new`, and calls only to functions from [`LINEAR_CALLS`] (linear in their receiver,
//!   none that sort, repeat or call back).
//!
//! Both are also free of side effects (or idempotent), so a call that its slice cut short
//! can simply run again off the worker. Everything else starts off the worker.

/// Largest payload (JSON bytes) the sandbox's bookkeeping parses inline.
const INLINE_PAYLOAD: usize = 256 * 1024;

/// Whether a call may start inline on a runtime worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Cost {
    /// Cannot run long and is safe to run again: may start inline.
    Bounded,
    /// Tenant code that may run long (or change the sandbox's globals): starts off the
    /// worker, and so does everything the sandbox runs after it.
    Unbounded,
}

impl Cost {
    /// The sandbox's bookkeeping over a JSON payload of `len` bytes.
    pub(super) fn of_payload(len: usize) -> Self {
        if len <= INLINE_PAYLOAD {
            Self::Bounded
        } else {
            Self::Unbounded
        }
    }

    /// An expression (the text inside `{{ }}`).
    pub(super) fn of_expression(src: &str) -> Self {
        if is_bounded_expression(src) {
            Self::Bounded
        } else {
            Self::Unbounded
        }
    }
}

/// Functions a bounded expression may call: their cost is linear in what they are given,
/// they create no more than a constant times that, and they call no code of the tenant.
const LINEAR_CALLS: &[&str] = &[
    // n8n's own
    "$",
    "$if",
    "$ifEmpty",
    "$max",
    "$min",
    "all",
    "first",
    "last",
    "item",
    "isEmpty",
    "isNotEmpty", // global functions
    "Number",
    "String",
    "Boolean",
    "parseInt",
    "parseFloat",
    "isNaN",
    "isFinite",
    "encodeURIComponent",
    "decodeURIComponent",
    "encodeURI",
    "decodeURI", // strings
    "toUpperCase",
    "toLowerCase",
    "trim",
    "trimStart",
    "trimEnd",
    "toString",
    "includes",
    "indexOf",
    "lastIndexOf",
    "startsWith",
    "endsWith",
    "slice",
    "substring",
    "substr",
    "split",
    "replace",
    "replaceAll",
    "concat",
    "charAt",
    "charCodeAt",
    "codePointAt",
    "at",
    "join",
    // numbers, Math, JSON, objects
    "toFixed",
    "toPrecision",
    "valueOf",
    "round",
    "floor",
    "ceil",
    "abs",
    "min",
    "max",
    "sign",
    "trunc",
    "sqrt",
    "pow",
    "stringify",
    "parse",
    "keys",
    "values",
    "entries",
    "isArray",
    "hasOwnProperty", // dates (Date and DateTime)
    "now",
    "toISOString",
    "toISO",
    "toISODate",
    "toJSON",
    "toMillis",
    "toSeconds",
    "toFormat",
    "toLocaleString",
    "toLocaleDateString",
    "toLocaleTimeString",
    "getTime",
    "getFullYear",
    "getMonth",
    "getDate",
    "getDay",
    "getHours",
    "getMinutes",
    "getSeconds",
    "plus",
    "minus",
    "startOf",
    "endOf",
    "setZone",
    "fromISO",
    "fromMillis",
    "fromSeconds",
    "diff",
];

/// Words that make an expression more than a bounded computation (loops, functions,
/// object creation, reaching for the machinery behind values).
const UNBOUNDED_WORDS: &[&str] = &[
    "function",
    "while",
    "for",
    "do",
    "new",
    "class",
    "async",
    "await",
    "yield",
    "with",
    "delete",
    "import",
    "eval",
    "constructor",
    "prototype",
    "__proto__",
];

/// Whether an expression (the text inside `{{ }}`) is a bounded computation that may start
/// inline: see the module's comment. Errs on the side of `false` (which only costs a
/// thread hand-off).
pub fn is_bounded_expression(src: &str) -> bool {
    let (mut i, mut prev) = (0, Prev::Start);
    while i < src.len() {
        match token(src, i, prev) {
            Some((next, what)) => (i, prev) = (next, what),
            None => return false,
        }
    }
    true
}

/// The token at byte `i`: where the next one starts and what this one was (whitespace
/// keeps `prev`), or `None` when it makes the expression more than bounded.
fn token(src: &str, i: usize, prev: Prev) -> Option<(usize, Prev)> {
    let bytes = src.as_bytes();
    match bytes[i] {
        b' ' | b'\t' | b'\n' | b'\r' => Some((i + 1, prev)),
        b'\'' | b'"' => string_end(bytes, i).map(|end| (end, Prev::Value)),
        b'0'..=b'9' => {
            let end = skip(bytes, i, |b| b.is_ascii_alphanumeric() || b == b'.');
            Some((end, Prev::Value))
        }
        b'A'..=b'Z' | b'a'..=b'z' | b'_' | b'$' => {
            let end = skip(bytes, i, |b| {
                b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
            });
            (!UNBOUNDED_WORDS.contains(&&src[i..end])).then_some((end, Prev::Name(i, end)))
        }
        b'(' => call_allowed(src, prev).then_some((i + 1, Prev::Operator)),
        b')' | b']' => Some((i + 1, Prev::Close)),
        b'[' | b',' | b':' | b'~' | b'^' => Some((i + 1, Prev::Operator)),
        // A spread is not.
        b'.' => (!bytes[i..].starts_with(b"...")).then_some((i + 1, Prev::Operator)),
        b'?' => question_mark(bytes, i),
        b'=' | b'!' | b'<' | b'>' => comparison(src, i),
        b'+' | b'-' | b'*' | b'%' | b'&' | b'|' => arithmetic(bytes, i),
        // After a value it divides; anywhere else it starts a regular expression (or a
        // comment): neither is bounded by this check.
        b'/' => (matches!(prev, Prev::Value | Prev::Name(..) | Prev::Close)
            && !matches!(bytes.get(i + 1), Some(b'/' | b'*' | b'=')))
        .then_some((i + 1, Prev::Operator)),
        // Template literals, blocks and object literals, statements, anything else.
        _ => None,
    }
}

/// Past the bytes from `i` on that `keep` accepts.
fn skip(bytes: &[u8], i: usize, keep: impl Fn(u8) -> bool) -> usize {
    i + bytes[i..].iter().take_while(|&&b| keep(b)).count()
}

/// Whether a `(` after `prev` calls something linear: only the named helpers are.
fn call_allowed(src: &str, prev: Prev) -> bool {
    match prev {
        Prev::Name(start, end) => LINEAR_CALLS.contains(&&src[start..end]),
        // Calling what an expression answers (`a[b]()`, `f()()`, `x?.()`).
        Prev::Value | Prev::Close | Prev::OptionalDot => false,
        Prev::Start | Prev::Operator => true,
    }
}

/// `?.` (optional chaining, not `?.5`), `?`, `??`; never `??=`.
fn question_mark(bytes: &[u8], i: usize) -> Option<(usize, Prev)> {
    if bytes.get(i + 1) == Some(&b'.') && !bytes.get(i + 2).is_some_and(u8::is_ascii_digit) {
        return Some((i + 2, Prev::OptionalDot));
    }
    let end = if bytes.get(i + 1) == Some(&b'?') {
        i + 2
    } else {
        i + 1
    };
    (bytes.get(end) != Some(&b'=')).then_some((end, Prev::Operator))
}

/// Comparisons only: `==`, `===`, `!=`, `!==`, `<`, `<=`, `>`, `>=`, `!` (and shifts);
/// never an assignment, an arrow or a shift-assignment.
fn comparison(src: &str, i: usize) -> Option<(usize, Prev)> {
    let run = src.as_bytes()[i..]
        .iter()
        .take_while(|b| matches!(b, b'=' | b'!' | b'<' | b'>'))
        .count();
    let op = &src[i..i + run];
    let comparison = matches!(
        op,
        "==" | "===" | "!=" | "!==" | "<" | "<=" | ">" | ">=" | "!" | "!!" | "<<" | ">>" | ">>>"
    );
    // `!` right after a comparison (`a == !b`) arrives in the same run.
    let comparison_then_not =
        op.ends_with('!') && matches!(&op[..run - 1], "==" | "===" | "!=" | "!==");
    (comparison || comparison_then_not).then_some((i + run, Prev::Operator))
}

/// `+ - * % & |` and `&& || **`; never `++`, `--` or an assignment (`+=`, `&&=`, …).
fn arithmetic(bytes: &[u8], i: usize) -> Option<(usize, Prev)> {
    let c = bytes[i];
    let next = bytes.get(i + 1);
    if next == Some(&c) && matches!(c, b'+' | b'-') {
        return None;
    }
    let end = if next == Some(&c) { i + 2 } else { i + 1 };
    (bytes.get(end) != Some(&b'=')).then_some((end, Prev::Operator))
}

#[derive(Clone, Copy)]
enum Prev {
    Start,
    /// A name, by its byte range in the source.
    Name(usize, usize),
    /// A literal.
    Value,
    /// `)` or `]`.
    Close,
    /// `?.`
    OptionalDot,
    Operator,
}

/// Where the string literal opening at `start` ends (just past its closing quote).
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return Some(i + 1),
            b'\n' => return None,
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::is_bounded_expression as bounded;

    #[test]
    fn everyday_expressions_are_bounded() {
        for src in [
            "$json.score",
            " Number($json.body.n ?? 0) * 2 ",
            "$json.score > 50 ? 'high' : 'low'",
            "$json[\"first name\"].toUpperCase()",
            "$('Webhook').item.json.body.email",
            "$json.items?.length ?? 0",
            "$json.a === !$json.b",
            "$now.toFormat('yyyy-MM-dd')",
            "JSON.stringify($json)",
            "$json.total / $json.count",
            "Math.round($json.price * 1.19 * 100) / 100",
            "$json.tags.join(', ')",
            "'it\\'s ' + $json.name",
            "$input.all().length",
            "$json.x?.[0]",
            "-1.5e3 + .5",
            "$json.a && $json.b || !$json.c",
            "$json.n ** 2 % 7",
            "$json.a !== !$json.b",
            "$json.n >>> 1 <= 3",
            "$json.ok ? 1 : 2",
        ] {
            assert!(bounded(src), "{src}");
        }
    }

    #[test]
    fn what_could_run_long_or_change_state_is_not() {
        for src in [
            "$json.list.sort()",
            "$json.list.toSorted()",
            "'x'.repeat(1e7)",
            "$json.list.map(x => x * 2)",
            "(() => { while (true) {} })()",
            "function f() {}",
            "new Array(1e7)",
            "Array(1e7).join('x')",
            "$json['so' + 'rt']()",
            "$json.f()()",
            "$json.f?.()",
            "globalThis.n = 1",
            "n += 1",
            "n++",
            "x ??= 1",
            "[].sort.call($json.list)",
            "`${$json.a}`",
            "({a: 1})",
            "/a+/.test($json.s)",
            "$json.a // comment",
            "Math.max(...$json.list)",
            "delete $json.a",
            "$json.constructor",
            "'unterminated",
            "a; b",
            "a >>= 1",
            "$evaluateExpression('1')",
            "a &&= b",
            "a--",
            "x => x",
            "a = 1",
            "a /= 2",
            "{}",
        ] {
            assert!(!bounded(src), "{src}");
        }
    }
}
