//! Parameter definitions: the OpenAI integration node.

use super::build::*;

const ROLES: &[Choice] = &[
    c("assistant", "Assistant"),
    c("system", "System"),
    c("user", "User"),
];

/// The first OpenAI node (`n8n-nodes-base.openAi` v1), plus “Message a model” as the
/// engine runs it (the LangChain OpenAI node's parameters under this type).
pub(super) const SPECS: &[NodeSpec] = &[NodeSpec {
    kind: "n8n-nodes-base.openAi",
    version: "1",
    form_since: "1",
    params: &[
        p(
            "resource",
            "Resource",
            options("text", &[c("chat", "Chat"), c("text", "Text")]),
        ),
        p(
            "operation",
            "Operation",
            options("complete", &[c("complete", "Complete")]),
        )
        .show(&[when("resource", &["chat"])]),
        p(
            "operation",
            "Operation",
            options(
                "complete",
                &[
                    c("complete", "Complete"),
                    c("edit", "Edit"),
                    c("message", "Message a Model"),
                ],
            ),
        )
        .show(&[when("resource", &["text"])]),
        p("model", "Model", string_ph("gpt-4o-mini", "gpt-4o-mini"))
            .show(&[when("operation", &["complete", "edit"])]),
        p(
            "modelId",
            "Model",
            locator(&[c("id", "By ID"), c("list", "From list")]),
        )
        .hint("Empty means gpt-4o-mini")
        .show(&[when("resource", &["text"]), when("operation", &["message"])])
        .required(),
        p(
            "prompt",
            "Prompt",
            fixed(
                &[group(
                    "messages",
                    "Messages",
                    &[
                        p("role", "Role", options("user", ROLES)),
                        p("content", "Content", text("", 2)),
                    ],
                )],
                true,
            ),
        )
        .show(&[
            when("resource", &["chat"]),
            when("operation", &["complete"]),
        ]),
        p("prompt", "Prompt", text("", 2)).show(&[
            when("resource", &["text"]),
            when("operation", &["complete"]),
        ]),
        p(
            "input",
            "Input",
            string_ph("", "e.g. What day of the wek is it?"),
        )
        .show(&[when("resource", &["text"]), when("operation", &["edit"])]),
        p(
            "instruction",
            "Instruction",
            string_ph("", "e.g. Fix the spelling mistakes"),
        )
        .show(&[when("resource", &["text"]), when("operation", &["edit"])]),
        p(
            "messages",
            "Messages",
            fixed(
                &[group(
                    "values",
                    "Message",
                    &[
                        p("content", "Prompt", text("", 2)),
                        p("role", "Role", options("user", ROLES)),
                    ],
                )],
                true,
            ),
        )
        .show(&[when("resource", &["text"]), when("operation", &["message"])]),
        p("simplify", "Simplify Output", boolean(true))
            .show(&[when("resource", &["text"]), when("operation", &["message"])]),
        p("jsonOutput", "Output Content as JSON", boolean(false))
            .show(&[when("resource", &["text"]), when("operation", &["message"])]),
        p("simplifyOutput", "Simplify", boolean(true))
            .show(&[when("operation", &["complete", "edit"])]),
        p(
            "options",
            "Options",
            collection(&[
                p("maxTokens", "Maximum Number of Tokens", number(4096.0))
                    .hint("-1 uses the default limit (4096)"),
                p(
                    "temperature",
                    "Sampling Temperature",
                    number_in(1.0, 0.0, 2.0),
                ),
            ]),
        ),
    ],
    credentials: &[credential("openAiApi", "OpenAI", &[])],
}];
