//! Parameter definitions: flow nodes.

use super::build::*;
use super::triggers::{HTTP_METHODS, RESPONSE_DATA, RESPONSE_HEADERS};

const TIME_UNITS: &[Choice] = &[
    c("seconds", "Seconds"),
    c("minutes", "Minutes"),
    c("hours", "Hours"),
    c("days", "Days"),
];

/// The options of a Wait node resumed by a webhook call.
const WAIT_WEBHOOK_OPTIONS: &[Param] = &[
    p(
        "binaryPropertyName",
        "Field Name for Binary Data",
        string("data"),
    )
    .hint("Where the raw body goes when Raw Body is on"),
    p("ignoreBots", "Ignore Bots", boolean(false)).hint("Refuse link previewers and crawlers"),
    p(
        "ipWhitelist",
        "IP(s) Allowlist",
        string_ph("", "e.g. 127.0.0.1, 192.168.1.0/24"),
    ),
    p("noResponseBody", "No Response Body", boolean(false)),
    p("rawBody", "Raw Body", boolean(false)),
    RESPONSE_HEADERS,
    p("responsePropertyName", "Property Name", string("data"))
        .hint("With First Entry JSON: answer only this field of the first item"),
    p("webhookSuffix", "Webhook Suffix", string_ph("", "webhook"))
        .hint("Appended to $execution.resumeUrl"),
];

const WAIT: NodeSpec = NodeSpec {
    kind: "n8n-nodes-base.wait",
    version: "1.1",
    form_since: "1.1",
    params: &[
        p(
            "resume",
            "Resume",
            options(
                "timeInterval",
                &[
                    c("timeInterval", "After Time Interval"),
                    c("specificTime", "At Specified Time"),
                    c("webhook", "On Webhook Call"),
                ],
            ),
        ),
        p(
            "incomingAuthentication",
            "Authentication",
            options(
                "none",
                &[
                    c("basicAuth", "Basic Auth"),
                    c("headerAuth", "Header Auth"),
                    c("none", "None"),
                ],
            ),
        )
        .show(&[when("resume", &["webhook"])]),
        p(
            "dateTime",
            "Date and Time",
            string_ph("", "2025-01-31T09:00:00"),
        )
        .hint("In the workflow's time zone unless the date names one")
        .show(&[when("resume", &["specificTime"])])
        .required(),
        p("amount", "Wait Amount", number_min(1.0, 0.0)).show(&[when("resume", &["timeInterval"])]),
        p("unit", "Wait Unit", options("seconds", TIME_UNITS))
            .show(&[when("resume", &["timeInterval"])]),
        p("httpMethod", "HTTP Method", options("GET", HTTP_METHODS))
            .hint("The call goes to $execution.resumeUrl")
            .show(&[when("resume", &["webhook"])]),
        p(
            "responseCode",
            "Response Code",
            number_in(200.0, 100.0, 599.0),
        )
        .show(&[
            when("resume", &["webhook"]),
            when("responseMode", &["onReceived", "lastNode"]),
        ]),
        p(
            "responseMode",
            "Respond",
            options(
                "onReceived",
                &[
                    c("onReceived", "Immediately"),
                    c("lastNode", "When Last Node Finishes"),
                    c("responseNode", "Using 'Respond to Webhook' Node"),
                ],
            ),
        )
        .show(&[when("resume", &["webhook"])]),
        p(
            "responseData",
            "Response Data",
            options("firstEntryJson", RESPONSE_DATA),
        )
        .show(&[
            when("resume", &["webhook"]),
            when("responseMode", &["lastNode"]),
        ]),
        p("limitWaitTime", "Limit Wait Time", boolean(false)).show(&[when("resume", &["webhook"])]),
        p(
            "limitType",
            "Limit Type",
            options(
                "afterTimeInterval",
                &[
                    c("afterTimeInterval", "After Time Interval"),
                    c("atSpecifiedTime", "At Specified Time"),
                ],
            ),
        )
        .show(&[
            when("resume", &["webhook"]),
            when("limitWaitTime", &["true"]),
        ]),
        p("resumeAmount", "Amount", number_min(1.0, 0.0)).show(&[
            when("resume", &["webhook"]),
            when("limitWaitTime", &["true"]),
            when("limitType", &["afterTimeInterval"]),
        ]),
        p("resumeUnit", "Unit", options("hours", TIME_UNITS)).show(&[
            when("resume", &["webhook"]),
            when("limitWaitTime", &["true"]),
            when("limitType", &["afterTimeInterval"]),
        ]),
        p(
            "maxDateAndTime",
            "Max Date and Time",
            string_ph("", "2025-01-31T09:00:00"),
        )
        .show(&[
            when("resume", &["webhook"]),
            when("limitWaitTime", &["true"]),
            when("limitType", &["atSpecifiedTime"]),
        ]),
        p("options", "Options", collection(WAIT_WEBHOOK_OPTIONS))
            .show(&[when("resume", &["webhook"])]),
    ],
    credentials: &[
        credential(
            "httpBasicAuth",
            "Basic Auth",
            &[
                when("resume", &["webhook"]),
                when("incomingAuthentication", &["basicAuth"]),
            ],
        ),
        credential(
            "httpHeaderAuth",
            "Header Auth",
            &[
                when("resume", &["webhook"]),
                when("incomingAuthentication", &["headerAuth"]),
            ],
        ),
    ],
};

