//! The expression editor of a parameter: the `={{ … }}` text coloured as it is typed,
//! suggestions at the caret (variables, node names, the fields of the run's items, helpers)
//! and, under it, the value for one input item as the engine computes it on the server, so
//! the preview and the run agree.

use super::form::Form;
use super::path::{self, Path};
use crate::api::preview_expression;
use crate::editor::browser;
use crate::editor::run_items::RunItems;
use agente_editor::Editor;
use agente_editor::expression::{self, Completion, Samples};
use leptos::prelude::*;
use serde_json::Value;
use std::collections::VecDeque;
use std::time::Duration;

/// How long typing pauses before the preview is asked for.
const PREVIEW_PAUSE: Duration = Duration::from_millis(250);
/// Longest preview text shown (the value can be a whole item list).
const PREVIEW_CHARS: usize = 2_000;

/// An expression parameter's editor: a text area over its coloured copy, a list of
/// suggestions, and the preview.
#[component]
pub fn ExpressionInput(form: Form, at: Path, id: String, multiline: bool) -> impl IntoView {
    let a = at.clone();
    let stored = Memo::new(move |_| path::as_text(form.get(&a).as_ref()));
    let text = RwSignal::new(stored.get_untracked());
    // Undo, a dropped field or another browser's save change the stored value: show it.
    Effect::new(move |_| text.set(stored.get()));
    let caret = RwSignal::new(None::<usize>);
    let chosen = RwSignal::new(0usize);
    let samples = samples(form);
    let completion = Memo::new(move |_| {
        let at = caret.get()?;
        samples.with(|(input, nodes)| {
            text.with(|t| expression::complete(t, at, &Samples { input, nodes }))
        })
    });
    let area = NodeRef::<leptos::html::Textarea>::new();
    let at = StoredValue::new(at);
    let commit = move || {
        let t = text.get_untracked();
        if t != stored.get_untracked() {
            form.set(&at.get_value(), Some(Value::String(t)));
        }
    };
    let follow_caret = move || {
        let units = browser::caret_in(area);
        caret.set(units.map(|u| text.with_untracked(|t| expression::byte_at(t, u))));
    };
    let accept = move |i: usize| {
        let Some(c) = completion.get_untracked() else {
            return;
        };
        let Some(pick) = c.options.get(i) else { return };
        let next =
            text.with_untracked(|t| format!("{}{}{}", &t[..c.from], pick.insert, &t[c.to..]));
        let at = c.from + pick.insert.len();
        let units = expression::utf16_at(&next, at);
        text.set(next);
        chosen.set(0);
        // After the text area took the new value.
        request_animation_frame(move || {
            browser::put_caret(area, units);
            caret.set(Some(at));
        });
    };
    let list_id = format!("{id}-suggestions");
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let Some(c) = completion.get_untracked() else {
            return;
        };
        let n = c.options.len();
        match ev.key().as_str() {
            "ArrowDown" => chosen.update(|i| *i = (*i + 1) % n),
            "ArrowUp" => chosen.update(|i| *i = (*i + n - 1) % n),
            "Enter" | "Tab" => accept(chosen.get_untracked().min(n - 1)),
            "Escape" => caret.set(None),
            _ => return,
        }
        // The keys belong to the list while it is open (Escape does not close the panel).
        ev.prevent_default();
        ev.stop_propagation();
    };
    // Named only while the list is there (a reference to nothing is an ARIA error).
    let active = {
        let list_id = list_id.clone();
        move || completion.with(|c| c.as_ref().map(|_| option_id(&list_id, chosen.get())))
    };
    let controls = {
        let list_id = list_id.clone();
        move || completion.with(Option::is_some).then(|| list_id.clone())
    };
    view! {
        <div class="expr-editor" class:multiline=multiline>
            <div class="expr-stack">
                <pre class="expr-colours" aria-hidden="true">{move || colours(&text.get())}</pre>
                <textarea id=id class="expr" rows=if multiline { "4" } else { "1" } spellcheck="false"
                    node_ref=area aria-autocomplete="list" aria-controls=controls
                    aria-activedescendant=active
                    prop:value=move || text.get()
                    on:input=move |ev| {
                        text.set(event_target_value(&ev));
                        chosen.set(0);
                        follow_caret();
                    }
                    on:click=move |_| follow_caret()
                    on:keyup=move |ev| if matches!(ev.key().as_str(), "ArrowLeft" | "ArrowRight" | "Home" | "End") { follow_caret() }
                    on:keydown=on_key
                    on:blur=move |_| { caret.set(None); commit() }
                    on:change=move |_| commit() />
                {move || completion.get().map(|c| suggestions(c, list_id.clone(), chosen, accept))}
            </div>
            <ExpressionPreview form text=text.into() />
        </div>
    }
}

