//! Where things are drawn: node boxes and their handles in workflow coordinates (n8n's
//! `position`), edge curves, and the viewport that maps them to the screen. Pure functions,
//! tested without a browser.

use agente_editor::Point;
use agente_workflow_model::catalogue;
use agente_workflow_model::{Node, ports};
use serde_json::Value;

pub const NODE_W: f64 = 160.0;
pub const NODE_H: f64 = 64.0;
/// An AI sub-node is drawn round, as n8n does.
pub const SUB_W: f64 = 120.0;
pub const MIN_ZOOM: f64 = 0.1;
pub const MAX_ZOOM: f64 = 4.0;
const STICKY_W: f64 = 240.0;
const STICKY_H: f64 = 160.0;

/// A node as the canvas draws it.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeBox {
    pub name: String,
    /// The catalogue's name for the type, or the type's last segment.
    pub label: String,
    pub kind: String,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub disabled: bool,
    /// The engine runs this type (everything in the catalogue runs: an engine test says so).
    pub supported: bool,
    pub inputs: usize,
    /// One label per output handle (empty for a plain single output).
    pub outputs: Vec<String>,
    /// A sub-node's connection to its parent, drawn from its top.
    pub ai_output: Option<&'static str>,
    /// The `ai_*` handles along an AI root node's bottom.
    pub ai_inputs: &'static [&'static str],
    pub sticky: Option<Sticky>,
}

/// A sticky note's text and colour (n8n's `color` 1–7).
#[derive(Clone, Debug, PartialEq)]
pub struct Sticky {
    pub content: String,
    pub color: u8,
}

impl NodeBox {
    pub fn of(node: &Node) -> Self {
        let (x, y) = node.xy();
        let sticky = (node.kind == "n8n-nodes-base.stickyNote").then(|| {
            let p = node.parameters();
            Sticky {
                content: p
                    .get("content")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                color: p
                    .get("color")
                    .and_then(Value::as_u64)
                    .unwrap_or(1)
                    .clamp(1, 7) as u8,
            }
        });
        let known = catalogue::lookup(&node.kind);
        let ai_output = ports::ai_output(node);
        let (w, h) = match (&sticky, ai_output) {
            (Some(_), _) => {
                let p = node.parameters();
                let dim = |k: &str, d: f64| {
                    p.get(k)
                        .and_then(Value::as_f64)
                        .filter(|v| *v >= 40.0)
                        .unwrap_or(d)
                };
                (dim("width", STICKY_W), dim("height", STICKY_H))
            }
            (None, Some(_)) => (SUB_W, NODE_H),
            (None, None) => (NODE_W, NODE_H),
        };
        NodeBox {
            name: node.name.clone(),
            label: known.map_or_else(
                || node.kind.rsplit('.').next().unwrap_or_default().to_string(),
                |t| t.display_name.to_string(),
            ),
            kind: node.kind.clone(),
            x,
            y,
            w,
            h,
            disabled: node.is_disabled(),
            supported: known.is_some(),
            inputs: ports::main_inputs(node),
            outputs: ports::output_labels(node),
            ai_output,
            ai_inputs: ports::ai_inputs(node),
            sticky,
        }
    }

    /// Where output `index` leaves the node (right edge).
    pub fn output_at(&self, index: usize) -> Point {
        let n = self.outputs.len().max(1) as f64;
        Point {
            x: self.x + self.w,
            y: self.y + self.h * (index as f64 + 1.0) / (n + 1.0),
        }
    }

    /// Where `main` input `index` enters the node (left edge).
    pub fn input_at(&self, index: usize) -> Point {
        let n = self.inputs.max(1) as f64;
        Point {
            x: self.x,
            y: self.y + self.h * (index as f64 + 1.0) / (n + 1.0),
        }
    }

    /// Where an `ai_*` connection of `kind` enters an AI root node (bottom edge).
    pub fn ai_input_at(&self, kind: &str) -> Point {
        let n = self.ai_inputs.len().max(1) as f64;
        let i = self.ai_inputs.iter().position(|k| *k == kind).unwrap_or(0) as f64;
        Point {
            x: self.x + self.w * (i + 1.0) / (n + 1.0),
            y: self.y + self.h,
        }
    }

    /// Where a sub-node's connection leaves it (top centre).
    pub fn ai_output_at(&self) -> Point {
        Point {
            x: self.x + self.w / 2.0,
            y: self.y,
        }
    }