const SWITCH: NodeSpec = NodeSpec {
    kind: "n8n-nodes-base.switch",
    version: "3.3",
    form_since: "3.1",
    params: &[
        p(
            "mode",
            "Mode",
            options(
                "rules",
                &[c("rules", "Rules"), c("expression", "Expression")],
            ),
        ),
        p(
            "numberOutputs",
            "Number of Outputs",
            number_in(4.0, 1.0, 64.0),
        )
        .show(&[when("mode", &["expression"])]),
        p("output", "Output Index", number_min(0.0, 0.0))
            .hint("The index to route the item to, starts at 0")
            .show(&[when("mode", &["expression"])]),
        p(
            "rules",
            "Routing Rules",
            fixed(
                &[group(
                    "values",
                    "Routing Rule",
                    &[p("conditions", "Conditions", Kind::Conditions)],
                )],
                true,
            ),
        )
        .hint("Each rule has its own output, in order")
        .show(&[when("mode", &["rules"])]),
        p(
            "looseTypeValidation",
            "Convert types where required",
            boolean(false),
        ),
        p(
            "options",
            "Options",
            collection(&[
                p(
                    "fallbackOutput",
                    "Fallback Output",
                    options(
                        "none",
                        &[c("none", "None (default)"), c("extra", "Extra Output")],
                    ),
                )
                .hint("Where items no rule matches go"),
                p(
                    "allMatchingOutputs",
                    "Send data to all matching outputs",
                    boolean(false),
                ),
            ]),
        )
        .show(&[when("mode", &["rules"])]),
    ],
    credentials: &[],
};

const MERGE: NodeSpec = NodeSpec {
    kind: "n8n-nodes-base.merge",
    version: "3.2",
    form_since: "3",
    params: &[
        p(
            "mode",
            "Mode",
            options(
                "append",
                &[
                    c("append", "Append"),
                    c("combine", "Combine"),
                    c("chooseBranch", "Choose Branch"),
                ],
            ),
        ),
        p(
            "combineBy",
            "Combine By",
            options(
                "combineByFields",
                &[
                    c("combineByFields", "Matching Fields"),
                    c("combineByPosition", "Position"),
                    c("combineAll", "All Possible Combinations"),
                ],
            ),
        )
        .show(&[when("mode", &["combine"])]),
        p(
            "advanced",
            "Fields To Match Have Different Names",
            boolean(false),
        )
        .show(&[
            when("mode", &["combine"]),
            when("combineBy", &["combineByFields"]),
        ]),
        p(
            "fieldsToMatchString",
            "Fields to Match",
            string_ph("", "e.g. id"),
        )
        .hint("Only the first field of a list is matched on")
        .show(&[
            when("advanced", &["false"]),
            when("mode", &["combine"]),
            when("combineBy", &["combineByFields"]),
        ]),
        p(
            "mergeByFields",
            "Fields to Match",
            fixed(
                &[group(
                    "values",
                    "Values",
                    &[
                        p("field1", "Input 1 Field", string_ph("", "e.g. id")),
                        p("field2", "Input 2 Field", string_ph("", "e.g. id")),
                    ],
                )],
                true,
            ),
        )
        .hint("Only the first pair is matched on")
        .show(&[
            when("advanced", &["true"]),
            when("mode", &["combine"]),
            when("combineBy", &["combineByFields"]),
        ]),
        p(
            "joinMode",
            "Output Type",
            options(
                "keepMatches",
                &[
                    c("keepMatches", "Keep Matches"),
                    c("keepNonMatches", "Keep Non-Matches"),
                    c("enrichInput1", "Enrich Input 1"),
                ],
            ),
        )
        .hint("Keep Non-Matches keeps the items of input 1 only")
        .show(&[
            when("mode", &["combine"]),
            when("combineBy", &["combineByFields"]),
        ]),
        p(
            "options",
            "Options",
            collection(&[p(
                "includeUnpaired",
                "Include Any Unpaired Items",
                boolean(false),
            )]),
        )
        .show(&[
            when("mode", &["combine"]),
            when("combineBy", &["combineByPosition"]),
        ]),
        p(
            "useDataOfInput",
            "Use Data of Input",
            number_in(1.0, 1.0, 2.0),
        )
        .show(&[when("mode", &["chooseBranch"])]),
    ],
    credentials: &[],
};

