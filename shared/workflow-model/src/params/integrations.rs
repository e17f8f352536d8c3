//! Parameter definitions: integration nodes.

use super::build::*;
use super::triggers::RESPONSE_HEADERS;

const NAME_VALUE: &[Param] = &[
    p("name", "Name", string("")),
    p("value", "Value", string("")),
];

const GENERIC: &[Show] = &[when("authentication", &["genericCredentialType"])];

const HTTP_PAGINATION: &[Param] = &[
    p(
        "paginationMode",
        "Pagination Mode",
        options(
            "off",
            &[
                c("off", "Off"),
                c(
                    "updateAParameterInEachRequest",
                    "Update a Parameter in Each Request",
                ),
                c("responseContainsNextURL", "Response Contains Next URL"),
            ],
        ),
    )
    .hint("Use $response to read the previous page's answer"),
    p("nextURL", "Next URL", string(""))
        .show(&[when("paginationMode", &["responseContainsNextURL"])]),
    p(
        "parameters",
        "Parameters",
        fixed(
            &[group(
                "parameters",
                "Parameter",
                &[
                    p(
                        "type",
                        "Type",
                        options(
                            "qs",
                            &[c("body", "Body"), c("headers", "Header"), c("qs", "Query")],
                        ),
                    ),
                    p("name", "Name", string_ph("", "e.g page")),
                    p("value", "Value", string(""))
                        .hint("Use expression mode and $response to access response data"),
                ],
            )],
            true,
        ),
    )
    .show(&[when("paginationMode", &["updateAParameterInEachRequest"])]),
    p(
        "paginationCompleteWhen",
        "Pagination Complete When",
        options(
            "responseIsEmpty",
            &[
                c("responseIsEmpty", "Response Is Empty"),
                c(
                    "receiveSpecificStatusCodes",
                    "Receive Specific Status Code(s)",
                ),
                c("other", "Other"),
            ],
        ),
    )
    .show(PAGINATING),
    p(
        "statusCodesWhenComplete",
        "Status Code(s) when Complete",
        string_ph("", "e.g. 404, 410"),
    )
    .show(&[when(
        "paginationCompleteWhen",
        &["receiveSpecificStatusCodes"],
    )]),
    p("completeExpression", "Complete Expression", string(""))
        .show(&[when("paginationCompleteWhen", &["other"])]),
    p("limitPagesFetched", "Limit Pages Fetched", boolean(false)).show(PAGINATING),
    p("maxRequests", "Max Pages", number_min(100.0, 1.0))
        .show(&[when("limitPagesFetched", &["true"])]),
    p(
        "requestInterval",
        "Interval Between Requests (ms)",
        number_min(0.0, 0.0),
    )
    .hint("At 0 no delay will be added")
    .show(PAGINATING),
];

const PAGINATING: &[Show] = &[when(
    "paginationMode",
    &["updateAParameterInEachRequest", "responseContainsNextURL"],
)];

const HTTP_OPTIONS: &[Param] = &[
    p(
        "batching",
        "Batching",
        fixed(
            &[group(
                "batch",
                "Batching",
                &[
                    p("batchSize", "Items per Batch", number_min(50.0, -1.0))
                        .hint("Items sent at once; -1 for all"),
                    p(
                        "batchInterval",
                        "Batch Interval (ms)",
                        number_min(1000.0, 0.0),
                    ),
                ],
            )],
            false,
        ),
    ),
    p(
        "redirect",
        "Redirects",
        fixed(
            &[group(
                "redirect",
                "Redirect",
                &[p("followRedirects", "Follow Redirects", boolean(true))],
            )],
            false,
        ),
    ),
    p(
        "response",
        "Response",
        fixed(
            &[group(
                "response",
                "Response",
                &[
                    p(
                        "fullResponse",
                        "Include Response Headers and Status",
                        boolean(false),
                    ),
                    p("neverError", "Never Error", boolean(false)),
                    p(
                        "responseFormat",
                        "Response Format",
                        options(
                            "autodetect",
                            &[
                                c("autodetect", "Autodetect"),
                                c("file", "File"),
                                c("json", "JSON"),
                                c("text", "Text"),
                            ],
                        ),
                    ),
                    p("outputPropertyName", "Put Output in Field", string("data"))
                        .show(&[when("responseFormat", &["file"])])
                        .required(),
                ],
            )],
            false,
        ),
    ),
    p(
        "pagination",
        "Pagination",
        fixed(&[group("pagination", "Pagination", HTTP_PAGINATION)], false),
    ),
    p("timeout", "Timeout", number_min(300_000.0, 1.0)).hint("Milliseconds"),
];

