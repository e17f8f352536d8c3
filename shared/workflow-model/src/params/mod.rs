//! What a node's parameters are, per node type: the definitions the editor draws forms from
//! and the type version a new node gets. They follow n8n's node descriptions (parameter names,
//! option values, defaults) for the versions the engine runs, so a node made here runs here
//! and imports into n8n unchanged.
//!
//! A definition describes the newest form of a type (`NodeSpec::form_since` and later); a node
//! of an older version is edited as JSON, as the engine still runs it.

mod ai;
mod credentials;
mod data;
mod flow;
mod integrations;
mod items;
mod openai;
mod operators;
mod triggers;

pub use credentials::{CREDENTIAL_TYPES, CredentialField, CredentialType, credential_type};
pub use operators::{OPERATORS, unary};
use serde_json::{Map, Number, Value};

/// One node type's parameters and defaults.
#[derive(Debug)]
pub struct NodeSpec {
    /// The n8n type name (`n8n-nodes-base.set`).
    pub kind: &'static str,
    /// The `typeVersion` a new node gets: the newest the engine understands.
    pub version: &'static str,
    /// The oldest `typeVersion` whose parameters `params` describes.
    pub form_since: &'static str,
    pub params: &'static [Param],
    /// Credential types the node can use, by n8n's credential type names.
    pub credentials: &'static [CredentialSlot],
}

/// A credential a node can use: shown when `show` holds.
#[derive(Debug)]
pub struct CredentialSlot {
    pub kind: &'static str,
    pub label: &'static str,
    pub show: &'static [Show],
}

/// One parameter.
#[derive(Debug)]
pub struct Param {
    /// The key under `parameters` (or inside the enclosing collection).
    pub name: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    /// One line under the field, empty for none.
    pub hint: &'static str,
    /// Shown only when every condition holds (n8n's `displayOptions.show`).
    pub show: &'static [Show],
    /// The node cannot run without a value.
    pub required: bool,
}

/// `param`'s current value (its default when absent) is one of `is`.
#[derive(Debug)]
pub struct Show {
    pub param: &'static str,
    pub is: &'static [&'static str],
}

/// The form a parameter takes.
#[derive(Debug)]
pub enum Kind {
    /// One line of text (expressions allowed).
    String {
        default: &'static str,
        placeholder: &'static str,
    },
    /// Several lines of text.
    Text {
        default: &'static str,
        rows: u8,
    },
    /// A program (`javaScript`, `html`, `sql` …).
    Code {
        default: &'static str,
        lang: &'static str,
    },
    /// A JSON value written as text.
    Json {
        default: &'static str,
    },
    Number {
        default: f64,
        min: Option<f64>,
        max: Option<f64>,
    },
    Boolean {
        default: bool,
    },
    /// One of a list (a `<select>`).
    Options {
        default: &'static str,
        options: &'static [Choice],
    },
    /// Several of a list (an array of the values).
    MultiOptions {
        options: &'static [Choice],
    },
    /// An object of optional fields, each added on demand (n8n's "Add option").
    Collection {
        fields: &'static [Param],
    },
    /// An object of groups, each a list of rows (`multiple`) or one row (n8n's
    /// `fixedCollection`): `{"values": [{…}, {…}]}`.
    FixedCollection {
        groups: &'static [FieldGroup],
        multiple: bool,
    },
    /// Set ≥ 3.3: `{"assignments": [{id, name, value, type}]}`.
    Assignments,
    /// If/Filter ≥ 2: `{options, conditions: [{id, leftValue, rightValue, operator}], combinator}`.
    Conditions,
    /// n8n's resource locator: `{"__rl": true, "mode": …, "value": …}`.
    ResourceLocator {
        modes: &'static [Choice],
    },
    /// A sticky note's colour, 1–7.
    Color,
}

/// One choice of an options list.
#[derive(Debug)]
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
}

/// A named group of a fixed collection.
#[derive(Debug)]
pub struct FieldGroup {
    pub name: &'static str,
    pub label: &'static str,
    pub fields: &'static [Param],
}

/// Every spec, in no particular order.
pub fn specs() -> impl Iterator<Item = &'static NodeSpec> {
    [
        triggers::SPECS,
        flow::SPECS,
        items::SPECS,
        data::SPECS,
        integrations::SPECS,
        openai::SPECS,
        ai::SPECS,
    ]
    .into_iter()
    .flatten()
}

/// The spec of a node type.
pub fn spec(kind: &str) -> Option<&'static NodeSpec> {
    specs().find(|s| s.kind == kind)
}

/// `version` as the JSON number n8n writes (`1`, `3.4`).
pub fn version_number(version: &str) -> Number {
    version
        .parse::<u64>()
        .map(Number::from)
        .ok()
        .or_else(|| version.parse::<f64>().ok().and_then(Number::from_f64))
        .unwrap_or_else(|| Number::from(1))
}

