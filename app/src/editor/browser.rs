//! The few browser calls the editor needs beyond Leptos: where a pointer is on the canvas,
//! which handle lies under it, a wheel listener that may cancel scrolling, the canvas's
//! size, and the local draft. On the server they do nothing (nothing calls them there).

use agente_editor::Point;
use leptos::prelude::*;

/// A node's input under the pointer: the node, the input's index and connection type.
#[derive(Clone, Debug, PartialEq)]
pub struct InputTarget {
    pub node: String,
    pub input: usize,
    pub kind: String,
}

#[cfg(feature = "hydrate")]
mod imp {
    use super::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    pub fn canvas_point(svg: &web_sys::Element, client_x: f64, client_y: f64) -> Point {
        let r = svg.get_bounding_client_rect();
        Point {
            x: client_x - r.left(),
            y: client_y - r.top(),
        }
    }

    /// The input handle (or else the node, as its first input) under a screen point.
    pub fn input_under(client_x: f64, client_y: f64) -> Option<InputTarget> {
        let doc = web_sys::window()?.document()?;
        let hit = doc.element_from_point(client_x as f32, client_y as f32)?;
        if let Some(handle) = hit.closest("[data-input]").ok().flatten() {
            return Some(InputTarget {
                node: handle.get_attribute("data-node")?,
                input: handle.get_attribute("data-input")?.parse().ok()?,
                kind: handle
                    .get_attribute("data-kind")
                    .unwrap_or_else(|| "main".into()),
            });
        }
        let node = hit.closest("g.node").ok().flatten()?;
        (node.get_attribute("data-inputs")?.as_str() != "0").then_some(InputTarget {
            node: node.get_attribute("data-node")?,
            input: 0,
            kind: "main".into(),
        })
    }

    /// The node (or sticky note) under a screen point. Double-clicks land on the canvas,
    /// which holds the pointer while a button is down, so the node is found by position.
    pub fn node_under(client_x: f64, client_y: f64) -> Option<String> {
        let doc = web_sys::window()?.document()?;
        let hit = doc.element_from_point(client_x as f32, client_y as f32)?;
        hit.closest("g.node, g.sticky")
            .ok()
            .flatten()?
            .get_attribute("data-node")
    }

    /// Calls `f(dx, dy, ctrl, x, y)` on every wheel turn over `el`, which then does not
    /// scroll the page (a passive listener could not stop it).
    pub fn on_wheel(el: &web_sys::Element, f: impl Fn(f64, f64, bool, f64, f64) + 'static) {
        let target = el.clone();
        let cb = Closure::<dyn Fn(web_sys::WheelEvent)>::new(move |ev: web_sys::WheelEvent| {
            ev.prevent_default();
            let p = canvas_point(&target, ev.client_x() as f64, ev.client_y() as f64);
            let unit = if ev.delta_mode() == 1 { 16.0 } else { 1.0 };
            f(
                ev.delta_x() * unit,
                ev.delta_y() * unit,
                ev.ctrl_key() || ev.meta_key(),
                p.x,
                p.y,
            );
        });
        let opts = web_sys::AddEventListenerOptions::new();
        opts.set_passive(false);
        let _ = el.add_event_listener_with_callback_and_add_event_listener_options(
            "wheel",
            cb.as_ref().unchecked_ref(),
            &opts,
        );
        cb.forget();
    }