const HTTP_REQUEST: NodeSpec = NodeSpec {
    kind: "n8n-nodes-base.httpRequest",
    version: "4.2",
    form_since: "4",
    params: &[
        p(
            "method",
            "Method",
            options(
                "GET",
                &[
                    c("DELETE", "DELETE"),
                    c("GET", "GET"),
                    c("HEAD", "HEAD"),
                    c("OPTIONS", "OPTIONS"),
                    c("PATCH", "PATCH"),
                    c("POST", "POST"),
                    c("PUT", "PUT"),
                ],
            ),
        ),
        p("url", "URL", string_ph("", "http://example.com/index.html")).required(),
        p(
            "authentication",
            "Authentication",
            options(
                "none",
                &[
                    c("none", "None"),
                    c("genericCredentialType", "Generic Credential Type"),
                ],
            ),
        ),
        p(
            "genericAuthType",
            "Generic Auth Type",
            options(
                "httpHeaderAuth",
                &[
                    c("httpBasicAuth", "Basic Auth"),
                    c("httpBearerAuth", "Bearer Auth"),
                    c("httpHeaderAuth", "Header Auth"),
                    c("httpQueryAuth", "Query Auth"),
                ],
            ),
        )
        .show(GENERIC)
        .required(),
        p("sendQuery", "Send Query Parameters", boolean(false)),
        p(
            "queryParameters",
            "Query Parameters",
            fixed(&[group("parameters", "Query Parameter", NAME_VALUE)], true),
        )
        .show(&[when("sendQuery", &["true"])]),
        p("sendHeaders", "Send Headers", boolean(false)),
        p(
            "headerParameters",
            "Headers",
            fixed(&[group("parameters", "Header", NAME_VALUE)], true),
        )
        .show(&[when("sendHeaders", &["true"])]),
        p("sendBody", "Send Body", boolean(false)),
        p(
            "contentType",
            "Body Content Type",
            options(
                "json",
                &[
                    c("form-urlencoded", "Form URL Encoded"),
                    c("multipart-form-data", "Form-Data"),
                    c("json", "JSON"),
                    c("raw", "Raw"),
                ],
            ),
        )
        .show(&[when("sendBody", &["true"])]),
        p(
            "specifyBody",
            "Specify Body",
            options(
                "keypair",
                &[c("keypair", "Using Fields Below"), c("json", "Using JSON")],
            ),
        )
        .show(&[when("sendBody", &["true"]), when("contentType", &["json"])]),
        p(
            "bodyParameters",
            "Body Parameters",
            fixed(&[group("parameters", "Body Field", NAME_VALUE)], true),
        )
        .show(&[
            when("sendBody", &["true"]),
            when("contentType", &["json"]),
            when("specifyBody", &["keypair"]),
        ]),
        p("jsonBody", "JSON", json("{}")).show(&[
            when("sendBody", &["true"]),
            when("contentType", &["json"]),
            when("specifyBody", &["json"]),
        ]),
        p(
            "bodyParameters",
            "Body",
            fixed(
                &[group(
                    "parameters",
                    "Body Field",
                    &[
                        p(
                            "parameterType",
                            "Type",
                            options(
                                "formData",
                                &[
                                    c("formBinaryData", "n8n Binary File"),
                                    c("formData", "Form Data"),
                                ],
                            ),
                        ),
                        p("name", "Name", string("")),
                        p("value", "Value", string(""))
                            .show(&[when("parameterType", &["formData"])]),
                        p("inputDataFieldName", "Input Data Field Name", string(""))
                            .hint("The item's binary field holding the file")
                            .show(&[when("parameterType", &["formBinaryData"])]),
                    ],
                )],
                true,
            ),
        )
        .show(&[
            when("sendBody", &["true"]),
            when("contentType", &["multipart-form-data"]),
        ]),
        p(
            "bodyParameters",
            "Body Fields",
            fixed(&[group("parameters", "Field", NAME_VALUE)], true),
        )
        .show(&[
            when("sendBody", &["true"]),
            when("contentType", &["form-urlencoded"]),
        ]),
        p(
            "rawContentType",
            "Content Type",
            string_ph("text/plain", "text/html"),
        )
        .show(&[when("sendBody", &["true"]), when("contentType", &["raw"])]),
        p("body", "Body", text("", 4))
            .show(&[when("sendBody", &["true"]), when("contentType", &["raw"])]),
        p("options", "Options", collection(HTTP_OPTIONS)),
    ],
    credentials: &[
        credential(
            "httpBasicAuth",
            "Basic Auth",
            &[
                when("authentication", &["genericCredentialType"]),
                when("genericAuthType", &["httpBasicAuth"]),
            ],
        ),
        credential(
            "httpBearerAuth",
            "Bearer Auth",
            &[
                when("authentication", &["genericCredentialType"]),
                when("genericAuthType", &["httpBearerAuth"]),
            ],
        ),
        credential(
            "httpHeaderAuth",
            "Header Auth",
            &[
                when("authentication", &["genericCredentialType"]),
                when("genericAuthType", &["httpHeaderAuth"]),
            ],
        ),
        credential(
            "httpQueryAuth",
            "Query Auth",
            &[
                when("authentication", &["genericCredentialType"]),
                when("genericAuthType", &["httpQueryAuth"]),
            ],
        ),
    ],
};

