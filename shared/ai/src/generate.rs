//! Generating a workflow from a description. Each configured model in turn is asked for n8n
//! workflow JSON (structured output), the answer is checked (`workflow_check`) and, while it
//! is not valid, the problems are sent back for a corrected whole workflow — a bounded number
//! of times. A provider that fails or never gets it right hands over to the next; the
//! offline planner is the last, so a description always becomes a valid workflow.

use crate::chat::{
    ChatModel, ChatRequest, ChatResponse, Message, OutputSchema, Spend, StreamEvent,
};
use crate::workflow_check::check;
use crate::{AiError, offline};
use agente_engine::nodes::supports;
use agente_workflow_model::catalogue::{Group, NODE_TYPES};
use futures::StreamExt;
use serde_json::{Value, json};
use std::sync::Arc;

/// Corrections asked of one model after its first answer.
pub const MAX_REPAIRS: usize = 2;
/// Longest description accepted.
pub const MAX_DESCRIPTION: usize = 2_000;

/// A generated workflow and how it was made.
#[derive(Clone, Debug)]
pub struct Generated {
    /// n8n workflow JSON, valid, ready to import.
    pub workflow: Value,
    /// Who wrote it: a provider's name, or `offline`.
    pub provider: String,
    /// What every provider tried spent.
    pub usage: Spend,
    /// Corrections the accepted answer needed.
    pub repairs: usize,
    /// Providers that were tried first and why they were passed over.
    pub passed_over: Vec<String>,
    /// Anything else the user should know (e.g. the plan's AI tokens are used up).
    pub notices: Vec<String>,
}

/// Node types a generated workflow may use: the catalogue's, where the engine runs them.
/// Agents, chains and their sub-nodes are left out: they connect by `ai_*` connections,
/// which the instructions do not teach.
fn allowed_types() -> Vec<(&'static str, &'static str)> {
    let mut seen = std::collections::HashSet::new();
    NODE_TYPES
        .iter()
        .filter(|t| {
            let node = agente_workflow_model::Node {
                kind: t.name.to_string(),
                ..Default::default()
            };
            t.group != Group::Ai && supports(&node) && seen.insert(t.name)
        })
        .map(|t| (t.name, t.description))
        .collect()
}

fn schema() -> OutputSchema {
    let types: Vec<&str> = allowed_types().into_iter().map(|(name, _)| name).collect();
    OutputSchema {
        name: "n8n_workflow",
        description: "An n8n workflow: nodes and the connections between them",
        schema: json!({
            "type": "object",
            "required": ["name", "nodes", "connections"],
            "properties": {
                "name": { "type": "string" },
                "nodes": { "type": "array", "items": {
                    "type": "object",
                    "required": ["name", "type", "typeVersion", "position", "parameters"],
                    "properties": {
                        "name": { "type": "string" },
                        "type": { "type": "string", "enum": types },
                        "typeVersion": { "type": "number" },
                        "position": { "type": "array", "items": { "type": "number" }, "minItems": 2, "maxItems": 2 },
                        "parameters": { "type": "object" },
                    },
                }},
                "connections": { "type": "object" },
            },
        }),
    }
}

fn instructions() -> String {
    let mut text = String::from(
        "You write n8n workflows as JSON. Answer with one workflow object: `name`, `nodes` and \
         `connections`, nothing else.\n\
         - Each node has a unique `name`, a `type` from the list below, `typeVersion`, \
         `position` [x, y] (left to right, 220 apart) and n8n's `parameters` for that type.\n\
         - Exactly one trigger node starts the workflow.\n\
         - `connections` maps a node's name to its outputs: \
         {\"Webhook\": {\"main\": [[{\"node\": \"Slack\", \"type\": \"main\", \"index\": 0}]]}}. \
         An If node's first output is true, its second false.\n\
         - Expressions are strings starting with `=`, e.g. \"={{ $json.amount }}\".\n\
         - Never put secrets in parameters; credentials are chosen by the user later.\n\
         Node types you may use:\n",
    );
    for (name, description) in allowed_types() {
        text.push_str(&format!("- {name}: {description}\n"));
    }
    text
}

