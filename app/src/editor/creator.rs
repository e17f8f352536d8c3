//! The node creator (Tab, or "+" on an output or an edge): a search over the node types the
//! engine runs, grouped as n8n groups them, used from the keyboard as a listbox. The chosen
//! node is added where it was asked for and connected, in one undo step.

use super::browser;
use super::state::{EditorState, Notice};
use agente_editor::{Edge, Outlet, Point};
use agente_workflow_model::catalogue::{Group, NODE_TYPES, NodeType};
use agente_workflow_model::{Field, Node, params, ports};
use leptos::prelude::*;

/// Where a new node goes.
#[derive(Clone, Debug, PartialEq)]
pub enum Place {
    /// After the one selected node (connected from its first output), else mid-screen.
    Free,
    /// After this output, connected from it.
    After(Outlet),
    /// Into this edge.
    OnEdge(Edge),
}

/// Groups in the order the creator lists them, with their headings.
const GROUPS: &[(Group, &str)] = &[
    (Group::Trigger, "Triggers"),
    (Group::Integration, "Actions in apps"),
    (Group::Flow, "Flow"),
    (Group::Data, "Data transformation"),
    (Group::Ai, "AI"),
    (Group::Annotation, "Core"),
];

/// The types matching `query` (every word in the name, type or description), grouped; within
/// a group, and among groups, those whose name starts with the query first. Triggers are left out
/// when the node goes after another (a trigger has no input).
pub fn search(query: &str, with_triggers: bool) -> Vec<(&'static str, Vec<&'static NodeType>)> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    let q = query.trim().to_lowercase();
    let mut groups: Vec<_> = GROUPS
        .iter()
        .filter(|(g, _)| with_triggers || *g != Group::Trigger)
        .filter_map(|(g, heading)| {
            let mut hits: Vec<&NodeType> = NODE_TYPES
                .iter()
                .filter(|t| t.group == *g)
                .filter(|t| {
                    let hay =
                        format!("{} {} {}", t.display_name, t.name, t.description).to_lowercase();
                    words.iter().all(|w| hay.contains(w.as_str()))
                })
                .collect();
            hits.sort_by_key(|t| !t.display_name.to_lowercase().starts_with(&q));
            (!hits.is_empty()).then_some((*heading, hits))
        })
        .collect();
    // The group holding a type whose name starts with the query comes first: Enter adds
    // the first entry, which should be the one the user is typing the name of.
    groups.sort_by_key(|(_, hits)| !hits[0].display_name.to_lowercase().starts_with(&q));
    groups
}

/// A node of type `t` as n8n makes one: the newest version the engine runs, the required
/// parameters with their defaults, a webhook with its own id and path.
pub fn new_node(t: &NodeType, uuid: impl FnOnce() -> String) -> Node {
    let spec = params::spec(t.name);
    let mut parameters = spec.map(|s| s.new_parameters()).unwrap_or_default();
    let mut node = Node {
        // "Edit Fields (Set)" is named "Edit Fields" on the canvas, as in n8n.
        name: t
            .display_name
            .split(" (")
            .next()
            .unwrap_or(t.display_name)
            .to_string(),
        kind: t.name.to_string(),
        type_version: Field::Value(params::version_number(spec.map_or("1", |s| s.version))),
        ..Node::default()
    };
    if t.name == "n8n-nodes-base.webhook" {
        let id = uuid();
        parameters.insert("path".into(), serde_json::Value::String(id.clone()));
        node.webhook_id = Field::Value(id);
    }
    node.parameters = Field::Value(parameters);
    node
}