const EXECUTE_WORKFLOW: NodeSpec = NodeSpec {
    kind: "n8n-nodes-base.executeWorkflow",
    version: "1.2",
    form_since: "1.2",
    params: &[
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
        .hint("The called workflow starts with an Execute Workflow Trigger")
        .show(&[when("source", &["database"])])
        .required(),
        p("workflowJson", "Workflow JSON", json("\n\n\n"))
            .show(&[when("source", &["parameter"])])
            .required(),
        p(
            "mode",
            "Mode",
            options(
                "once",
                &[
                    c("once", "Run once with all items"),
                    c("each", "Run once for each item"),
                ],
            ),
        ),
        p(
            "options",
            "Options",
            collection(&[p(
                "waitForSubWorkflow",
                "Wait For Sub-Workflow Completion",
                boolean(true),
            )]),
        ),
    ],
    credentials: &[],
};

pub(super) const SPECS: &[NodeSpec] = &[
    NodeSpec {
        kind: "n8n-nodes-base.if",
        version: "2.2",
        form_since: "2.1",
        params: &[
            p("conditions", "Conditions", Kind::Conditions),
            p(
                "looseTypeValidation",
                "Convert types where required",
                boolean(false),
            ),
        ],
        credentials: &[],
    },
    SWITCH,
    MERGE,
    NodeSpec {
        kind: "n8n-nodes-base.filter",
        version: "2.2",
        form_since: "2.1",
        params: &[
            p("conditions", "Conditions", Kind::Conditions),
            p(
                "looseTypeValidation",
                "Convert types where required",
                boolean(false),
            ),
        ],
        credentials: &[],
    },
    NodeSpec {
        kind: "n8n-nodes-base.splitInBatches",
        version: "3",
        form_since: "3",
        params: &[
            p("batchSize", "Batch Size", number_min(1.0, 1.0)),
            p(
                "options",
                "Options",
                collection(&[
                    p("reset", "Reset", boolean(false)).hint("Start afresh with this run's items")
                ]),
            ),
        ],
        credentials: &[],
    },
    NodeSpec {
        kind: "n8n-nodes-base.noOp",
        version: "1",
        form_since: "1",
        params: &[],
        credentials: &[],
    },
    NodeSpec {
        kind: "n8n-nodes-base.stopAndError",
        version: "1",
        form_since: "1",
        params: &[
            p(
                "errorType",
                "Error Type",
                options(
                    "errorMessage",
                    &[
                        c("errorMessage", "Error Message"),
                        c("errorObject", "Error Object"),
                    ],
                ),
            ),
            p(
                "errorMessage",
                "Error Message",
                string_ph("", "An error occurred!"),
            )
            .show(&[when("errorType", &["errorMessage"])])
            .required(),
            p("errorObject", "Error Object", json(""))
                .hint("Its `message` field becomes the error message")
                .show(&[when("errorType", &["errorObject"])])
                .required(),
        ],
        credentials: &[],
    },
    WAIT,
    EXECUTE_WORKFLOW,
];
