//! Parameter definitions: trigger nodes. The webhook and schedule parameters are read where
//! calls are routed and schedules computed (`agente-workflows`), not by the engine's nodes.

use super::build::*;

pub(super) const HTTP_METHODS: &[Choice] = &[
    c("DELETE", "DELETE"),
    c("GET", "GET"),
    c("HEAD", "HEAD"),
    c("PATCH", "PATCH"),
    c("POST", "POST"),
    c("PUT", "PUT"),
];

const WEBHOOK_AUTH: &[Choice] = &[
    c("basicAuth", "Basic Auth"),
    c("headerAuth", "Header Auth"),
    c("none", "None"),
];

const RESPONSE_MODES: &[Choice] = &[
    c("onReceived", "Immediately"),
    c("lastNode", "When Last Node Finishes"),
    c("responseNode", "Using 'Respond to Webhook' Node"),
];

/// What the last node's items answer (`responseMode: lastNode`).
pub(super) const RESPONSE_DATA: &[Choice] = &[
    c("allEntries", "All Entries"),
    c("firstEntryJson", "First Entry JSON"),
    c("noData", "No Response Body"),
];

/// A list of HTTP headers to answer with (`{"entries": [{name, value}]}`).
pub(super) const RESPONSE_HEADERS: Param = p(
    "responseHeaders",
    "Response Headers",
    fixed(
        &[group(
            "entries",
            "Entries",
            &[
                p("name", "Name", string("")),
                p("value", "Value", string("")),
            ],
        )],
        true,
    ),
);

/// The Webhook node's options and the Wait node's (on a webhook call) that the call's
/// handling reads.
const WEBHOOK_OPTIONS: &[Param] = &[
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
];

const INTERVALS: &[Choice] = &[
    c("seconds", "Seconds"),
    c("minutes", "Minutes"),
    c("hours", "Hours"),
    c("days", "Days"),
    c("weeks", "Weeks"),
    c("months", "Months"),
    c("cronExpression", "Custom (Cron)"),
];

const WEEKDAYS: &[Choice] = &[
    c("1", "Monday"),
    c("2", "Tuesday"),
    c("3", "Wednesday"),
    c("4", "Thursday"),
    c("5", "Friday"),
    c("6", "Saturday"),
    c("0", "Sunday"),
];

const SCHEDULE_INTERVAL: &[Param] = &[
    p("field", "Trigger Interval", options("days", INTERVALS)),
    p(
        "secondsInterval",
        "Seconds Between Triggers",
        number_in(30.0, 1.0, 59.0),
    )
    .show(&[when("field", &["seconds"])]),
    p(
        "minutesInterval",
        "Minutes Between Triggers",
        number_in(5.0, 1.0, 59.0),
    )
    .show(&[when("field", &["minutes"])]),
    p(
        "hoursInterval",
        "Hours Between Triggers",
        number_in(1.0, 1.0, 23.0),
    )
    .show(&[when("field", &["hours"])]),
    p(
        "daysInterval",
        "Days Between Triggers",
        number_in(1.0, 1.0, 31.0),
    )
    .show(&[when("field", &["days"])]),
    p(
        "weeksInterval",
        "Weeks Between Triggers",
        number_in(1.0, 1.0, 52.0),
    )
    .show(&[when("field", &["weeks"])]),
    p(
        "monthsInterval",
        "Months Between Triggers",
        number_min(1.0, 1.0),
    )
    .show(&[when("field", &["months"])]),
    p(
        "triggerAtDayOfMonth",
        "Trigger at Day of Month",
        number_in(1.0, 1.0, 31.0),
    )
    .hint("If a month doesn’t have this day, the node won’t trigger")
    .show(&[when("field", &["months"])]),
    p(
        "triggerAtDay",
        "Trigger on Weekdays",
        Kind::MultiOptions { options: WEEKDAYS },
    )
    .hint("None chosen means Sunday")
    .show(&[when("field", &["weeks"])]),
    p(
        "triggerAtHour",
        "Trigger at Hour",
        number_in(0.0, 0.0, 23.0),
    )
    .hint("0 is midnight, 12 is noon")
    .show(&[when("field", &["days", "weeks", "months"])]),
    p(
        "triggerAtMinute",
        "Trigger at Minute",
        number_in(0.0, 0.0, 59.0),
    )
    .show(&[when("field", &["hours", "days", "weeks", "months"])]),
    p(
        "expression",
        "Expression",
        string_ph("", "eg. 0 15 * 1 sun"),
    )
    .hint("Format: ([Second]) [Minute] [Hour] [Day of Month] [Month] [Day of Week]")
    .show(&[when("field", &["cronExpression"])]),
];