    pub fn size_of(el: &web_sys::Element) -> (f64, f64) {
        let r = el.get_bounding_client_rect();
        (r.width(), r.height())
    }

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok().flatten()
    }

    pub fn load(key: &str) -> Option<String> {
        storage()?.get_item(key).ok().flatten()
    }

    /// Stores `value`; a full or refused storage is reported, never a panic.
    pub fn store(key: &str, value: &str) -> bool {
        storage().is_some_and(|s| s.set_item(key, value).is_ok())
    }

    pub fn forget(key: &str) {
        if let Some(s) = storage() {
            let _ = s.remove_item(key);
        }
    }

    pub fn forget_prefixed(prefix: &str) {
        let Some(s) = storage() else { return };
        let keys: Vec<String> = (0..s.length().unwrap_or(0))
            .filter_map(|i| s.key(i).ok().flatten())
            .filter(|k| k.starts_with(prefix))
            .collect();
        for k in keys {
            let _ = s.remove_item(&k);
        }
    }

    /// Whether a key press is typing into a field (keys then belong to the field).
    pub fn typing(ev: &web_sys::KeyboardEvent) -> bool {
        ev.target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| {
                matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                    || el.get_attribute("contenteditable").is_some()
            })
    }

    pub fn now_ms() -> f64 {
        js_sys::Date::now()
    }

    /// Whether a clipboard event is not the editor's: in a text field, outside the editor,
    /// or with text selected on the page (the browser copies that).
    pub fn clipboard_in_field(ev: &web_sys::ClipboardEvent) -> bool {
        let text_selected = web_sys::window()
            .and_then(|w| w.get_selection().ok().flatten())
            .is_some_and(|s| !s.is_collapsed());
        text_selected
            || !editor_target(ev.target())
            || in_panel_target(ev.target())
            || ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA"))
    }

    /// Whether an event happened in one of the editor's panels (node creator, node
    /// details): there, keys and the clipboard belong to the panel.
    fn in_panel_target(target: Option<web_sys::EventTarget>) -> bool {
        target
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| el.closest(".editor-panel").ok().flatten().is_some())
    }

    /// Whether the page's body has the focus (nothing else does).
    pub fn nothing_focused(ev: &web_sys::KeyboardEvent) -> bool {
        ev.target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_none_or(|el| matches!(el.tag_name().as_str(), "BODY" | "HTML"))
    }

    /// Whether a key press was made on a node or sticky note of the canvas.
    pub fn on_node(ev: &web_sys::KeyboardEvent) -> bool {
        ev.target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| el.closest("g.node, g.sticky").ok().flatten().is_some())
    }

    pub fn in_panel(ev: &web_sys::KeyboardEvent) -> bool {
        in_panel_target(ev.target())
    }

    /// Whether an event happened in the editor or with nothing focused (the page's body).
    fn editor_target(target: Option<web_sys::EventTarget>) -> bool {
        let Some(el) = target.and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else {
            return true;
        };
        matches!(el.tag_name().as_str(), "BODY" | "HTML")
            || el.closest(".editor").ok().flatten().is_some()
    }

    /// Whether a key press is for the editor: made in it, or with nothing focused.
    pub fn keys_for_editor(ev: &web_sys::KeyboardEvent) -> bool {
        editor_target(ev.target())
    }

    /// Ends typing in the focused field, so its change lands before what follows reads it.
    pub fn commit_field() {
        let active = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element())
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(el) = active.filter(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA"))
        {
            let _ = el.blur();
        }
    }

    /// Where the caret is in a text area, in UTF-16 units.
    pub fn caret_in(area: NodeRef<leptos::html::Textarea>) -> Option<usize> {
        let area = area.get_untracked()?;
        area.selection_start().ok().flatten().map(|n| n as usize)
    }

    /// Puts the caret at UTF-16 position `units` of a text area.
    pub fn put_caret(area: NodeRef<leptos::html::Textarea>, units: usize) {
        if let Some(area) = area.get_untracked() {
            let at = units as u32;
            let _ = area.set_selection_range(at, at);
        }
    }

    /// Keeps a pointer's events on `el` until it is released, wherever it moves (over the
    /// zoom buttons, off the canvas).
    pub fn capture(el: &web_sys::Element, pointer: i32) {
        let _ = el.set_pointer_capture(pointer);
    }

    pub fn clipboard_text(ev: &web_sys::ClipboardEvent) -> Option<String> {
        ev.clipboard_data()?.get_data("text/plain").ok()
    }

    pub fn put_clipboard(ev: &web_sys::ClipboardEvent, text: &str) -> bool {
        ev.clipboard_data()
            .is_some_and(|d| d.set_data("text/plain", text).is_ok())
    }

    /// Shows `path` as the page's address without leaving the page (a new workflow's first
    /// save: the editor, its history and selection stay as they are).
    /// Puts `text` on a drag under `kind` (and as plain text for anything else).
    pub fn start_drag(ev: &web_sys::DragEvent, kind: &str, text: &str) {
        if let Some(data) = ev.data_transfer() {
            let _ = data.set_data(kind, text);
            let _ = data.set_data("text/plain", text);
        }
    }

    /// Whether a drag carries data of `kind`.
    pub fn drag_has(ev: &web_sys::DragEvent, kind: &str) -> bool {
        ev.data_transfer()
            .is_some_and(|d| d.types().includes(&kind.into(), 0))
    }

    /// What a drop carries of `kind`.
    pub fn dropped(ev: &web_sys::DragEvent, kind: &str) -> Option<String> {
        ev.data_transfer()?.get_data(kind).ok()
    }

    pub fn show_url(path: &str) {
        if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path));
        }
    }

    /// Focuses the first control matching `selector` (a panel's first field when it opens).
    pub fn focus_first(selector: &str) {
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector(selector).ok().flatten())
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    }

    pub fn focus_node(name: &str) {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        if let Ok(list) = doc.query_selector_all("g.node, g.sticky") {
            for i in 0..list.length() {
                let Some(el) = list
                    .item(i)
                    .and_then(|n| n.dyn_into::<web_sys::SvgElement>().ok())
                else {
                    continue;
                };
                if el.get_attribute("data-node").as_deref() == Some(name) {
                    let _ = el.focus();
                    return;
                }
            }
        }
    }
}