    pub fn intersects(&self, r: &Rect) -> bool {
        Rect {
            x: self.x,
            y: self.y,
            w: self.w,
            h: self.h,
        }
        .overlaps(r)
    }
}

/// A rectangle in workflow coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    /// The rectangle spanned by two corners in any order.
    pub fn spanning(a: Point, b: Point) -> Self {
        Rect {
            x: a.x.min(b.x),
            y: a.y.min(b.y),
            w: (a.x - b.x).abs(),
            h: (a.y - b.y).abs(),
        }
    }

    /// The smallest rectangle around every box; none for no boxes.
    pub fn around<'a>(boxes: impl IntoIterator<Item = &'a NodeBox>) -> Option<Self> {
        let mut it = boxes.into_iter();
        let first = it.next()?;
        let (mut x0, mut y0, mut x1, mut y1) =
            (first.x, first.y, first.x + first.w, first.y + first.h);
        for b in it {
            x0 = x0.min(b.x);
            y0 = y0.min(b.y);
            x1 = x1.max(b.x + b.w);
            y1 = y1.max(b.y + b.h);
        }
        Some(Rect {
            x: x0,
            y: y0,
            w: x1 - x0,
            h: y1 - y0,
        })
    }

    pub fn overlaps(&self, r: &Rect) -> bool {
        self.x <= r.x + r.w
            && self.x + self.w >= r.x
            && self.y <= r.y + r.h
            && self.y + self.h >= r.y
    }

    pub fn grow(self, by: f64) -> Self {
        Rect {
            x: self.x - by,
            y: self.y - by,
            w: self.w + 2.0 * by,
            h: self.h + 2.0 * by,
        }
    }
}

/// What part of the workflow the screen shows: screen = world × zoom + (x, y).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Viewport {
    pub x: f64,
    pub y: f64,
    pub zoom: f64,
}

impl Default for Viewport {
    fn default() -> Self {
        Viewport {
            x: 40.0,
            y: 40.0,
            zoom: 1.0,
        }
    }
}

impl Viewport {
    pub fn to_world(self, screen: Point) -> Point {
        Point {
            x: (screen.x - self.x) / self.zoom,
            y: (screen.y - self.y) / self.zoom,
        }
    }

    /// The part of the workflow a screen of `size` shows.
    pub fn visible(self, size: (f64, f64)) -> Rect {
        let a = self.to_world(Point { x: 0.0, y: 0.0 });
        Rect {
            x: a.x,
            y: a.y,
            w: size.0 / self.zoom,
            h: size.1 / self.zoom,
        }
    }

    /// Zoomed by `factor` keeping the world point under `screen` where it is.
    pub fn zoomed(self, factor: f64, screen: Point) -> Self {
        let zoom = (self.zoom * factor).clamp(MIN_ZOOM, MAX_ZOOM);
        let world = self.to_world(screen);
        Viewport {
            x: screen.x - world.x * zoom,
            y: screen.y - world.y * zoom,
            zoom,
        }
    }

    /// This view, or one panned just enough to show all of `target` (with a margin) on a
    /// screen of `size`: a new or focused node is never left off screen (and undrawn).
    pub fn revealing(self, target: Rect, size: (f64, f64)) -> Self {
        let shown = self.visible(size);
        let t = target.grow(40.0);
        let shift = |lo: f64, len: f64, tlo: f64, tlen: f64| {
            if tlen > len || tlo < lo {
                tlo - lo
            } else if tlo + tlen > lo + len {
                tlo + tlen - (lo + len)
            } else {
                0.0
            }
        };
        let (dx, dy) = (
            shift(shown.x, shown.w, t.x, t.w),
            shift(shown.y, shown.h, t.y, t.h),
        );
        Viewport {
            x: self.x - dx * self.zoom,
            y: self.y - dy * self.zoom,
            zoom: self.zoom,
        }
    }

    /// Shows all of `content` centred on a screen of `size`, never closer than 100 %.
    pub fn fit(content: Option<Rect>, size: (f64, f64)) -> Self {
        let Some(c) = content.map(|c| c.grow(40.0)) else {
            return Viewport::default();
        };
        let zoom = (size.0 / c.w).min(size.1 / c.h).clamp(MIN_ZOOM, 1.0);
        Viewport {
            x: (size.0 - c.w * zoom) / 2.0 - c.x * zoom,
            y: (size.1 - c.h * zoom) / 2.0 - c.y * zoom,
            zoom,
        }
    }
}

