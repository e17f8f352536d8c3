//! The editing canvas: nodes and connections in SVG over the viewport, and the pointer
//! gestures on it: pan, zoom, select (click, shift-click, rubber band), drag nodes, draw a
//! connection from an output handle to an input. Only what the viewport shows is drawn, so a
//! 1,000-node workflow stays quick.

use super::browser::{self, pointer_at};
use super::commands::{self, EditorUi};
use super::creator::Place;
use super::geometry::{
    NodeBox, Rect, Viewport, ai_path, fit_label, main_path, near_main_path, pinched,
};
use super::live::{NodeStatus, RunView};
use super::state::EditorState;
use super::sticky;
use super::still::error_tip;
use agente_editor::{Edge, Outlet, Point, snap};
use leptos::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// What the pointer is doing since it went down.
#[derive(Clone, Debug)]
enum Gesture {
    Idle,
    Pan {
        from: Point,
        view: Viewport,
    },
    /// Moving the selection; `anchor` is the grabbed node's position, kept on the grid. A
    /// press on `node` that does not move selects just it (unless Shift was held).
    Drag {
        node: String,
        shift: bool,
        from: Point,
        anchor: Point,
        moved: bool,
    },
    Band {
        from: Point,
    },
    /// Two fingers: the distance between them zooms, their midpoint pans.
    Pinch {
        from: (Point, Point),
        view: Viewport,
    },
    Wire {
        from: Outlet,
        start: Point,
    },
    /// Resizing a sticky note from its corner.
    Resize {
        node: String,
        from: Point,
        size: (f64, f64),
    },
}

#[derive(Clone, Copy)]
struct CanvasCtx {
    st: EditorState,
    /// The nodes being dragged (set when a drag starts, so only they and their edges follow
    /// the pointer: a 1,000-node canvas redraws a handful of elements per frame), and the
    /// drawn offset, committed as one move on release.
    drag_set: RwSignal<Option<Arc<HashSet<String>>>>,
    drag_offset: RwSignal<(f64, f64)>,
    /// Where each finger on the canvas is (by pointer id), for pinching.
    touches: StoredValue<HashMap<i32, Point>>,
    gesture: StoredValue<Gesture>,
    svg: NodeRef<leptos::svg::Svg>,
    selected_edge: RwSignal<Option<Edge>>,
    /// The edge under the pointer: it (or the selected one) gets its "+" drawn. One for
    /// every edge would be three more SVG elements per edge, repainted with every frame of a
    /// drag (a 1,000-node canvas dragged at 49 fps with them, 56 without).
    hovered_edge: RwSignal<Option<Edge>>,
    /// The rubber band, and the connection being drawn (from, to), in workflow coordinates.
    band: RwSignal<Option<Rect>>,
    wire: RwSignal<Option<(Point, Point)>>,
    /// The main outputs that lead somewhere, by (node, output): the others get a "+".
    connected: Memo<HashSet<(String, usize)>>,
    /// A sticky note's size while its corner is dragged.
    resize: RwSignal<Option<(String, f64, f64)>>,
}

impl CanvasCtx {
    /// Whether `name` is being dragged; changes only when a drag starts or ends.
    fn dragged(self, name: String) -> Memo<bool> {
        Memo::new(move |_| {
            self.drag_set
                .with(|s| s.as_ref().is_some_and(|s| s.contains(&name)))
        })
    }

    /// The drawn offset of a node: followed only by the nodes being dragged.
    fn offset(self, dragged: Memo<bool>) -> (f64, f64) {
        if dragged.get() {
            self.drag_offset.get()
        } else {
            (0.0, 0.0)
        }
    }
}