impl NodeSpec {
    /// Whether the form describes a node of `version`.
    pub fn has_form_for(&self, version: f64) -> bool {
        version >= self.form_since.parse::<f64>().unwrap_or(f64::MAX)
    }

    /// The parameters a new node starts with: the required ones with their defaults (n8n
    /// stores only what differs from a default, but a required field is written out so the
    /// node reads as what it is).
    pub fn new_parameters(&self) -> Map<String, Value> {
        self.params
            .iter()
            .filter(|p| p.required && shown(p.show, &Map::new(), self.params))
            .map(|p| (p.name.to_string(), p.kind.default_value()))
            .collect()
    }
}

impl Kind {
    /// The value a parameter has when it is absent.
    pub fn default_value(&self) -> Value {
        match self {
            Kind::String { default, .. }
            | Kind::Text { default, .. }
            | Kind::Code { default, .. } => Value::String((*default).to_string()),
            Kind::Json { default } => Value::String((*default).to_string()),
            Kind::Number { default, .. } => number(*default),
            Kind::Boolean { default } => Value::Bool(*default),
            Kind::Options { default, .. } => Value::String((*default).to_string()),
            Kind::MultiOptions { .. } => Value::Array(vec![]),
            Kind::Collection { .. } | Kind::FixedCollection { .. } => Value::Object(Map::new()),
            Kind::Assignments => serde_json::json!({"assignments": []}),
            Kind::Conditions => serde_json::json!({
                "options": {"caseSensitive": true, "leftValue": "", "typeValidation": "strict"},
                "conditions": [],
                "combinator": "and"
            }),
            Kind::ResourceLocator { modes } => serde_json::json!({
                "__rl": true,
                "mode": modes.first().map_or("id", |m| m.value),
                "value": ""
            }),
            Kind::Color => Value::from(1),
        }
    }
}