/// The view after two fingers moved from `from` to `now` (screen points), starting at
/// `view`: zoomed by how far apart they moved, about where they started, and panned by how
/// far their midpoint went.
pub fn pinched(view: Viewport, from: (Point, Point), now: (Point, Point)) -> Viewport {
    let dist = |(a, b): (Point, Point)| ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt();
    let mid = |(a, b): (Point, Point)| Point {
        x: (a.x + b.x) / 2.0,
        y: (a.y + b.y) / 2.0,
    };
    let (d0, d1) = (dist(from), dist(now));
    let factor = if d0 > 1.0 { d1 / d0 } else { 1.0 };
    let (m0, m1) = (mid(from), mid(now));
    let zoomed = view.zoomed(factor, m0);
    Viewport {
        x: zoomed.x + m1.x - m0.x,
        y: zoomed.y + m1.y - m0.y,
        zoom: zoomed.zoom,
    }
}

/// Shortens a label to what fits on a node, with an ellipsis.
pub fn fit_label(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    s.chars().take(max - 1).collect::<String>() + "…"
}

/// The curve of a `main` edge: out to the right, in from the left; a backward edge loops
/// under both nodes instead of cutting through them.
pub fn main_path(from: Point, to: Point) -> String {
    if to.x >= from.x + 40.0 {
        let dx = ((to.x - from.x) / 2.0).max(40.0);
        return format!(
            "M{},{} C{},{} {},{} {},{}",
            from.x,
            from.y,
            from.x + dx,
            from.y,
            to.x - dx,
            to.y,
            to.x,
            to.y
        );
    }
    let below = from.y.max(to.y) + NODE_H;
    format!(
        "M{},{} C{},{} {},{} {},{} S{},{} {},{}",
        from.x,
        from.y,
        from.x + 60.0,
        from.y,
        from.x + 60.0,
        below,
        (from.x + to.x) / 2.0,
        below,
        to.x - 60.0,
        to.y,
        to.x,
        to.y
    )
}

/// The curve of an `ai_*` edge: up from the sub-node's top into its parent's bottom.
pub fn ai_path(from: Point, to: Point) -> String {
    let dy = ((from.y - to.y).abs() / 2.0).max(30.0);
    format!(
        "M{},{} C{},{} {},{} {},{}",
        from.x,
        from.y,
        from.x,
        from.y - dy,
        to.x,
        to.y + dy,
        to.x,
        to.y
    )
}