#[component]
pub fn EditorCanvas(selected_edge: RwSignal<Option<Edge>>) -> impl IntoView {
    let st = expect_context::<EditorState>();
    let ui = expect_context::<EditorUi>();
    let svg = NodeRef::<leptos::svg::Svg>::new();
    let cx = CanvasCtx {
        st,
        drag_set: RwSignal::new(None),
        drag_offset: RwSignal::new((0.0, 0.0)),
        touches: StoredValue::new(HashMap::new()),
        gesture: StoredValue::new(Gesture::Idle),
        svg,
        selected_edge,
        hovered_edge: RwSignal::new(None),
        band: RwSignal::new(None),
        wire: RwSignal::new(None),
        resize: RwSignal::new(None),
        connected: Memo::new(move |_| {
            st.edges.with(|edges| {
                edges
                    .iter()
                    .filter(|e| e.from.kind == "main")
                    .map(|e| (e.from.node.clone(), e.from.index))
                    .collect()
            })
        }),
    };
    let index = Memo::new(move |_| {
        st.boxes.with(|b| {
            b.iter()
                .enumerate()
                .map(|(i, b)| (b.name.clone(), i))
                .collect::<HashMap<_, _>>()
        })
    });
    let visible = visible_boxes(st);
    let visible_edges = visible_edges(st, index);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(el) = svg.get() {
            attach(st, svg, &el);
        }
    });
    let transform = move || {
        let v = st.view.get();
        format!("translate({},{}) scale({})", v.x, v.y, v.zoom)
    };
    let grid = move || {
        let v = st.view.get();
        let step = 20.0 * v.zoom;
        (
            format!("{}", v.x.rem_euclid(step)),
            format!("{}", v.y.rem_euclid(step)),
            step.to_string(),
        )
    };
    provide_context(cx);
    view! {
        <svg
            node_ref=svg
            class="canvas canvas-editor"
            data-testid="canvas"
            role="application"
            aria-label="Workflow canvas"
            aria-roledescription="workflow canvas"
            on:pointerdown=move |ev| press(cx, &ev)
            on:pointermove=move |ev| pointer_moved(cx, &ev)
            on:pointerup=move |ev| release(cx, &ev, false)
            on:pointercancel=move |ev| release(cx, &ev, true)
            on:dblclick=move |ev| {
                if let Some(name) = browser::node_under(f64::from(ev.client_x()), f64::from(ev.client_y())) {
                    ui.details.set(Some(name));
                }
            }
        >
            <defs>
                <pattern id="grid" patternUnits="userSpaceOnUse" x=move || grid().0 y=move || grid().1 width=move || grid().2 height=move || grid().2>
                    <circle cx="1" cy="1" r="1" class="grid-dot" />
                </pattern>
            </defs>
            <rect class="canvas-bg" width="100%" height="100%" fill="url(#grid)" />
            <g transform=transform>
                <For each=move || visible_edges.get() key=edge_key let:edge>
                    <EdgeView edge index />
                </For>
                <For each=move || visible.get() key=box_key let:b>
                    <NodeView b />
                </For>
                {move || cx.wire.get().map(|(a, b)| view! { <path class="edge edge-draft" d=main_path(a, b) /> })}
                {move || cx.band.get().map(|r| view! { <rect class="band" x=r.x y=r.y width=r.w height=r.h /> })}
            </g>
        </svg>
    }
    .into_any()
}

/// The part of the workflow culling keeps: what the screen shows, with a margin so that a
/// pan does not pop nodes in.
fn shown(st: EditorState) -> Rect {
    let view = st.view.get();
    view.visible(st.screen.get()).grow(160.0 / view.zoom)
}

fn visible_boxes(st: EditorState) -> Memo<Vec<NodeBox>> {
    Memo::new(move |_| {
        let r = shown(st);
        st.boxes
            .with(|b| b.iter().filter(|b| b.intersects(&r)).cloned().collect())
    })
}

/// Edges whose two ends span a rectangle the screen touches.
fn visible_edges(st: EditorState, index: Memo<HashMap<String, usize>>) -> Memo<Vec<Edge>> {
    Memo::new(move |_| {
        let r = shown(st);
        index.with(|ix| {
            st.boxes.with(|b| {
                st.edges.with(|edges| {
                    edges
                        .iter()
                        .filter(|e| match (ix.get(&e.from.node), ix.get(&e.to)) {
                            (Some(f), Some(t)) => {
                                Rect::around([&b[*f], &b[*t]]).is_some_and(|span| span.overlaps(&r))
                            }
                            _ => false,
                        })
                        .cloned()
                        .collect()
                })
            })
        })
    })
}