/// Adds a node of type `t` at `place`; answers its name.
pub fn add(st: EditorState, t: &NodeType, place: &Place) -> String {
    let node = new_node(t, super::state::new_node_id);
    let takes_main = ports::main_inputs(&node) > 0;
    let place = match place {
        Place::Free => match st.selected().as_slice() {
            [one] => Place::After(Outlet {
                node: one.clone(),
                kind: "main".into(),
                index: 0,
            }),
            _ => Place::Free,
        },
        other => other.clone(),
    };
    let at = agente_editor::snap(position_for(st, &place));
    st.change(|ed| {
        ed.begin_group();
        let name = ed.add_node(node, at);
        if takes_main {
            match &place {
                Place::After(from) if from.kind == "main" => {
                    let _ = ed.connect(from, &name, 0);
                }
                Place::OnEdge(edge) => {
                    let _ = ed.insert_on_edge(&name, edge);
                }
                _ => {}
            }
        }
        ed.end_group();
        name
    })
}

/// Right of the node it follows, between the ends of an edge, or mid-screen.
fn position_for(st: EditorState, place: &Place) -> Point {
    let box_of = |name: &str| {
        st.boxes
            .with_untracked(|b| b.iter().find(|n| n.name == name).cloned())
    };
    match place {
        Place::After(from) => box_of(&from.node).map_or_else(
            || centre(st),
            |b| {
                let p = b.output_at(from.index);
                Point {
                    x: b.x + b.w + 100.0,
                    y: p.y - b.h / 2.0,
                }
            },
        ),
        Place::OnEdge(edge) => match (box_of(&edge.from.node), box_of(&edge.to)) {
            (Some(a), Some(b)) => Point {
                x: (a.x + b.x) / 2.0,
                y: (a.y + b.y) / 2.0 + 80.0,
            },
            _ => centre(st),
        },
        Place::Free => centre(st),
    }
}

fn centre(st: EditorState) -> Point {
    let (w, h) = st.screen.get_untracked();
    st.view.get_untracked().to_world(Point {
        x: w / 2.0 - 80.0,
        y: h / 2.0 - 32.0,
    })
}

/// The creator panel: open while `open` holds a place.
#[component]
pub fn NodeCreator(
    open: RwSignal<Option<Place>>,
    details: RwSignal<Option<String>>,
) -> impl IntoView {
    let st = expect_context::<EditorState>();
    let query = RwSignal::new(String::new());
    let active = RwSignal::new(0usize);
    let input = NodeRef::<leptos::html::Input>::new();
    let with_triggers = move || matches!(open.get(), Some(Place::Free)) && st.selected().len() != 1;
    let results = Memo::new(move |_| search(&query.get(), with_triggers()));
    let flat = Memo::new(move |_| {
        results.with(|r| {
            r.iter()
                .flat_map(|(_, ts)| ts.iter().copied())
                .collect::<Vec<_>>()
        })
    });
    Effect::new(move |_| {
        if open.get().is_some() {
            // One panel at a time: the creator takes the details' place.
            details.set(None);
            query.set(String::new());
            active.set(0);
            if let Some(el) = input.get() {
                let _ = el.focus();
            }
        }
    });
    let close = move || {
        open.set(None);
        if let Some(first) = st.selected().first() {
            browser::focus_node(first);
        }
    };
    let choose = move |t: &'static NodeType| {
        let Some(place) = open.get_untracked() else {
            return;
        };
        let name = add(st, t, &place);
        open.set(None);
        st.select_only(vec![name.clone()]);
        st.reveal(&name);
        st.say(Notice::Info(format!("{name} added")));
        // As in n8n, a new node opens its details (stickies and nodes without parameters too).
        details.set(Some(name));
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let n = flat.with_untracked(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" if n > 0 => active.set((active.get_untracked() + 1) % n),
            "ArrowUp" if n > 0 => active.set((active.get_untracked() + n - 1) % n),
            "Home" => active.set(0),
            "End" if n > 0 => active.set(n - 1),
            "Enter" => {
                if let Some(t) = flat.with_untracked(|f| f.get(active.get_untracked()).copied()) {
                    choose(t);
                }
            }
            "Escape" | "Tab" => close(),
            _ => return,
        }
        ev.prevent_default();
        ev.stop_propagation();
    };
    (move || {
        open.get().map(|place| {
            let title = match &place {
                Place::OnEdge(_) => "Insert a node".to_string(),
                Place::After(from) => format!("Add a node after {}", from.node),
                Place::Free => "Add a node".to_string(),
            };
            view! {
                <aside class="creator card editor-panel" role="dialog" aria-label=title.clone() data-testid="node-creator">
                    <div class="panel-head">
                        <h2>{title.clone()}</h2>
                        <button class="btn" aria-label="Close" on:click=move |_| close()>"×"</button>
                    </div>
                    <input node_ref=input type="search" class="creator-search" placeholder="Search nodes…"
                        role="combobox" aria-expanded="true" aria-controls="creator-list" aria-autocomplete="list"
                        aria-label="Search nodes"
                        aria-activedescendant=move || flat.with(|f| f.get(active.get()).map(|t| option_id(t)))
                        prop:value=move || query.get()
                        on:input=move |ev| { query.set(event_target_value(&ev)); active.set(0); }
                        on:keydown=on_key />
                    <CreatorList results active choose=Callback::new(move |t: &'static NodeType| choose(t)) />
                </aside>
            }
            .into_any()
        })
    })
    .into_any()
}

