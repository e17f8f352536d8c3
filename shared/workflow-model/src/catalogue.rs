//! The node types Agente knows by n8n type name, with what they are for. The engine's
//! registry says which of them it can run; validation asks the registry, not this list.

/// What kind of step a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    Trigger,
    Flow,
    Data,
    Integration,
    /// LangChain-style AI nodes: agents and chains, and the sub-nodes (chat models, tools)
    /// attached to them by `ai_*` connections rather than `main`.
    Ai,
    Annotation,
}

/// One known node type.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NodeType {
    pub name: &'static str,
    pub display_name: &'static str,
    pub group: Group,
    pub description: &'static str,
}

const fn t(
    name: &'static str,
    display_name: &'static str,
    group: Group,
    description: &'static str,
) -> NodeType {
    NodeType {
        name,
        display_name,
        group,
        description,
    }
}

use Group::*;

/// Every node type of n8n's core set that Agente models.
pub const NODE_TYPES: &[NodeType] = &[
    t(
        "n8n-nodes-base.manualTrigger",
        "Manual Trigger",
        Trigger,
        "Starts the workflow when you click run",
    ),
    t(
        "n8n-nodes-base.webhook",
        "Webhook",
        Trigger,
        "Starts the workflow when an HTTP request arrives",
    ),
    t(
        "n8n-nodes-base.scheduleTrigger",
        "Schedule Trigger",
        Trigger,
        "Starts the workflow on a schedule or cron expression",
    ),
    t(
        "n8n-nodes-base.cron",
        "Cron",
        Trigger,
        "Starts the workflow on a schedule (legacy)",
    ),
    t(
        "n8n-nodes-base.executeWorkflowTrigger",
        "Execute Workflow Trigger",
        Trigger,
        "Starts the workflow when another workflow calls it",
    ),
    t(
        "n8n-nodes-base.errorTrigger",
        "Error Trigger",
        Trigger,
        "Starts the workflow when another workflow fails",
    ),
    t(
        "n8n-nodes-base.if",
        "If",
        Flow,
        "Routes items to true or false by conditions",
    ),
    t(
        "n8n-nodes-base.switch",
        "Switch",
        Flow,
        "Routes items to outputs by rules or an expression",
    ),
    t(
        "n8n-nodes-base.merge",
        "Merge",
        Flow,
        "Combines items from two inputs",
    ),
    t(
        "n8n-nodes-base.filter",
        "Filter",
        Flow,
        "Keeps only items matching conditions",
    ),
    t(
        "n8n-nodes-base.splitInBatches",
        "Loop Over Items",
        Flow,
        "Processes items in batches, looping",
    ),
    t(
        "n8n-nodes-base.splitOut",
        "Split Out",
        Flow,
        "Turns a list inside an item into separate items",
    ),
    t(
        "n8n-nodes-base.aggregate",
        "Aggregate",
        Flow,
        "Combines fields of many items into one item",
    ),
    t(
        "n8n-nodes-base.limit",
        "Limit",
        Flow,
        "Keeps the first or last N items",
    ),
    t("n8n-nodes-base.sort", "Sort", Flow, "Sorts items by fields"),
    t(
        "n8n-nodes-base.removeDuplicates",
        "Remove Duplicates",
        Flow,
        "Drops items repeating earlier ones",
    ),
    t(
        "n8n-nodes-base.summarize",
        "Summarize",
        Flow,
        "Counts, sums, averages items grouped by fields",
    ),
    t(
        "n8n-nodes-base.noOp",
        "No Operation",
        Flow,
        "Passes items through unchanged",
    ),
    t(
        "n8n-nodes-base.stopAndError",
        "Stop and Error",
        Flow,
        "Fails the execution with a message",
    ),
    t(
        "n8n-nodes-base.wait",
        "Wait",
        Flow,
        "Pauses the execution for a time",
    ),
    t(
        "n8n-nodes-base.executeWorkflow",
        "Execute Workflow",
        Flow,
        "Runs another workflow",
    ),
    t(
        "n8n-nodes-base.stickyNote",
        "Sticky Note",
        Annotation,
        "A note on the canvas; never runs",
    ),
    t(
        "n8n-nodes-base.set",
        "Edit Fields (Set)",
        Data,
        "Sets, renames or keeps fields of items",
    ),
    t(
        "n8n-nodes-base.renameKeys",
        "Rename Keys",
        Data,
        "Renames fields of items",
    ),
    t(
        "n8n-nodes-base.dateTime",
        "Date & Time",
        Data,
        "Formats and calculates dates",
    ),
    t(
        "n8n-nodes-base.crypto",
        "Crypto",
        Data,
        "Hashes, HMACs and random values",
    ),
    t(
        "n8n-nodes-base.html",
        "HTML",
        Data,
        "Extracts data from HTML by CSS selector, fills HTML templates, builds tables",
    ),
    t(
        "n8n-nodes-base.htmlExtract",
        "HTML Extract (legacy)",
        Data,
        "Extracts data from HTML by CSS selector",
    ),
    t(
        "n8n-nodes-base.markdown",
        "Markdown",
        Data,
        "Converts between Markdown and HTML",
    ),
    t(
        "n8n-nodes-base.xml",
        "XML",
        Data,
        "Converts between XML and JSON",
    ),
    t(
        "n8n-nodes-base.code",
        "Code",
        Data,
        "Runs JavaScript over the items",
    ),
    t(
        "n8n-nodes-base.function",
        "Function",
        Data,
        "Runs JavaScript over all items (legacy)",
    ),
    t(
        "n8n-nodes-base.functionItem",
        "Function Item",
        Data,
        "Runs JavaScript per item (legacy)",
    ),
    t(
        "n8n-nodes-base.httpRequest",
        "HTTP Request",
        Integration,
        "Calls any HTTP API",
    ),
    t(
        "n8n-nodes-base.emailSend",
        "Send Email",
        Integration,
        "Sends an e-mail over SMTP",
    ),
    t(
        "n8n-nodes-base.slack",
        "Slack",
        Integration,
        "Posts messages to Slack channels and users",
    ),
    t(
        "n8n-nodes-base.openAi",
        "OpenAI",
        Integration,
        "Asks an OpenAI model (or a compatible server): message a model, chat or text completion",
    ),
    t(
        "@n8n/n8n-nodes-langchain.agent",
        "AI Agent",
        Ai,
        "Answers a prompt with a chat model that may call tools",
    ),
    t(
        "@n8n/n8n-nodes-langchain.chainLlm",
        "Basic LLM Chain",
        Ai,
        "Answers a prompt with a chat model",
    ),
    t(
        "@n8n/n8n-nodes-langchain.lmChatOpenAi",
        "OpenAI Chat Model",
        Ai,
        "An OpenAI chat model for an agent or chain",
    ),
    t(
        "@n8n/n8n-nodes-langchain.lmChatAnthropic",
        "Anthropic Chat Model",
        Ai,
        "A Claude model for an agent or chain",
    ),
    t(
        "@n8n/n8n-nodes-langchain.lmChatOllama",
        "Ollama Chat Model",
        Ai,
        "A local Ollama model for an agent or chain",
    ),
    t(
        "@n8n/n8n-nodes-langchain.toolCode",
        "Code Tool",
        Ai,
        "JavaScript an agent may call",
    ),
    t(
        "@n8n/n8n-nodes-langchain.toolWorkflow",
        "Call n8n Workflow Tool",
        Ai,
        "A workflow an agent may call",
    ),
    t(
        "n8n-nodes-base.respondToWebhook",
        "Respond to Webhook",
        Integration,
        "Answers the webhook call",
    ),
];

/// The catalogue entry of a type name.
pub fn lookup(name: &str) -> Option<&'static NodeType> {
    NODE_TYPES.iter().find(|t| t.name == name)
}

/// Whether a node type starts executions. Unknown types count as triggers when their name
/// says so, as n8n's community triggers are named `…Trigger`.
pub fn is_trigger(name: &str) -> bool {
    match lookup(name) {
        Some(t) => t.group == Group::Trigger,
        None => name.ends_with("Trigger"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_triggers_known() {
        let mut names: Vec<_> = NODE_TYPES.iter().map(|t| t.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), NODE_TYPES.len());
        assert!(is_trigger("n8n-nodes-base.webhook"));
        assert!(!is_trigger("n8n-nodes-base.set"));
        assert!(is_trigger("n8n-nodes-base.githubTrigger"));
    }
}