/// Measures the canvas (now and on every resize), takes the wheel, and shows the whole
/// workflow once.
#[cfg(feature = "hydrate")]
fn attach(st: EditorState, svg: NodeRef<leptos::svg::Svg>, el: &web_sys::Element) {
    st.screen.set(browser::size_of(el));
    let resize = window_event_listener(leptos::ev::resize, move |_| {
        if let Some(el) = svg.get_untracked() {
            st.screen.set(browser::size_of(&el));
        }
    });
    on_cleanup(move || resize.remove());
    browser::on_wheel(el, move |dx, dy, zoom, x, y| {
        st.view.update(|v| {
            *v = if zoom {
                v.zoomed((-dy * 0.002).exp(), Point { x, y })
            } else {
                Viewport {
                    x: v.x - dx,
                    y: v.y - dy,
                    zoom: v.zoom,
                }
            };
        });
    });
    st.fit();
}

/// The pointer went down on the background: pan (middle button, Ctrl, or a finger) or
/// start a rubber band.
fn press(cx: CanvasCtx, ev: &leptos::ev::PointerEvent) {
    if ev.button() > 1 {
        return;
    }
    let st = cx.st;
    browser::capture_pointer(cx.svg, ev);
    let at = pointer_at(cx.svg, ev);
    let pan = ev.button() == 1 || ev.ctrl_key() || ev.meta_key() || ev.pointer_type() == "touch";
    cx.selected_edge.set(None);
    if ev.pointer_type() == "touch" {
        cx.touches.update_value(|t| {
            t.insert(ev.pointer_id(), at);
        });
        if let Some(pair) = two_fingers(cx) {
            cx.gesture.set_value(Gesture::Pinch {
                from: pair,
                view: st.view.get_untracked(),
            });
            return;
        }
    }
    let g = if pan {
        Gesture::Pan {
            from: at,
            view: st.view.get_untracked(),
        }
    } else {
        if !ev.shift_key() {
            st.select_only(Vec::new());
        }
        Gesture::Band { from: at }
    };
    cx.gesture.set_value(g);
}

/// The two fingers on the canvas, in the order they came down; none unless exactly two.
fn two_fingers(cx: CanvasCtx) -> Option<(Point, Point)> {
    cx.touches.with_value(|t| {
        let mut ids: Vec<_> = t.keys().copied().collect();
        ids.sort_unstable();
        match ids.as_slice() {
            [a, b] => Some((t[a], t[b])),
            _ => None,
        }
    })
}

fn pointer_moved(cx: CanvasCtx, ev: &leptos::ev::PointerEvent) {
    let st = cx.st;
    let at = pointer_at(cx.svg, ev);
    if ev.pointer_type() == "touch" {
        cx.touches.update_value(|t| {
            if let Some(p) = t.get_mut(&ev.pointer_id()) {
                *p = at;
            }
        });
    }
    let view = st.view.get_untracked();
    cx.gesture.update_value(|g| match g {
        Gesture::Idle => {}
        Gesture::Pan { from, view: v } => {
            st.view.set(Viewport {
                x: v.x + at.x - from.x,
                y: v.y + at.y - from.y,
                zoom: v.zoom,
            });
        }
        Gesture::Drag {
            from,
            anchor,
            moved,
            ..
        } => {
            let (dx, dy) = ((at.x - from.x) / view.zoom, (at.y - from.y) / view.zoom);
            if !*moved && dx.abs() < 3.0 && dy.abs() < 3.0 {
                return;
            }
            if !*moved {
                *moved = true;
                cx.drag_set
                    .set(Some(Arc::new(st.selected().into_iter().collect())));
            }
            // Snapped so the grabbed node lands on the grid, the others keep their distance.
            let to = snap(Point {
                x: anchor.x + dx,
                y: anchor.y + dy,
            });
            cx.drag_offset.set((to.x - anchor.x, to.y - anchor.y));
        }
        Gesture::Band { from } => {
            cx.band.set(Some(Rect::spanning(
                view.to_world(*from),
                view.to_world(at),
            )));
        }
        Gesture::Wire { start, .. } => cx.wire.set(Some((*start, view.to_world(at)))),
        Gesture::Pinch { from, view: v } => {
            if let Some(now) = two_fingers(cx) {
                st.view.set(pinched(*v, *from, now));
            }
        }
        Gesture::Resize { node, from, size } => {
            let w = snap_len(size.0 + (at.x - from.x) / view.zoom, MIN_STICKY.0);
            let h = snap_len(size.1 + (at.y - from.y) / view.zoom, MIN_STICKY.1);
            cx.resize.set(Some((node.clone(), w, h)));
        }
    });
}