/// Whether `p` lies within `within` of the forward curve `main_path` draws from `from` to
/// `to` (sampled: the curve is smooth and short). A curve that loops back is never hit:
/// dropping a node into a loop would be guesswork.
pub fn near_main_path(p: Point, from: Point, to: Point, within: f64) -> bool {
    if to.x < from.x + 40.0 {
        return false;
    }
    let dx = ((to.x - from.x) / 2.0).max(40.0);
    let (c1, c2) = (
        Point {
            x: from.x + dx,
            y: from.y,
        },
        Point {
            x: to.x - dx,
            y: to.y,
        },
    );
    (0..=32).any(|i| {
        let t = f64::from(i) / 32.0;
        let u = 1.0 - t;
        let (a, b, c, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
        let x = a * from.x + b * c1.x + c * c2.x + d * to.x;
        let y = a * from.y + b * c1.y + c * c2.y + d * to.y;
        (x - p.x).hypot(y - p.y) <= within
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(json: &str) -> Node {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn handles_sit_on_the_edges_spread_evenly() {
        let b = NodeBox::of(&node(
            r#"{"name":"If","type":"n8n-nodes-base.if","position":[100,200]}"#,
        ));
        assert_eq!(b.outputs, ["true", "false"]);
        assert_eq!(
            b.output_at(0),
            Point {
                x: 260.0,
                y: 200.0 + NODE_H / 3.0
            }
        );
        assert_eq!(
            b.output_at(1),
            Point {
                x: 260.0,
                y: 200.0 + 2.0 * NODE_H / 3.0
            }
        );
        assert_eq!(
            b.input_at(0),
            Point {
                x: 100.0,
                y: 200.0 + NODE_H / 2.0
            }
        );
        assert_eq!(b.label, "If");
        assert!(b.supported);
    }

    #[test]
    fn unknown_types_and_sticky_notes_are_recognised() {
        let b = NodeBox::of(&node(
            r#"{"name":"Sheets","type":"n8n-nodes-base.googleSheets","position":[0,0]}"#,
        ));
        assert!(!b.supported);
        assert_eq!(b.label, "googleSheets");
        let s = NodeBox::of(&node(
            r#"{"name":"Note","type":"n8n-nodes-base.stickyNote","position":[0,0],"parameters":{"content":"Hi","height":300,"width":10,"color":4}}"#,
        ));
        assert_eq!((s.w, s.h), (STICKY_W, 300.0));
        assert_eq!(
            s.sticky,
            Some(Sticky {
                content: "Hi".into(),
                color: 4
            })
        );
    }

    #[test]
    fn the_viewport_maps_both_ways_and_zooms_about_the_pointer() {
        let v = Viewport {
            x: 10.0,
            y: -20.0,
            zoom: 2.0,
        };
        assert_eq!(
            v.to_world(Point { x: 80.0, y: -6.0 }),
            Point { x: 35.0, y: 7.0 }
        );
        let screen = Point { x: 300.0, y: 200.0 };
        let z = v.zoomed(1.5, screen);
        assert_eq!(z.zoom, 3.0);
        let (a, b) = (v.to_world(screen), z.to_world(screen));
        assert!((a.x - b.x).abs() < 1e-9 && (a.y - b.y).abs() < 1e-9);
        assert_eq!(v.zoomed(100.0, screen).zoom, MAX_ZOOM);
    }

    #[test]
    fn two_fingers_apart_zoom_in_about_their_midpoint_and_together_pan() {
        let v = Viewport {
            x: 0.0,
            y: 0.0,
            zoom: 1.0,
        };
        let p = |x, y| Point { x, y };
        let wider = pinched(
            v,
            (p(100.0, 100.0), p(200.0, 100.0)),
            (p(50.0, 100.0), p(250.0, 100.0)),
        );
        assert_eq!(wider.zoom, 2.0);
        // The workflow point under the fingers' midpoint stays under it.
        assert_eq!(wider.to_world(p(150.0, 100.0)), v.to_world(p(150.0, 100.0)));
        let moved = pinched(
            v,
            (p(100.0, 100.0), p(200.0, 100.0)),
            (p(130.0, 80.0), p(230.0, 80.0)),
        );
        assert_eq!((moved.x, moved.y, moved.zoom), (30.0, -20.0, 1.0));
    }

    #[test]
    fn fit_shows_everything_and_culling_rect_follows_the_viewport() {
        let a = NodeBox::of(&node(
            r#"{"name":"A","type":"n8n-nodes-base.set","position":[0,0]}"#,
        ));
        let b = NodeBox::of(&node(
            r#"{"name":"B","type":"n8n-nodes-base.set","position":[3000,1000]}"#,
        ));
        let v = Viewport::fit(Rect::around([&a, &b]), (1000.0, 600.0));
        let seen = v.visible((1000.0, 600.0));
        assert!(a.intersects(&seen) && b.intersects(&seen));
        let near = Viewport {
            x: 0.0,
            y: 0.0,
            zoom: 1.0,
        }
        .visible((1000.0, 600.0));
        assert!(a.intersects(&near) && !b.intersects(&near));
    }

    #[test]
    fn a_point_near_a_forward_edge_hits_it_and_a_loop_never_does() {
        let (a, b) = (Point { x: 0.0, y: 0.0 }, Point { x: 400.0, y: 100.0 });
        assert!(near_main_path(Point { x: 200.0, y: 50.0 }, a, b, 10.0));
        assert!(near_main_path(Point { x: 5.0, y: 0.0 }, a, b, 10.0));
        assert!(!near_main_path(Point { x: 200.0, y: 150.0 }, a, b, 10.0));
        assert!(!near_main_path(Point { x: 0.0, y: 0.0 }, b, a, 10.0));
    }

    #[test]
    fn revealing_pans_only_as_far_as_needed() {
        let v = Viewport {
            x: 0.0,
            y: 0.0,
            zoom: 1.0,
        };
        let inside = Rect {
            x: 100.0,
            y: 100.0,
            w: 160.0,
            h: 64.0,
        };
        assert_eq!(v.revealing(inside, (800.0, 600.0)), v);
        let right = Rect {
            x: 900.0,
            y: 100.0,
            w: 160.0,
            h: 64.0,
        };
        let moved = v.revealing(right, (800.0, 600.0));
        let shown = moved.visible((800.0, 600.0));
        assert!(shown.x + shown.w >= 900.0 + 160.0 && shown.x <= 900.0);
        assert_eq!(moved.y, 0.0, "only the axis that needs it pans");
    }
}
