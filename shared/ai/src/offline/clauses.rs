//! Cutting a request into clauses, one step each: at "then", "finally", sentence ends, and
//! at "and"/commas followed by a verb ("fetch X and post it", "…, email Y").

/// Words that start a new step when they follow "and" or a comma.
pub const VERBS: &[&str] = &[
    "fetch",
    "get",
    "call",
    "send",
    "post",
    "email",
    "e-mail",
    "mail",
    "notify",
    "alert",
    "message",
    "save",
    "store",
    "write",
    "append",
    "add",
    "set",
    "rename",
    "sort",
    "filter",
    "keep",
    "remove",
    "drop",
    "dedupe",
    "deduplicate",
    "limit",
    "take",
    "wait",
    "pause",
    "delay",
    "respond",
    "reply",
    "return",
    "merge",
    "combine",
    "aggregate",
    "sum",
    "count",
    "calculate",
    "compute",
    "summarize",
    "split",
    "loop",
    "hash",
    "convert",
    "parse",
    "extract",
    "scrape",
    "format",
    "upload",
    "create",
    "update",
    "stop",
    "fail",
    "run",
    "execute",
    "if",
    "otherwise",
    "else",
    "download",
    "ping",
    "transform",
    "map",
    "only",
    "check",
    "group",
    "process",
];

/// The request's clauses, in order.
pub fn clauses(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let words: Vec<&str> = text.split_whitespace().collect();
    let verb = |w: &str| {
        VERBS.contains(
            &w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-')
                .to_lowercase()
                .as_str(),
        )
    };
    let flush = |current: &mut Vec<&str>, out: &mut Vec<String>| {
        let clause = current
            .join(" ")
            .trim_matches(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .to_string();
        if clause.chars().any(char::is_alphanumeric) {
            out.push(clause);
        }
        current.clear();
    };
    for (i, word) in words.iter().enumerate() {
        let lower = word.to_lowercase();
        let bare = lower.trim_matches(|c: char| !c.is_alphanumeric());
        let next_is_verb = words.get(i + 1).is_some_and(|w| verb(w));
        if matches!(bare, "then" | "finally" | "afterwards") {
            flush(&mut current, &mut out);
            continue;
        }
        // "… in batches of 50" is a step of its own.
        if bare == "in"
            && words
                .get(i + 1)
                .is_some_and(|w| w.to_lowercase().starts_with("batch"))
        {
            flush(&mut current, &mut out);
        }
        if bare == "and" && next_is_verb {
            flush(&mut current, &mut out);
            continue;
        }
        if matches!(bare, "otherwise" | "else") && !current.is_empty() {
            flush(&mut current, &mut out);
        }
        let previous_ends = i > 0 && words[i - 1].ends_with(',');
        if previous_ends && verb(word) {
            flush(&mut current, &mut out);
        }
        current.push(word);
        let ends_sentence = (word.ends_with('.') || word.ends_with(';') || word.ends_with('!'))
            && !word.contains("://")
            && !word.contains('@');
        if ends_sentence {
            flush(&mut current, &mut out);
        }
    }
    flush(&mut current, &mut out);
    out
}