/// The pointer went up (or away): a drag becomes one move, a band a selection, a wire
/// dropped on an input a connection.
fn release(cx: CanvasCtx, ev: &leptos::ev::PointerEvent, cancelled: bool) {
    let st = cx.st;
    cx.touches.update_value(|t| {
        t.remove(&ev.pointer_id());
    });
    let g = cx
        .gesture
        .try_update_value(|g| std::mem::replace(g, Gesture::Idle))
        .unwrap_or(Gesture::Idle);
    match g {
        Gesture::Drag { moved: true, .. } if !cancelled => {
            let (dx, dy) = cx.drag_offset.get_untracked();
            let names = st.selected();
            let target = match names.as_slice() {
                [one] => edge_under_dropped(st, one, dx, dy),
                _ => None,
            };
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            st.attempt(|e| {
                e.begin_group();
                let moved = e.move_nodes(&names, dx, dy);
                if let (Ok(()), Some(edge)) = (&moved, &target) {
                    // Refused only for a node already on the edge: then it just moved.
                    let _ = e.insert_on_edge(names[0], edge);
                }
                e.end_group();
                moved
            });
        }
        Gesture::Resize { node, .. } if !cancelled => {
            if let Some((_, w, h)) = cx.resize.get_untracked() {
                st.attempt(|e| {
                    e.update_node(&node, |n| {
                        let mut p = n.parameters.get().cloned().unwrap_or_default();
                        p.insert("width".into(), serde_json::Value::from(w as i64));
                        p.insert("height".into(), serde_json::Value::from(h as i64));
                        n.parameters = agente_workflow_model::Field::Value(p);
                    })
                });
            }
        }
        Gesture::Drag {
            node,
            shift: false,
            moved: false,
            ..
        } if !cancelled => st.select_only(vec![node]),
        Gesture::Band { .. } if !cancelled => {
            if let Some(r) = cx.band.get_untracked() {
                let hit: Vec<String> = st.boxes.with_untracked(|b| {
                    b.iter()
                        .filter(|b| b.intersects(&r))
                        .map(|b| b.name.clone())
                        .collect()
                });
                st.selection.update(|s| {
                    for n in hit {
                        if !s.contains(&n) {
                            s.push(n);
                        }
                    }
                });
            }
        }
        Gesture::Wire { from, .. } if !cancelled => {
            if let Some(target) =
                browser::input_under(f64::from(ev.client_x()), f64::from(ev.client_y()))
                && target.kind == from.kind
                && target.node != from.node
            {
                st.attempt(|e| e.connect(&from, &target.node, target.input).map(|_| ()));
            }
        }
        _ => {}
    }
    cx.drag_set.set(None);
    cx.drag_offset.set((0.0, 0.0));
    cx.band.set(None);
    cx.wire.set(None);
    cx.resize.set(None);
}

/// The smallest sticky note (n8n's).
const MIN_STICKY: (f64, f64) = (150.0, 80.0);

/// A length on the grid, at least `min`.
fn snap_len(v: f64, min: f64) -> f64 {
    ((v / 20.0).round() * 20.0).max(min)
}

/// The main edge a lone node was dropped onto, if it has no connections yet and takes an
/// input and gives an output (n8n inserts such a node into the edge).
fn edge_under_dropped(st: EditorState, name: &str, dx: f64, dy: f64) -> Option<Edge> {
    let edges = st.edges.get_untracked();
    if edges.iter().any(|e| e.from.node == name || e.to == name) {
        return None;
    }
    st.boxes.with_untracked(|boxes| {
        let b = boxes.iter().find(|b| b.name == name)?;
        if b.inputs == 0 || b.outputs.is_empty() || b.sticky.is_some() {
            return None;
        }
        let centre = Point {
            x: b.x + dx + b.w / 2.0,
            y: b.y + dy + b.h / 2.0,
        };
        let at = |n: &str| boxes.iter().find(|x| x.name == n);
        edges.into_iter().find(|e| {
            e.from.kind == "main"
                && match (at(&e.from.node), at(&e.to)) {
                    (Some(f), Some(t)) => {
                        near_main_path(centre, f.output_at(e.from.index), t.input_at(e.input), 24.0)
                    }
                    _ => false,
                }
        })
    })
}