const CRON_MODES: &[Choice] = &[
    c("everyMinute", "Every Minute"),
    c("everyHour", "Every Hour"),
    c("everyDay", "Every Day"),
    c("everyWeek", "Every Week"),
    c("everyMonth", "Every Month"),
    c("everyX", "Every X"),
    c("custom", "Custom"),
];

const CRON_ITEM: &[Param] = &[
    p("mode", "Mode", options("everyDay", CRON_MODES)),
    p("hour", "Hour", number_in(0.0, 0.0, 23.0))
        .show(&[when("mode", &["everyDay", "everyWeek", "everyMonth"])]),
    p("minute", "Minute", number_in(0.0, 0.0, 59.0)).show(&[when(
        "mode",
        &["everyHour", "everyDay", "everyWeek", "everyMonth"],
    )]),
    p("dayOfMonth", "Day of Month", number_in(1.0, 1.0, 31.0))
        .show(&[when("mode", &["everyMonth"])]),
    p("weekday", "Weekday", options("1", WEEKDAYS)).show(&[when("mode", &["everyWeek"])]),
    p(
        "cronExpression",
        "Cron Expression",
        string_ph("", "* * * * * *"),
    )
    .hint("Five fields, or six with seconds first")
    .show(&[when("mode", &["custom"])]),
    p("value", "Value", number_in(2.0, 0.0, 1000.0)).show(&[when("mode", &["everyX"])]),
    p(
        "unit",
        "Unit",
        options("hours", &[c("minutes", "Minutes"), c("hours", "Hours")]),
    )
    .show(&[when("mode", &["everyX"])]),
];

pub(super) const SPECS: &[NodeSpec] = &[
    NodeSpec {
        kind: "n8n-nodes-base.manualTrigger",
        version: "1",
        form_since: "1",
        params: &[],
        credentials: &[],
    },
    NodeSpec {
        kind: "n8n-nodes-base.webhook",
        version: "2",
        form_since: "2",
        params: &[
            p("httpMethod", "HTTP Method", options("GET", HTTP_METHODS)),
            p("path", "Path", string_ph("", "webhook"))
                .hint("The URL is /webhook/<path>")
                .required(),
            p(
                "authentication",
                "Authentication",
                options("none", WEBHOOK_AUTH),
            ),
            p(
                "responseMode",
                "Respond",
                options("onReceived", RESPONSE_MODES),
            ),
            p(
                "responseData",
                "Response Data",
                options("firstEntryJson", RESPONSE_DATA),
            )
            .show(&[when("responseMode", &["lastNode"])]),
            p("options", "Options", collection(WEBHOOK_OPTIONS)),
        ],
        credentials: &[
            credential(
                "httpBasicAuth",
                "Basic Auth",
                &[when("authentication", &["basicAuth"])],
            ),
            credential(
                "httpHeaderAuth",
                "Header Auth",
                &[when("authentication", &["headerAuth"])],
            ),
        ],
    },
    NodeSpec {
        kind: "n8n-nodes-base.scheduleTrigger",
        version: "1.2",
        form_since: "1",
        params: &[p(
            "rule",
            "Trigger Rules",
            fixed(
                &[group("interval", "Trigger Interval", SCHEDULE_INTERVAL)],
                true,
            ),
        )
        .hint("Times are in the workflow's time zone")],
        credentials: &[],
    },
    NodeSpec {
        kind: "n8n-nodes-base.cron",
        version: "1",
        form_since: "1",
        params: &[p(
            "triggerTimes",
            "Trigger Times",
            fixed(&[group("item", "Item", CRON_ITEM)], true),
        )],
        credentials: &[],
    },
    NodeSpec {
        kind: "n8n-nodes-base.executeWorkflowTrigger",
        version: "1.1",
        form_since: "1.1",
        params: &[p(
            "inputSource",
            "Input data mode",
            options("passthrough", &[c("passthrough", "Accept all data")]),
        )
        .hint("The items the calling workflow sends come out unchanged")
        .required()],
        credentials: &[],
    },
    NodeSpec {
        kind: "n8n-nodes-base.errorTrigger",
        version: "1",
        form_since: "1",
        params: &[],
        credentials: &[],
    },
];