/// The coloured copy of the text drawn under the (transparent) text area.
fn colours(text: &str) -> impl IntoView + use<> {
    let mut pieces: Vec<AnyView> = expression::highlight(text)
        .into_iter()
        .map(|p| view! { <span class=p.tone.class()>{p.text}</span> }.into_any())
        .collect();
    // A trailing line break needs a character after it to take up its line.
    pieces.push(view! { <span>" "</span> }.into_any());
    pieces
}

fn suggestions(
    c: Completion,
    list_id: String,
    chosen: RwSignal<usize>,
    accept: impl Fn(usize) + Copy + 'static,
) -> AnyView {
    let options = c
        .options
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            view! {
                <li role="option" id=option_id(&list_id, i) aria-selected=move || (chosen.get() == i).to_string()
                    // Keep the focus in the text area: the choice is made on mousedown.
                    on:mousedown=move |ev| { ev.prevent_default(); accept(i) }>
                    <code>{s.label}</code> " " <span class="muted small">{s.detail}</span>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="expr-suggestions" role="listbox" id=list_id aria-label="Suggestions">{options}</ul> }
        .into_any()
}

fn option_id(list_id: &str, i: usize) -> String {
    format!("{list_id}-{i}")
}

/// Nodes by name with (the first of) their output items.
type NodeItems = Vec<(String, Vec<Value>)>;

/// The example items completion reads: the node's input, and the output of each node
/// before it (nearest first), from the run shown or their pinned items.
fn samples(form: Form) -> Memo<(Vec<Value>, NodeItems)> {
    let run = expect_context::<RwSignal<Option<RunItems>>>();
    let name = form.node.get_value();
    Memo::new(move |_| {
        run.with(|run| {
            form.st.read(|e| {
                let input = e
                    .edges()
                    .into_iter()
                    .filter(|edge| edge.to == name && edge.from.kind == "main")
                    .find_map(|edge| first_item(e, run.as_ref(), &edge.from.node, edge.from.index))
                    .unwrap_or_default();
                let nodes = before(e, &name)
                    .into_iter()
                    .map(|n| {
                        let items = first_item(e, run.as_ref(), &n, 0).unwrap_or_default();
                        (n, items)
                    })
                    .collect();
                (input, nodes)
            })
        })
    })
}

/// The first item a node gave on `output`: pinned, else from the run shown.
fn first_item(e: &Editor, run: Option<&RunItems>, node: &str, output: usize) -> Option<Vec<Value>> {
    let pinned = (output == 0)
        .then(|| {
            e.workflow()
                .pin_data
                .get()?
                .get(node)?
                .as_array()?
                .first()
                .cloned()
        })
        .flatten()
        .map(|i| i.get("json").cloned().unwrap_or(i));
    let item = pinned.or_else(|| run?.output(node, output)?.first().cloned())?;
    Some(vec![item])
}

/// The nodes upstream of `name` over any connection, nearest first.
fn before(e: &Editor, name: &str) -> Vec<String> {
    let edges = e.edges();
    let mut found: Vec<String> = Vec::new();
    let mut queue = VecDeque::from([name.to_string()]);
    while let Some(next) = queue.pop_front() {
        for edge in edges.iter().filter(|edge| edge.to == next) {
            let from = &edge.from.node;
            if from != name && !found.contains(from) {
                found.push(from.clone());
                queue.push_back(from.clone());
            }
        }
    }
    found
}

/// What the preview shows.
#[derive(Clone, Debug, PartialEq)]
enum Shown {
    Waiting,
    Value { text: String, items: usize },
    Failed { message: String, items: usize },
}

