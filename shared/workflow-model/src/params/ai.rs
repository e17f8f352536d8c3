//! Parameter definitions: AI nodes (root nodes, chat models and tools).

use super::build::*;

const PROMPT_TYPE: Param = p(
    "promptType",
    "Source for Prompt (User Message)",
    options(
        "auto",
        &[
            c("auto", "Connected Chat Trigger Node"),
            c("define", "Define below"),
        ],
    ),
)
.hint("Connected Chat Trigger Node takes the item's chatInput field")
.required();

const PROMPT_TEXT: Param = p("text", "Prompt (User Message)", text("", 2))
    .show(&[when("promptType", &["define"])])
    .required();

const MODEL_MODES: &[Choice] = &[c("id", "By ID"), c("list", "From List")];

const SPECIFY_SCHEMA: &[Show] = &[when("specifyInputSchema", &["true"])];

// A tool's optional input schema (without one it takes one string, `query`).
const SPECIFY_INPUT_SCHEMA: Param = p("specifyInputSchema", "Specify Input Schema", boolean(false));

const SCHEMA_TYPE: Param = p(
    "schemaType",
    "Schema Type",
    options(
        "fromJson",
        &[
            c("fromJson", "Generate From JSON Example"),
            c("manual", "Define using JSON Schema"),
        ],
    ),
)
.show(SPECIFY_SCHEMA);

const JSON_SCHEMA_EXAMPLE: Param = p(
    "jsonSchemaExample",
    "JSON Example",
    json("{\n\t\"some_input\": \"some_value\"\n}"),
)
.hint("All properties will be required")
.show(&[
    when("specifyInputSchema", &["true"]),
    when("schemaType", &["fromJson"]),
])
.required();

const INPUT_SCHEMA: Param = p(
        "inputSchema",
        "Input Schema",
        json(
            "{\n\"type\": \"object\",\n\"properties\": {\n\t\"some_input\": {\n\t\t\"type\": \"string\",\n\t\t\"description\": \"Some input to the function\"\n\t\t}\n\t}\n}",
        ),
    )
    .show(&[
        when("specifyInputSchema", &["true"]),
        when("schemaType", &["manual"]),
    ])
    .required();

const TOOL_DESCRIPTION: Param = p("description", "Description", text("", 3))
    .hint("Tells the model what the tool does and what to give it");