fn box_key(b: &NodeBox) -> String {
    format!(
        "{}\u{1}{}\u{1}{}\u{1}{}\u{1}{}\u{1}{:?}\u{1}{}\u{1}{}",
        b.name, b.x, b.y, b.disabled, b.label, b.outputs, b.w, b.h
    ) + &b
        .sticky
        .as_ref()
        .map(|s| format!("{}{}", s.color, s.content))
        .unwrap_or_default()
}

fn edge_key(e: &Edge) -> String {
    format!(
        "{}\u{1}{}\u{1}{}\u{1}{}\u{1}{}",
        e.from.node, e.from.kind, e.from.index, e.to, e.input
    )
}

#[component]
fn EdgeView(edge: Edge, index: Memo<HashMap<String, usize>>) -> impl IntoView {
    let cx = expect_context::<CanvasCtx>();
    let st = cx.st;
    let ai = edge.from.kind != "main";
    let (e1, e2) = (edge.clone(), edge.clone());
    // Where the edge starts and ends, from the document; the pointer only shifts it while
    // one of its nodes is dragged.
    let ends = Memo::new(move |_| {
        let (f, t) = index.with(|ix| (ix.get(&e1.from.node).copied(), ix.get(&e1.to).copied()));
        let (f, t) = (f?, t?);
        st.boxes.with(|b| {
            let (fb, tb) = (&b[f], &b[t]);
            Some(if ai {
                (fb.ai_output_at(), tb.ai_input_at(&e1.from.kind))
            } else {
                (fb.output_at(e1.from.index), tb.input_at(e1.input))
            })
        })
    });
    let (from_dragged, to_dragged) = (
        cx.dragged(edge.from.node.clone()),
        cx.dragged(edge.to.clone()),
    );
    let d = Memo::new(move |_| {
        let Some((a, b)) = ends.get() else {
            return String::new();
        };
        let ((fdx, fdy), (tdx, tdy)) = (cx.offset(from_dragged), cx.offset(to_dragged));
        let (a, b) = (
            Point {
                x: a.x + fdx,
                y: a.y + fdy,
            },
            Point {
                x: b.x + tdx,
                y: b.y + tdy,
            },
        );
        if ai { ai_path(a, b) } else { main_path(a, b) }
    });
    let selected = Memo::new(move |_| cx.selected_edge.with(|s| s.as_ref() == Some(&e2)));
    let this = edge.clone();
    let near = Memo::new(move |_| {
        !ai && (selected.get() || cx.hovered_edge.with(|h| h.as_ref() == Some(&this)))
    });
    let (enter, leave, gone) = (edge.clone(), edge.clone(), edge.clone());
    // Removed or culled while under the pointer: no leave event comes, so forget it here
    // (an equal edge drawn later must not show its "+" unhovered).
    on_cleanup(move || {
        if cx
            .hovered_edge
            .try_with_untracked(|h| h.as_ref() == Some(&gone))
            == Some(true)
        {
            let _ = cx.hovered_edge.try_set(None);
        }
    });
    let class = move || match (ai, selected.get()) {
        (true, true) => "edge edge-ai selected",
        (true, false) => "edge edge-ai",
        (false, true) => "edge selected",
        (false, false) => "edge",
    };
    let pick = edge.clone();
    let ui = expect_context::<EditorUi>();
    let insert = edge.clone();
    let mid = move || {
        ends.get()
            .map(|(a, b)| format!("translate({},{})", (a.x + b.x) / 2.0, (a.y + b.y) / 2.0))
            .unwrap_or_default()
    };
    // Items the shown run sent along this edge (main edges: the source output's count).
    let run = expect_context::<RwSignal<RunView>>();
    let counted = edge.clone();
    let items = Memo::new(move |_| {
        run.with(|r| {
            (!ai)
                .then(|| r.items_on(&counted.from.node, counted.from.index))
                .flatten()
        })
    });
    view! {
        <g class="edge-group"
            on:pointerenter=move |_| cx.hovered_edge.set(Some(enter.clone()))
            on:pointerleave=move |_| {
                if cx.hovered_edge.with_untracked(|h| h.as_ref() == Some(&leave)) {
                    cx.hovered_edge.set(None);
                }
            }>
            <path class="edge-hit" d=d on:pointerdown=move |ev| {
                ev.stop_propagation();
                cx.selected_edge.set(Some(pick.clone()));
                st.select_only(Vec::new());
            } />
            <path class=class d=d data-kind=edge.from.kind.clone() data-from=edge.from.node.clone() data-to=edge.to.clone() />
            {move || items.get().map(|n| view! {
                <text class="edge-items" transform=mid y="-16" text-anchor="middle" data-testid="edge-items">
                    {if n == 1 { "1 item".to_string() } else { format!("{n} items") }}
                </text>
            })}
            {move || near.get().then(|| {
                let insert = insert.clone();
                view! {
                <g class="edge-add" transform=mid role="button" aria-label=format!("Insert a node between {} and {}", insert.from.node, insert.to)
                    on:pointerdown=move |ev| ev.stop_propagation()
                    on:click=move |_| ui.creator.set(Some(Place::OnEdge(insert.clone())))>
                    <rect x="-11" y="-11" width="22" height="22" rx="4" />
                    <text y="5" text-anchor="middle">"+"</text>
                </g>
            }})}
        </g>
    }
}