fn option_id(t: &NodeType) -> String {
    format!("creator-{}", t.name.replace(['.', '@', '/'], "-"))
}

/// The matching types as a listbox, grouped; the active one is the one Enter adds.
#[component]
fn CreatorList(
    results: Memo<Vec<(&'static str, Vec<&'static NodeType>)>>,
    active: RwSignal<usize>,
    choose: Callback<&'static NodeType>,
) -> impl IntoView {
    view! {
        <div id="creator-list" role="listbox" aria-label="Node types" class="creator-list">
            {move || {
                let mut i = 0usize;
                results.get().into_iter().map(|(heading, types)| view! {
                    <div role="group" aria-label=heading>
                        <h3 class="creator-group" aria-hidden="true">{heading}</h3>
                        {types.into_iter().map(|t| {
                            let at = i;
                            i += 1;
                            view! {
                                <div role="option" id=option_id(t) class="creator-item"
                                    class:active=move || active.get() == at
                                    aria-selected=move || (active.get() == at).to_string()
                                    on:pointerdown=move |ev| ev.prevent_default()
                                    on:click=move |_| choose.run(t)>
                                    <strong>{t.display_name}</strong>
                                    <span class="muted small">{t.description}</span>
                                </div>
                            }
                        }).collect_view()}
                    </div>
                }).collect_view()
            }}
        </div>
        <p class="muted" role="status">{move || results.with(Vec::is_empty).then_some("No node matches.")}</p>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use agente_workflow_model::catalogue::lookup;

    #[test]
    fn search_groups_and_ranks_by_name() {
        let r = search("set", true);
        assert_eq!(r[0].0, "Data transformation");
        assert_eq!(r[0].1[0].name, "n8n-nodes-base.set");
        // Every word must match somewhere.
        let r = search("http request", true);
        assert!(
            r.iter()
                .flat_map(|g| &g.1)
                .any(|t| t.name == "n8n-nodes-base.httpRequest")
        );
        assert!(search("no such node here", true).is_empty());
        // "if" is in other groups' descriptions too; the If node still comes first.
        assert_eq!(search("if", false)[0].1[0].name, "n8n-nodes-base.if");
        let all = search("", false);
        assert!(all.iter().all(|(h, _)| *h != "Triggers"));
        assert!(search("", true)[0].0 == "Triggers");
    }

    #[test]
    fn a_new_node_is_the_newest_version_with_its_required_parameters() {
        let hook = new_node(lookup("n8n-nodes-base.webhook").unwrap(), || "u-1".into());
        assert_eq!(hook.name, "Webhook");
        assert_eq!(hook.webhook_id.get().map(String::as_str), Some("u-1"));
        assert_eq!(hook.parameters.get().unwrap()["path"], "u-1");
        let set = new_node(lookup("n8n-nodes-base.set").unwrap(), String::new);
        assert_eq!(set.name, "Edit Fields");
        let spec = params::spec("n8n-nodes-base.set").unwrap();
        assert_eq!(
            set.type_version.get().unwrap(),
            &params::version_number(spec.version)
        );
    }
}