pub(super) const SPECS: &[NodeSpec] = &[
    NodeSpec {
        kind: "@n8n/n8n-nodes-langchain.agent",
        version: "3.1",
        form_since: "2",
        params: &[
            PROMPT_TYPE,
            PROMPT_TEXT,
            p(
                "options",
                "Options",
                collection(&[
                    p(
                        "systemMessage",
                        "System Message",
                        text("You are a helpful assistant", 6),
                    ),
                    p("maxIterations", "Max Iterations", number_in(10.0, 1.0, 100.0)),
                    p(
                        "returnIntermediateSteps",
                        "Return Intermediate Steps",
                        boolean(false),
                    ),
                ]),
            ),
        ],
        credentials: &[],
    },
    NodeSpec {
        kind: "@n8n/n8n-nodes-langchain.chainLlm",
        version: "1.9",
        form_since: "1.4",
        params: &[
            PROMPT_TYPE,
            PROMPT_TEXT,
            p(
                "messages",
                "Chat Messages (if Using a Chat Model)",
                fixed(
                    &[group(
                        "messageValues",
                        "Prompt",
                        &[
                            p(
                                "type",
                                "Type Name or ID",
                                options(
                                    "SystemMessagePromptTemplate",
                                    &[
                                        c("AIMessagePromptTemplate", "AI"),
                                        c("SystemMessagePromptTemplate", "System"),
                                        c("HumanMessagePromptTemplate", "User"),
                                    ],
                                ),
                            ),
                            p("message", "Message", text("", 2)).required(),
                        ],
                    )],
                    true,
                ),
            ),
        ],
        credentials: &[],
    },
    NodeSpec {
        kind: "@n8n/n8n-nodes-langchain.lmChatOpenAi",
        version: "1.2",
        form_since: "1.2",
        params: &[
            p("model", "Model", locator(MODEL_MODES))
                .hint("Empty means gpt-4o-mini")
                .required(),
            p(
                "options",
                "Options",
                collection(&[
                    p("maxTokens", "Maximum Number of Tokens", number(-1.0))
                        .hint("-1 uses the default limit (4096)"),
                    p(
                        "responseFormat",
                        "Response Format",
                        options("text", &[c("text", "Text"), c("json_object", "JSON")]),
                    )
                    .hint("With JSON, say “json” in the prompt"),
                    p(
                        "temperature",
                        "Sampling Temperature",
                        number_in(0.7, 0.0, 2.0),
                    ),
                ]),
            ),
        ],
        credentials: &[credential("openAiApi", "OpenAI", &[])],
    },
    NodeSpec {
        kind: "@n8n/n8n-nodes-langchain.lmChatAnthropic",
        version: "1.6",
        form_since: "1.3",
        params: &[
            p("model", "Model", locator(MODEL_MODES))
                .hint("A Claude model ID, e.g. claude-sonnet-4-5")
                .required(),
            p(
                "options",
                "Options",
                collection(&[
                    p(
                        "maxTokensToSample",
                        "Maximum Number of Tokens",
                        number(4096.0),
                    ),
                    p(
                        "temperature",
                        "Sampling Temperature",
                        number_in(0.7, 0.0, 1.0),
                    ),
                ]),
            ),
        ],
        credentials: &[credential("anthropicApi", "Anthropic", &[])],
    },
    NodeSpec {
        kind: "@n8n/n8n-nodes-langchain.lmChatOllama",
        version: "1",
        form_since: "1",
        params: &[
            p("model", "Model", string("llama3.2"))
                .hint("A model pulled on the Ollama server")
                .required(),
            p(
                "options",
                "Options",
                collection(&[
                    p(
                        "temperature",
                        "Sampling Temperature",
                        number_in(0.7, 0.0, 1.0),
                    ),
                    p("numPredict", "Max Tokens to Generate", number(-1.0))
                        .hint("-1 uses the default limit (4096)"),
                    p(
                        "format",
                        "Output Format",
                        options("default", &[c("default", "Default"), c("json", "JSON")]),
                    ),
                ]),
            ),
        ],
        credentials: &[credential("ollamaApi", "Ollama", &[])],
    },
    NodeSpec {
        kind: "@n8n/n8n-nodes-langchain.toolCode",
        version: "1.3",
        form_since: "1.2",
        params: &[
            TOOL_DESCRIPTION,
            p(
                "jsCode",
                "JavaScript",
                code(
                    "javaScript",
                    "// Example: convert the incoming query to uppercase and return it\nreturn query.toUpperCase()",
                ),
            )
            .hint("The tool's input is `query`; return a string")
            .required(),
            SPECIFY_INPUT_SCHEMA,
            SCHEMA_TYPE,
            JSON_SCHEMA_EXAMPLE,
            INPUT_SCHEMA,
        ],
        credentials: &[],
    },
    NodeSpec {
        kind: "@n8n/n8n-nodes-langchain.toolWorkflow",
        version: "1.3",
        form_since: "1.3",
        params: &[
            p("name", "Name", string_ph("", "e.g. My_Color_Tool"))
                .hint("Empty means the node's name"),
            TOOL_DESCRIPTION,
            p(
                "source",
                "Source",
                options(
                    "database",
                    &[c("database", "Database"), c("parameter", "Define Below")],
                ),
            ),
            p(
                "workflowId",
                "Workflow",
                locator(&[c("id", "By ID"), c("list", "From list")]),
            )
            .hint("The workflow gets one item, {query}; its last node's items are the answer")
            .show(&[when("source", &["database"])])
            .required(),
            p("workflowJson", "Workflow JSON", json("\n\n\n"))
                .show(&[when("source", &["parameter"])])
                .required(),
            SPECIFY_INPUT_SCHEMA,
            SCHEMA_TYPE,
            JSON_SCHEMA_EXAMPLE,
            INPUT_SCHEMA,
        ],
        credentials: &[],
    },
];