#[component]
fn NodeView(b: NodeBox) -> impl IntoView {
    let cx = expect_context::<CanvasCtx>();
    let st = cx.st;
    let name = b.name.clone();
    let (n1, n2, n3) = (name.clone(), name.clone(), name.clone());
    let ui = expect_context::<EditorUi>();
    let (x, y) = (b.x, b.y);
    let dragged = cx.dragged(n1);
    let transform = move || {
        let (dx, dy) = cx.offset(dragged);
        format!("translate({},{})", x + dx, y + dy)
    };
    let selected = Signal::derive(move || st.is_selected(&n2));
    let run = expect_context::<RwSignal<RunView>>();
    let (n4, n5) = (name.clone(), name.clone());
    let node_run = Memo::new(move |_| run.with(|r| r.nodes.get(&n4).cloned()));
    let pinned = Memo::new(move |_| commands::is_pinned(st, &n5));
    let on_down = move |ev: leptos::ev::PointerEvent| {
        if ev.button() != 0 {
            return;
        }
        ev.stop_propagation();
        cx.selected_edge.set(None);
        if ev.shift_key() {
            st.toggle_selected(&n3);
        } else if !st.is_selected(&n3) {
            st.select_only(vec![n3.clone()]);
        }
        browser::capture_pointer(cx.svg, &ev);
        cx.gesture.set_value(Gesture::Drag {
            node: n3.clone(),
            shift: ev.shift_key(),
            from: pointer_at(cx.svg, &ev),
            anchor: Point { x, y },
            moved: false,
        });
    };
    if let Some(sticky) = b.sticky.clone() {
        let class = move || {
            format!(
                "sticky sticky-{}{}",
                sticky.color,
                if selected.get() { " selected" } else { "" }
            )
        };
        let (rn, rn2) = (name.clone(), name.clone());
        let size = Memo::new(move |_| {
            cx.resize
                .with(|r| {
                    r.as_ref()
                        .filter(|(n, ..)| *n == rn)
                        .map(|(_, w, h)| (*w, *h))
                })
                .unwrap_or((b.w, b.h))
        });
        let start_resize = move |ev: leptos::ev::PointerEvent| {
            if ev.button() != 0 {
                return;
            }
            ev.stop_propagation();
            browser::capture_pointer(cx.svg, &ev);
            cx.gesture.set_value(Gesture::Resize {
                node: rn2.clone(),
                from: pointer_at(cx.svg, &ev),
                size: (b.w, b.h),
            });
        };
        return view! {
            <g class=class transform=transform data-node=name.clone() tabindex="0" role="note" aria-label=format!("Sticky note: {}", sticky.content)
                on:pointerdown=on_down>
                <rect width=move || size.get().0 height=move || size.get().1 rx="6" />
                <foreignObject x="8" y="8" width=move || size.get().0 - 16.0 height=move || size.get().1 - 16.0>
                    <div class="sticky-text">{sticky::render(&sticky.content)}</div>
                </foreignObject>
                <rect class="sticky-resize" x=move || size.get().0 - 14.0 y=move || size.get().1 - 14.0 width="14" height="14"
                    aria-hidden="true" on:pointerdown=start_resize />
            </g>
        }
        .into_any();
    }
    let class = move || {
        let mut c = String::from("node");
        if b.disabled {
            c.push_str(" disabled");
        }
        if !b.supported {
            c.push_str(" unsupported");
        }
        if b.ai_output.is_some() {
            c.push_str(" sub-node");
        }
        if selected.get() {
            c.push_str(" selected");
        }
        if pinned.get() {
            c.push_str(" pinned");
        }
        match node_run.with(|r| r.as_ref().map(|r| r.status)) {
            Some(NodeStatus::Running) => c.push_str(" run-running"),
            Some(NodeStatus::Success) => c.push_str(" run-success"),
            Some(NodeStatus::Error) => c.push_str(" run-error"),
            None => {}
        }
        c
    };
    let label = format!(
        "{}, {}{}{}",
        b.name,
        b.label,
        if b.disabled { ", disabled" } else { "" },
        if b.supported {
            ""
        } else {
            ", not supported here"
        }
    );
    let rx = if b.ai_output.is_some() {
        b.h / 2.0
    } else {
        10.0
    };
    let inputs = (0..b.inputs)
        .map(|i| {
            let p = b.input_at(i);
            view! { <circle class="handle handle-in" cx=p.x - x cy=p.y - y r="6" data-node=name.clone() data-input=i data-kind="main" /> }
        })
        .collect_view();
    let outputs = b
        .outputs
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let p = b.output_at(i);
            let outlet = Outlet { node: name.clone(), kind: "main".into(), index: i };
            let after = outlet.clone();
            let error = label == "error";
            let n = name.clone();
            let free = Memo::new(move |_| cx.connected.with(|c| !c.contains(&(n.clone(), i))));
            let what = if label.is_empty() { name.clone() } else { format!("{name} ({label})") };
            view! {
                {move || free.get().then(|| {
                    let after = after.clone();
                    view! {
                        <g class="handle-add" transform=format!("translate({},{})", p.x - x + 36.0, p.y - y) role="button"
                            aria-label=format!("Add a node after {what}")
                            on:pointerdown=move |ev| ev.stop_propagation()
                            on:click=move |_| ui.creator.set(Some(Place::After(after.clone())))>
                            <line x1="-29" y1="0" x2="-10" y2="0" />
                            <rect x="-10" y="-10" width="20" height="20" rx="4" />
                            <text y="5" text-anchor="middle">"+"</text>
                        </g>
                    }
                })}
                <circle
                    class=if error { "handle handle-out handle-error" } else { "handle handle-out" }
                    cx=p.x - x cy=p.y - y r="7"
                    data-output=i
                    on:pointerdown=move |ev| start_wire(cx, ev, outlet.clone(), p)
                />
                {(!label.is_empty()).then(|| view! { <text class="handle-label" x=p.x - x + 10.0 y=p.y - y - 6.0>{label.clone()}</text> })}
            }
        })
        .collect_view();
    let ai_inputs = b
        .ai_inputs
        .iter()
        .map(|kind| {
            let p = b.ai_input_at(kind);
            let short = kind.trim_start_matches("ai_");
            view! {
                <rect class="handle handle-ai-in" x=p.x - x - 6.0 y=p.y - y - 6.0 width="12" height="12" transform=format!("rotate(45 {} {})", p.x - x, p.y - y)
                    data-node=name.clone() data-input="0" data-kind=*kind />
                <text class="handle-label" x=p.x - x y=p.y - y + 20.0 text-anchor="middle">{short.to_string()}</text>
            }
        })
        .collect_view();
    let ai_output = b.ai_output.map(|kind| {
        let p = b.ai_output_at();
        let outlet = Outlet { node: name.clone(), kind: kind.into(), index: 0 };
        view! {
            <rect class="handle handle-ai-out" x=p.x - x - 6.0 y=p.y - y - 6.0 width="12" height="12" transform=format!("rotate(45 {} {})", p.x - x, p.y - y)
                on:pointerdown=move |ev| start_wire(cx, ev, outlet.clone(), p) />
        }
    });
    view! {
        <g class=class transform=transform data-node=name.clone() data-inputs=b.inputs tabindex="0" role="button"
            aria-label=label aria-pressed=move || selected.get().to_string() on:pointerdown=on_down

            on:focus=move |_| {
                if !st.is_selected(&name) {
                    st.select_only(vec![name.clone()]);
                }
            }>
            <title>{b.name.clone()}</title>
            <rect class="node-body" width=b.w height=b.h rx=rx />
            <text x="12" y="26" class="node-name">{fit_label(&b.name, 18)}</text>
            <text x="12" y="46" class="node-kind">{fit_label(&b.label, 20)}</text>
            {(!b.supported).then(|| view! { <text x="12" y=b.h + 16.0 class="node-badge">"not supported here"</text> })}
            {move || pinned.get().then(|| view! {
                <text class="pin-badge" x="0" y="-8" data-testid="pin-badge">"pinned"<title>"Runs use this node's pinned items instead of running it (P to unpin)"</title></text>
            })}
            {move || node_run.get().map(|r| view! {
                <text class="run-badge" x=b.w y="-8" text-anchor="end" data-testid="run-badge">
                    {r.summary()}
                    {r.error.map(error_tip)}
                </text>
            })}
            {inputs}
            {outputs}
            {ai_inputs}
            {ai_output}
        </g>
    }
    .into_any()
}