/// The value of the expression for one input item, asked of the server a moment after
/// typing pauses (and again when the run shown or the item changes).
#[component]
fn ExpressionPreview(form: Form, text: Signal<String>) -> impl IntoView {
    let run = expect_context::<RwSignal<Option<RunItems>>>();
    let item = RwSignal::new(0usize);
    let shown = RwSignal::new(Shown::Waiting);
    let asked = StoredValue::new(0u64);
    // Another run shown: its first item again.
    Effect::new(move |before: Option<Option<String>>| {
        let now = run.with(|r| r.as_ref().map(|r| r.execution.clone()));
        if before.is_some_and(|b| b != now) {
            item.set(0);
        }
        now
    });
    Effect::new(move |_| {
        let expression = text.get();
        let index = item.get();
        let execution = run.with(|r| r.as_ref().map(|r| r.execution.clone()));
        let ticket = asked.get_value() + 1;
        asked.set_value(ticket);
        set_timeout(
            move || {
                if asked.get_value() != ticket {
                    return;
                }
                let json = form.st.json();
                let node = form.node.get_value();
                leptos::task::spawn_local(async move {
                    let answer = preview_expression(json, node, expression, index, execution).await;
                    if asked.get_value() != ticket {
                        return;
                    }
                    shown.set(match answer {
                        Ok(v) => match v.result {
                            Ok(value) => Shown::Value {
                                text: shown_value(&value),
                                items: v.items,
                            },
                            Err(message) => Shown::Failed {
                                message,
                                items: v.items,
                            },
                        },
                        Err(e) => Shown::Failed {
                            message: server_message(&e),
                            items: 0,
                        },
                    });
                });
            },
            PREVIEW_PAUSE,
        );
    });
    let items = move || match shown.get() {
        Shown::Value { items, .. } | Shown::Failed { items, .. } => items,
        Shown::Waiting => 0,
    };
    let stepper = move || {
        let n = items();
        (n > 1).then(|| {
            view! {
                <span class="expr-item">
                    <button type="button" class="btn btn-small" aria-label="Previous item"
                        disabled=move || item.get() == 0 on:click=move |_| item.update(|i| *i = i.saturating_sub(1))>"‹"</button>
                    {move || format!("Item {} of {n}", item.get().min(n - 1) + 1)}
                    <button type="button" class="btn btn-small" aria-label="Next item"
                        disabled=move || { item.get() + 1 >= n } on:click=move |_| item.update(|i| *i = (*i + 1).min(n - 1))>"›"</button>
                </span>
            }
        })
    };
    view! {
        <div class="expr-preview" data-testid="expression-preview" aria-live="polite">
            <span class="muted small">"Result"</span>
            {stepper}
            {move || match shown.get() {
                Shown::Waiting => view! { <output class="muted">"…"</output> }.into_any(),
                Shown::Value { text, items } => view! {
                    <output data-testid="preview-value">{text}</output>
                    {(items == 0).then(|| view! { <span class="hint">"No input items yet: run the workflow (Ctrl+Enter) to preview with them."</span> })}
                }.into_any(),
                Shown::Failed { message, .. } => view! { <output class="status-error" data-testid="preview-error">{message}</output> }.into_any(),
            }}
        </div>
    }
}

/// A value as n8n's preview writes it: text as it is, anything else as JSON.
fn shown_value(value: &Value) -> String {
    let text = match value {
        Value::String(s) if s.is_empty() => "[empty]".to_string(),
        Value::String(s) => s.clone(),
        Value::Null => "[null]".to_string(),
        other => other.to_string(),
    };
    match text.char_indices().nth(PREVIEW_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// A server function's error as a person reads it (without the transport's prefix).
fn server_message(e: &ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(m) => m.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_written_as_n8n_previews_them() {
        assert_eq!(shown_value(&json!("Hi")), "Hi");
        assert_eq!(shown_value(&json!("")), "[empty]");
        assert_eq!(shown_value(&Value::Null), "[null]");
        assert_eq!(shown_value(&json!({"a": [1, 2]})), r#"{"a":[1,2]}"#);
        let long = shown_value(&json!("x".repeat(PREVIEW_CHARS + 10)));
        assert_eq!(long.chars().count(), PREVIEW_CHARS + 1);
        assert!(long.ends_with('…'));
    }
}