/// What a generation is doing, for a caller that shows it as it happens.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Progress<'a> {
    /// A provider is asked (`repair` 0: the first answer; then corrections).
    Attempt { provider: &'a str, repair: usize },
    /// More of its answer.
    Delta(&'a str),
}

/// Where progress goes; answers are streamed from the provider when there is one.
pub type ProgressSink<'a> = &'a (dyn Fn(Progress<'_>) + Send + Sync);

/// Refuses a description that cannot be worked with.
pub fn check_description(description: &str) -> Result<&str, AiError> {
    let description = description.trim();
    if description.is_empty() {
        return Err(AiError::BadInput("describe the workflow you want".into()));
    }
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(AiError::BadInput(format!(
            "a description has at most {MAX_DESCRIPTION} characters"
        )));
    }
    Ok(description)
}

/// Asks `models` in turn, then the offline planner.
pub async fn generate(
    models: &[Arc<dyn ChatModel>],
    description: &str,
) -> Result<Generated, AiError> {
    generate_with(models, description, None).await
}

/// [`generate`], telling `progress` what happens and streaming the models' answers to it.
pub async fn generate_with(
    models: &[Arc<dyn ChatModel>],
    description: &str,
    progress: Option<ProgressSink<'_>>,
) -> Result<Generated, AiError> {
    let description = check_description(description)?;
    let mut usage = Spend::default();
    let mut passed_over = Vec::new();
    for model in models {
        match with_repairs(model.as_ref(), description, &mut usage, progress).await {
            Ok((workflow, repairs)) => {
                return Ok(Generated {
                    workflow,
                    provider: model.provider().into(),
                    usage,
                    repairs,
                    passed_over,
                    notices: Vec::new(),
                });
            }
            // Even a refusal of the request (a 400: a model that does not exist, a key
            // without access) should not leave the user without a workflow.
            Err(e) => {
                tracing::info!(provider = model.provider(), error = %e, "workflow generation passes to the next provider");
                passed_over.push(format!("{}: {e}", model.provider()));
            }
        }
    }
    if let Some(progress) = progress {
        progress(Progress::Attempt {
            provider: "offline",
            repair: 0,
        });
    }
    let planned = offline::plan(description);
    let workflow = check(&planned.to_string()).map_err(|errors| AiError::BadAnswer {
        provider: "offline".into(),
        message: errors.join("; "),
    })?;
    Ok(Generated {
        workflow,
        provider: "offline".into(),
        usage,
        repairs: 0,
        passed_over,
        notices: Vec::new(),
    })
}

/// One answer: whole, or streamed to `progress` as it is written.
async fn ask(
    model: &dyn ChatModel,
    request: &ChatRequest,
    repair: usize,
    progress: Option<ProgressSink<'_>>,
) -> Result<ChatResponse, AiError> {
    let Some(progress) = progress else {
        return model.complete(request).await;
    };
    progress(Progress::Attempt {
        provider: model.provider(),
        repair,
    });
    let mut stream = model.stream(request).await?;
    while let Some(event) = stream.next().await {
        match event? {
            StreamEvent::Delta(text) => progress(Progress::Delta(&text)),
            StreamEvent::Done(answer) => return Ok(answer),
        }
    }
    Err(AiError::BadAnswer {
        provider: model.provider().into(),
        message: "the stream ended without an answer".into(),
    })
}

/// One model: its answer, and corrections while it is not a valid workflow.
async fn with_repairs(
    model: &dyn ChatModel,
    description: &str,
    usage: &mut Spend,
    progress: Option<ProgressSink<'_>>,
) -> Result<(Value, usize), AiError> {
    let mut request = ChatRequest::new(instructions(), description);
    request.schema = Some(schema());
    request.max_tokens = 8_192;
    request.temperature = Some(0.2);
    let mut last = Vec::new();
    for repair in 0..=MAX_REPAIRS {
        let answer = ask(model, &request, repair, progress).await?;
        usage.add(model.provider(), &answer);
        match check(&answer.text) {
            Ok(workflow) => return Ok((workflow, repair)),
            Err(errors) => {
                tracing::debug!(
                    provider = model.provider(),
                    repair,
                    ?errors,
                    "generated workflow is not valid"
                );
                let feedback = format!(
                    "That workflow is not valid:\n- {}\nAnswer with the whole corrected workflow.",
                    errors.join("\n- ")
                );
                request.messages.push(Message::assistant(answer.text));
                request.messages.push(Message::user(feedback));
                last = errors;
            }
        }
    }
    Err(AiError::BadAnswer {
        provider: model.provider().into(),
        message: format!(
            "no valid workflow after {MAX_REPAIRS} corrections: {}",
            last.join("; ")
        ),
    })
}