fn start_wire(cx: CanvasCtx, ev: leptos::ev::PointerEvent, from: Outlet, start: Point) {
    if ev.button() != 0 {
        return;
    }
    ev.stop_propagation();
    browser::capture_pointer(cx.svg, &ev);
    cx.gesture.set_value(Gesture::Wire { from, start });
}

/// The whole workflow in small, with the part on screen outlined; a click moves the view.
#[component]
pub fn Minimap() -> impl IntoView {
    let st = expect_context::<EditorState>();
    let bounds = Memo::new(move |_| {
        st.boxes.with(|b| {
            Rect::around(b.iter())
                .map(|r| r.grow(80.0))
                .unwrap_or(Rect {
                    x: 0.0,
                    y: 0.0,
                    w: 800.0,
                    h: 600.0,
                })
        })
    });
    let (w, h) = (200.0, 130.0);
    let scale = move || {
        let r = bounds.get();
        (w / r.w).min(h / r.h)
    };
    let seen = move || {
        let v = st.view.get();
        let r = v.visible(st.screen.get());
        let (b, s) = (bounds.get(), scale());
        ((r.x - b.x) * s, (r.y - b.y) * s, r.w * s, r.h * s)
    };
    let on_down = move |ev: leptos::ev::PointerEvent| {
        let (b, s) = (bounds.get_untracked(), scale());
        let world = Point {
            x: b.x + ev.offset_x() as f64 / s,
            y: b.y + ev.offset_y() as f64 / s,
        };
        let (sw, sh) = st.screen.get_untracked();
        st.view.update(|v| {
            v.x = sw / 2.0 - world.x * v.zoom;
            v.y = sh / 2.0 - world.y * v.zoom;
        });
    };
    view! {
        <svg class="minimap" width=w height=h aria-hidden="true" on:pointerdown=on_down>
            <rect class="minimap-bg" width=w height=h />
            {move || {
                let (b, s) = (bounds.get(), scale());
                st.boxes.with(|boxes| boxes.iter().map(|n| view! {
                    <rect class="minimap-node" x=(n.x - b.x) * s y=(n.y - b.y) * s width=(n.w * s).max(2.0) height=(n.h * s).max(2.0) />
                }).collect_view())
            }}
            <rect class="minimap-view" x=move || seen().0 y=move || seen().1 width=move || seen().2.max(4.0) height=move || seen().3.max(4.0) />
        </svg>
    }
    .into_any()
}