const EMAIL_SEND: NodeSpec = NodeSpec {
    kind: "n8n-nodes-base.emailSend",
    version: "2.1",
    form_since: "2.1",
    params: &[
        p(
            "fromEmail",
            "From Email",
            string_ph("", "admin@example.com"),
        )
        .hint("Also \"Name <address>\"")
        .required(),
        p("toEmail", "To Email", string_ph("", "info@example.com"))
            .hint("Several addresses separated by commas")
            .required(),
        p("subject", "Subject", string_ph("", "My subject line")),
        p(
            "emailFormat",
            "Email Format",
            options(
                "html",
                &[c("text", "Text"), c("html", "HTML"), c("both", "Both")],
            ),
        ),
        p("text", "Text", text("", 5)).show(&[when("emailFormat", &["text", "both"])]),
        p("html", "HTML", text("", 5)).show(&[when("emailFormat", &["html", "both"])]),
        p(
            "options",
            "Options",
            collection(&[
                p("appendAttribution", "Append Attribution", boolean(true))
                    .hint("Adds a line saying the email was sent automatically with Agente"),
                p("attachments", "Attachments", string_ph("", "data"))
                    .hint("The item's binary fields to attach, separated by commas"),
                p("ccEmail", "CC Email", string_ph("", "cc@example.com")),
                p("bccEmail", "BCC Email", string_ph("", "bcc@example.com")),
                p(
                    "allowUnauthorizedCerts",
                    "Ignore SSL Issues (Insecure)",
                    boolean(false),
                ),
                p("replyTo", "Reply To", string_ph("", "info@example.com")),
            ]),
        ),
    ],
    credentials: &[credential("smtp", "SMTP", &[])],
};