/// A number as n8n writes it: integral values without a fraction.
pub fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        Value::from(n as i64)
    } else {
        Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

/// Whether every condition of `show` holds over `values` (the object holding the parameter
/// and its siblings, described by `siblings`). An absent sibling counts as its default.
pub fn shown(show: &[Show], values: &Map<String, Value>, siblings: &[Param]) -> bool {
    show.iter().all(|cond| {
        let current = values.get(cond.param).cloned().or_else(|| {
            siblings
                .iter()
                .find(|p| p.name == cond.param)
                .map(|p| p.kind.default_value())
        });
        let text = match current {
            Some(Value::String(s)) => s,
            Some(Value::Bool(b)) => b.to_string(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        cond.is.contains(&text.as_str())
    })
}

/// Shorthands for the definition tables.
pub(crate) mod build {
    pub use super::{Choice, CredentialSlot, FieldGroup, Kind, NodeSpec, Param, Show};

    pub const fn c(value: &'static str, label: &'static str) -> Choice {
        Choice { value, label }
    }

    /// A parameter shown always, not required.
    pub const fn p(name: &'static str, label: &'static str, kind: Kind) -> Param {
        Param {
            name,
            label,
            kind,
            hint: "",
            show: &[],
            required: false,
        }
    }

    pub const fn string(default: &'static str) -> Kind {
        Kind::String {
            default,
            placeholder: "",
        }
    }

    pub const fn number(default: f64) -> Kind {
        Kind::Number {
            default,
            min: None,
            max: None,
        }
    }

    pub const fn boolean(default: bool) -> Kind {
        Kind::Boolean { default }
    }

    pub const fn options(default: &'static str, options: &'static [Choice]) -> Kind {
        Kind::Options { default, options }
    }

    /// One line of text with a placeholder.
    pub const fn string_ph(default: &'static str, placeholder: &'static str) -> Kind {
        Kind::String {
            default,
            placeholder,
        }
    }

    pub const fn text(default: &'static str, rows: u8) -> Kind {
        Kind::Text { default, rows }
    }

    pub const fn code(lang: &'static str, default: &'static str) -> Kind {
        Kind::Code { default, lang }
    }

    pub const fn json(default: &'static str) -> Kind {
        Kind::Json { default }
    }

    /// A number within `min..=max`.
    pub const fn number_in(default: f64, min: f64, max: f64) -> Kind {
        Kind::Number {
            default,
            min: Some(min),
            max: Some(max),
        }
    }

    /// A number of at least `min`.
    pub const fn number_min(default: f64, min: f64) -> Kind {
        Kind::Number {
            default,
            min: Some(min),
            max: None,
        }
    }

    pub const fn collection(fields: &'static [Param]) -> Kind {
        Kind::Collection { fields }
    }

    /// A fixed collection: its groups, each a list of rows (`multiple`) or one row.
    pub const fn fixed(groups: &'static [FieldGroup], multiple: bool) -> Kind {
        Kind::FixedCollection { groups, multiple }
    }

    pub const fn group(
        name: &'static str,
        label: &'static str,
        fields: &'static [Param],
    ) -> FieldGroup {
        FieldGroup {
            name,
            label,
            fields,
        }
    }

    pub const fn locator(modes: &'static [Choice]) -> Kind {
        Kind::ResourceLocator { modes }
    }

    pub const fn credential(
        kind: &'static str,
        label: &'static str,
        show: &'static [Show],
    ) -> CredentialSlot {
        CredentialSlot { kind, label, show }
    }

    impl Param {
        pub const fn hint(mut self, hint: &'static str) -> Self {
            self.hint = hint;
            self
        }

        pub const fn show(mut self, show: &'static [Show]) -> Self {
            self.show = show;
            self
        }

        pub const fn required(mut self) -> Self {
            self.required = true;
            self
        }
    }

    pub const fn when(param: &'static str, is: &'static [&'static str]) -> Show {
        Show { param, is }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{self, Group, NODE_TYPES};
    use serde_json::json;

    #[test]
    fn every_credential_a_node_asks_for_can_be_created() {
        let missing: Vec<_> = specs()
            .flat_map(|s| s.credentials.iter().map(move |c| (s.kind, c.kind)))
            // OAuth2 credentials are made by an authorisation flow, not a form.
            .filter(|(_, c)| credential_type(c).is_none() && !c.ends_with("OAuth2Api"))
            .collect();
        assert!(missing.is_empty(), "no fields defined for {missing:?}");
    }

    #[test]
    fn every_catalogue_type_has_exactly_one_spec_in_its_groups_file() {
        for t in NODE_TYPES {
            let n = specs().filter(|s| s.kind == t.name).count();
            assert_eq!(n, 1, "`{}` has {n} specs", t.name);
        }
        for s in specs() {
            assert!(
                catalogue::lookup(s.kind).is_some(),
                "`{}` is not in the catalogue",
                s.kind
            );
        }
        let files: [(&[NodeSpec], &[Group]); 7] = [
            (triggers::SPECS, &[Group::Trigger]),
            (flow::SPECS, &[Group::Flow]),
            (items::SPECS, &[Group::Flow]),
            (data::SPECS, &[Group::Data, Group::Annotation]),
            (integrations::SPECS, &[Group::Integration]),
            (openai::SPECS, &[Group::Integration]),
            (ai::SPECS, &[Group::Ai]),
        ];
        for (list, groups) in files {
            for s in list {
                let group = catalogue::lookup(s.kind).map(|t| t.group);
                assert!(
                    group.is_some_and(|g| groups.contains(&g)),
                    "`{}` is in the wrong file",
                    s.kind
                );
            }
        }
    }

    /// Problems of a list of sibling parameters (top level, a collection's fields or a
    /// fixed collection group's fields), and of everything nested in them.
    fn check_list(at: &str, params: &[Param], problems: &mut Vec<String>) {
        for param in params {
            let here = format!("{at}.{}", param.name);
            if param.show.is_empty() && params.iter().filter(|q| q.name == param.name).count() > 1 {
                problems.push(format!("{here}: repeated without a show condition"));
            }
            for cond in param.show {
                check_show(&here, cond, params, problems);
            }
            check_kind(&here, &param.kind, problems);
        }
    }

    /// `cond` names a sibling, with values that sibling can take.
    fn check_show(here: &str, cond: &Show, siblings: &[Param], problems: &mut Vec<String>) {
        let targets: Vec<&Param> = siblings.iter().filter(|p| p.name == cond.param).collect();
        if targets.is_empty() {
            problems.push(format!("{here}: shown on `{}`, not a sibling", cond.param));
            return;
        }
        if cond.is.is_empty() {
            problems.push(format!("{here}: shown on `{}` being nothing", cond.param));
        }
        for value in cond.is {
            let valid = targets.iter().any(|t| match &t.kind {
                Kind::Options { options, .. } => options.iter().any(|o| o.value == *value),
                Kind::Boolean { .. } => matches!(*value, "true" | "false"),
                _ => false,
            });
            if !valid {
                problems.push(format!(
                    "{here}: shown on `{}` being `{value}`, which it cannot be",
                    cond.param
                ));
            }
        }
    }

    fn check_kind(here: &str, kind: &Kind, problems: &mut Vec<String>) {
        let unique = |options: &[Choice]| {
            let mut values: Vec<&str> = options.iter().map(|o| o.value).collect();
            values.sort_unstable();
            values.dedup();
            values.len() == options.len() && !options.is_empty()
        };
        match kind {
            Kind::Options { default, options } => {
                if !options.iter().any(|o| o.value == *default) {
                    problems.push(format!("{here}: default `{default}` is not an option"));
                }
                if !unique(options) {
                    problems.push(format!("{here}: options empty or repeated"));
                }
            }
            Kind::MultiOptions { options } | Kind::ResourceLocator { modes: options }
                if !unique(options) =>
            {
                problems.push(format!("{here}: choices empty or repeated"));
            }
            Kind::Number { default, min, max }
                if min.is_some_and(|m| *default < m) || max.is_some_and(|m| *default > m) =>
            {
                problems.push(format!("{here}: default {default} out of range"));
            }
            Kind::Collection { fields } => check_list(here, fields, problems),
            Kind::FixedCollection { groups, .. } => {
                if groups.is_empty() {
                    problems.push(format!("{here}: no groups"));
                }
                for g in *groups {
                    check_list(&format!("{here}.{}", g.name), g.fields, problems);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn show_conditions_name_siblings_and_their_values_and_defaults_are_options() {
        let mut problems = Vec::new();
        for s in specs() {
            check_list(s.kind, s.params, &mut problems);
            for slot in s.credentials {
                for cond in slot.show {
                    check_show(
                        &format!("{} credential {}", s.kind, slot.kind),
                        cond,
                        s.params,
                        &mut problems,
                    );
                }
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn versions_are_numbers_and_forms_not_newer_than_them() {
        for s in specs() {
            let version: f64 = s.version.parse().unwrap_or_else(|_| panic!("{}", s.kind));
            let since: f64 = s
                .form_since
                .parse()
                .unwrap_or_else(|_| panic!("{}", s.kind));
            assert!(
                since <= version,
                "{}: form {since} is newer than {version}",
                s.kind
            );
            assert!(s.has_form_for(version), "{}", s.kind);
            assert_eq!(
                version_number(s.version).as_f64(),
                Some(version),
                "{}",
                s.kind
            );
        }
        assert_eq!(version_number("2").to_string(), "2");
        assert_eq!(version_number("3.4").to_string(), "3.4");
    }

    fn new_parameters(kind: &str) -> Value {
        Value::Object(spec(kind).map(NodeSpec::new_parameters).unwrap_or_default())
    }

    #[test]
    fn new_nodes_start_with_their_required_parameters() {
        assert_eq!(
            new_parameters("n8n-nodes-base.webhook"),
            json!({"path": ""})
        );
        assert_eq!(
            new_parameters("n8n-nodes-base.httpRequest"),
            json!({"url": ""})
        );
        assert_eq!(new_parameters("n8n-nodes-base.limit"), json!({}));
        assert_eq!(
            new_parameters("n8n-nodes-base.stickyNote"),
            json!({"height": 160, "width": 240, "color": 1})
        );
        assert_eq!(
            new_parameters("n8n-nodes-base.slack"),
            json!({
                "select": "channel",
                "channelId": {"__rl": true, "mode": "id", "value": ""},
                "text": ""
            })
        );
        assert_eq!(
            new_parameters("@n8n/n8n-nodes-langchain.agent"),
            json!({"promptType": "auto"})
        );
        assert_eq!(
            new_parameters("n8n-nodes-base.stopAndError"),
            json!({"errorMessage": ""})
        );
        let code = new_parameters("n8n-nodes-base.code");
        assert!(
            code["jsCode"]
                .as_str()
                .is_some_and(|c| c.contains("return $input.all();"))
        );
        assert_eq!(
            new_parameters("n8n-nodes-base.executeWorkflowTrigger"),
            json!({"inputSource": "passthrough"})
        );
    }

    #[test]
    fn one_of_same_named_parameters_shows_at_a_time() {
        let Some(http) = spec("n8n-nodes-base.httpRequest") else {
            panic!("no HTTP Request spec");
        };
        for content in ["json", "form-urlencoded", "multipart-form-data"] {
            let values = json!({"sendBody": true, "contentType": content});
            let values = values.as_object().cloned().unwrap_or_default();
            let shown: Vec<&Param> = http
                .params
                .iter()
                .filter(|p| p.name == "bodyParameters" && shown(p.show, &values, http.params))
                .collect();
            assert_eq!(shown.len(), 1, "{content}");
        }
        let Some(dates) = spec("n8n-nodes-base.dateTime") else {
            panic!("no Date & Time spec");
        };
        let values = json!({"operation": "roundDate"})
            .as_object()
            .cloned()
            .unwrap_or_default();
        let names: Vec<&str> = dates
            .params
            .iter()
            .filter(|p| p.name == "outputFieldName" && shown(p.show, &values, dates.params))
            .map(|p| match p.kind {
                Kind::String { default, .. } => default,
                _ => "",
            })
            .collect();
        assert_eq!(names, ["roundedDate"]);
    }
}