#[cfg(not(feature = "hydrate"))]
mod imp {
    use super::*;
    pub fn input_under(_: f64, _: f64) -> Option<InputTarget> {
        None
    }
    pub fn node_under(_: f64, _: f64) -> Option<String> {
        None
    }
    pub fn load(_: &str) -> Option<String> {
        None
    }
    pub fn store(_: &str, _: &str) -> bool {
        false
    }
    pub fn forget(_: &str) {}
    pub fn forget_prefixed(_: &str) {}
    pub fn now_ms() -> f64 {
        0.0
    }
    pub fn clipboard_in_field(_: &leptos::ev::ClipboardEvent) -> bool {
        false
    }
    pub fn keys_for_editor(_: &leptos::ev::KeyboardEvent) -> bool {
        false
    }
    pub fn in_panel(_: &leptos::ev::KeyboardEvent) -> bool {
        false
    }
    pub fn nothing_focused(_: &leptos::ev::KeyboardEvent) -> bool {
        false
    }
    pub fn on_node(_: &leptos::ev::KeyboardEvent) -> bool {
        false
    }
    pub fn typing(_: &leptos::ev::KeyboardEvent) -> bool {
        false
    }
    pub fn commit_field() {}
    pub fn caret_in(_: NodeRef<leptos::html::Textarea>) -> Option<usize> {
        None
    }
    pub fn put_caret(_: NodeRef<leptos::html::Textarea>, _: usize) {}
    pub fn clipboard_text(_: &leptos::ev::ClipboardEvent) -> Option<String> {
        None
    }
    pub fn put_clipboard(_: &leptos::ev::ClipboardEvent, _: &str) -> bool {
        false
    }
    pub fn focus_node(_: &str) {}
    pub fn focus_first(_: &str) {}
    pub fn show_url(_: &str) {}
    pub fn start_drag(_: &leptos::ev::DragEvent, _: &str, _: &str) {}
    pub fn drag_has(_: &leptos::ev::DragEvent, _: &str) -> bool {
        false
    }
    pub fn dropped(_: &leptos::ev::DragEvent, _: &str) -> Option<String> {
        None
    }
}

pub use imp::*;

/// Keeps the pointer's events on the canvas until release (see `capture`).
pub fn capture_pointer(svg: NodeRef<leptos::svg::Svg>, ev: &leptos::ev::PointerEvent) {
    #[cfg(feature = "hydrate")]
    if let Some(el) = svg.get_untracked() {
        imp::capture(&el, ev.pointer_id());
    }
    let _ = (svg, ev);
}

/// The canvas point of a pointer event.
pub fn pointer_at(svg: NodeRef<leptos::svg::Svg>, ev: &leptos::ev::PointerEvent) -> Point {
    #[cfg(feature = "hydrate")]
    if let Some(el) = svg.get_untracked() {
        return imp::canvas_point(&el, ev.client_x() as f64, ev.client_y() as f64);
    }
    let _ = (svg, ev);
    Point { x: 0.0, y: 0.0 }
}