const SLACK: NodeSpec = NodeSpec {
    kind: "n8n-nodes-base.slack",
    version: "2.7",
    form_since: "2.1",
    params: &[
        p(
            "authentication",
            "Authentication",
            options(
                "accessToken",
                &[c("accessToken", "Access Token"), c("oAuth2", "OAuth2")],
            ),
        ),
        p(
            "resource",
            "Resource",
            options("message", &[c("message", "Message")]),
        ),
        p(
            "operation",
            "Operation",
            options("post", &[c("post", "Send")]),
        ),
        p(
            "select",
            "Send Message To",
            options("channel", &[c("channel", "Channel"), c("user", "User")]),
        )
        .required(),
        p(
            "channelId",
            "Channel",
            locator(&[c("id", "By ID"), c("name", "By Name"), c("url", "By URL")]),
        )
        .hint("A channel ID (C0123…), a #name, or the channel's link")
        .show(&[when("select", &["channel"])])
        .required(),
        p("user", "User", locator(&[c("id", "By ID")]))
            .hint("The user's ID (U0123…)")
            .show(&[when("select", &["user"])])
            .required(),
        p(
            "messageType",
            "Message Type",
            options(
                "text",
                &[c("text", "Simple Text Message"), c("block", "Blocks")],
            ),
        ),
        p("text", "Message Text", text("", 3))
            .show(&[when("messageType", &["text"])])
            .required(),
        p("blocksUi", "Blocks", json(""))
            .hint("Block Kit JSON, e.g. from Slack's Block Kit Builder")
            .show(&[when("messageType", &["block"])])
            .required(),
        p("text", "Notification Text", string("")).show(&[when("messageType", &["block"])]),
        p(
            "otherOptions",
            "Options",
            collection(&[
                p(
                    "includeLinkToWorkflow",
                    "Include Link to Workflow",
                    boolean(true),
                )
                .hint("Appends “Automated with Agente” to the text"),
                p("link_names", "Link User and Channel Names", boolean(false)),
                p(
                    "thread_ts",
                    "Reply to a Message",
                    fixed(
                        &[group(
                            "replyValues",
                            "Reply to a Message",
                            &[
                                p(
                                    "thread_ts",
                                    "Message Timestamp to Reply To",
                                    string_ph("", "1663233118.856619"),
                                ),
                                p("reply_broadcast", "Also Send to Channel", boolean(false)),
                            ],
                        )],
                        false,
                    ),
                ),
                p("mrkdwn", "Use Markdown?", boolean(true)),
                p("unfurl_links", "Unfurl Links", boolean(false)),
                p("unfurl_media", "Unfurl Media", boolean(true)),
            ]),
        ),
    ],
    credentials: &[
        credential(
            "slackApi",
            "Slack API",
            &[when("authentication", &["accessToken"])],
        ),
        credential(
            "slackOAuth2Api",
            "Slack OAuth2 API",
            &[when("authentication", &["oAuth2"])],
        ),
    ],
};

pub(super) const SPECS: &[NodeSpec] = &[
    HTTP_REQUEST,
    EMAIL_SEND,
    SLACK,
    NodeSpec {
        kind: "n8n-nodes-base.respondToWebhook",
        version: "1.5",
        form_since: "1",
        params: &[
            p(
                "respondWith",
                "Respond With",
                options(
                    "firstIncomingItem",
                    &[
                        c("allIncomingItems", "All Incoming Items"),
                        c("firstIncomingItem", "First Incoming Item"),
                        c("json", "JSON"),
                        c("noData", "No Data"),
                        c("text", "Text"),
                    ],
                ),
            )
            .hint("The Webhook node must respond “Using 'Respond to Webhook' Node”"),
            p(
                "responseBody",
                "Response Body",
                json("{\n  \"myField\": \"value\"\n}"),
            )
            .show(&[when("respondWith", &["json"])])
            .required(),
            p("responseBody", "Response Body", text("", 2)).show(&[when("respondWith", &["text"])]),
            p(
                "options",
                "Options",
                collection(&[
                    p(
                        "responseCode",
                        "Response Code",
                        number_in(200.0, 100.0, 599.0),
                    ),
                    RESPONSE_HEADERS,
                ]),
            ),
        ],
        credentials: &[],
    },
];
