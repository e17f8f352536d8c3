//! Parameter definitions: data nodes (and the sticky note).

use super::build::*;

const INCLUDE_INPUT_FIELDS: Param = p("includeInputFields", "Include Input Fields", boolean(false));

const TIME_UNITS: &[Choice] = &[
    c("years", "Years"),
    c("quarters", "Quarters"),
    c("months", "Months"),
    c("weeks", "Weeks"),
    c("days", "Days"),
    c("hours", "Hours"),
    c("minutes", "Minutes"),
    c("seconds", "Seconds"),
    c("milliseconds", "Milliseconds"),
];

const DATE_PARTS: &[Choice] = &[
    c("year", "Year"),
    c("month", "Month"),
    c("week", "Week"),
    c("day", "Day"),
    c("hour", "Hour"),
    c("minute", "Minute"),
    c("second", "Second"),
];

const DATE_TIME: NodeSpec = NodeSpec {
    kind: "n8n-nodes-base.dateTime",
    version: "2",
    form_since: "2",
    params: &[
        p(
            "operation",
            "Operation",
            options(
                "getCurrentDate",
                &[
                    c("addToDate", "Add to a Date"),
                    c("extractDate", "Extract Part of a Date"),
                    c("formatDate", "Format a Date"),
                    c("getCurrentDate", "Get Current Date"),
                    c("getTimeBetweenDates", "Get Time Between Dates"),
                    c("roundDate", "Round a Date"),
                    c("subtractFromDate", "Subtract From a Date"),
                ],
            ),
        ),
        p("includeTime", "Include Current Time", boolean(true))
            .show(&[when("operation", &["getCurrentDate"])]),
        p("magnitude", "Date to Add To", string(""))
            .show(&[when("operation", &["addToDate"])])
            .required(),
        p("magnitude", "Date to Subtract From", string(""))
            .show(&[when("operation", &["subtractFromDate"])])
            .required(),
        p("timeUnit", "Time Unit", options("days", TIME_UNITS))
            .show(&[when("operation", &["addToDate", "subtractFromDate"])])
            .required(),
        p("duration", "Duration", number(0.0))
            .show(&[when("operation", &["addToDate", "subtractFromDate"])]),
        p("date", "Date", string("")).show(&[when(
            "operation",
            &["formatDate", "roundDate", "extractDate"],
        )]),
        p(
            "format",
            "Format",
            options(
                "MM/dd/yyyy",
                &[
                    c("custom", "Custom Format"),
                    c("MM/dd/yyyy", "MM/DD/YYYY"),
                    c("yyyy/MM/dd", "YYYY/MM/DD"),
                    c("MMMM dd yyyy", "MMMM DD YYYY"),
                    c("MM-dd-yyyy", "MM-DD-YYYY"),
                    c("yyyy-MM-dd", "YYYY-MM-DD"),
                    c("X", "Unix Timestamp"),
                    c("x", "Unix Ms Timestamp"),
                ],
            ),
        )
        .show(&[when("operation", &["formatDate"])]),
        p("customFormat", "Custom Format", string_ph("", "yyyy-MM-dd"))
            .hint("Luxon format tokens")
            .show(&[
                when("operation", &["formatDate"]),
                when("format", &["custom"]),
            ]),
        p(
            "mode",
            "Mode",
            options(
                "roundDown",
                &[c("roundDown", "Round Down"), c("roundUp", "Round Up")],
            ),
        )
        .show(&[when("operation", &["roundDate"])]),
        p("toNearest", "To Nearest", options("day", DATE_PARTS)).show(&[
            when("operation", &["roundDate"]),
            when("mode", &["roundDown"]),
        ]),
        p("to", "To", options("month", &[c("month", "End of Month")])).show(&[
            when("operation", &["roundDate"]),
            when("mode", &["roundUp"]),
        ]),
        p("startDate", "Start Date", string(""))
            .show(&[when("operation", &["getTimeBetweenDates"])]),
        p("endDate", "End Date", string("")).show(&[when("operation", &["getTimeBetweenDates"])]),
        p(
            "units",
            "Units",
            Kind::MultiOptions {
                options: &[
                    c("year", "Year"),
                    c("month", "Month"),
                    c("week", "Week"),
                    c("day", "Day"),
                    c("hour", "Hour"),
                    c("minute", "Minute"),
                    c("second", "Second"),
                    c("millisecond", "Millisecond"),
                ],
            },
        )
        .hint("None chosen means days")
        .show(&[when("operation", &["getTimeBetweenDates"])]),
        p("part", "Part", options("year", DATE_PARTS)).show(&[when("operation", &["extractDate"])]),
        p(
            "outputFieldName",
            "Output Field Name",
            string("currentDate"),
        )
        .show(&[when("operation", &["getCurrentDate"])]),
        p("outputFieldName", "Output Field Name", string("newDate"))
            .show(&[when("operation", &["addToDate", "subtractFromDate"])]),
        p(
            "outputFieldName",
            "Output Field Name",
            string("formattedDate"),
        )
        .show(&[when("operation", &["formatDate"])]),
        p(
            "outputFieldName",
            "Output Field Name",
            string("roundedDate"),
        )
        .show(&[when("operation", &["roundDate"])]),
        p(
            "outputFieldName",
            "Output Field Name",
            string("timeDifference"),
        )
        .show(&[when("operation", &["getTimeBetweenDates"])]),
        p("outputFieldName", "Output Field Name", string("datePart"))
            .show(&[when("operation", &["extractDate"])]),
        p(
            "options",
            "Options",
            collection(&[
                INCLUDE_INPUT_FIELDS,
                p("timezone", "Timezone", string_ph("", "America/New_York"))
                    .hint("Empty means the workflow's time zone"),
            ]),
        )
        .show(&[when("operation", &["getCurrentDate"])]),
        p(
            "options",
            "Options",
            collection(&[
                INCLUDE_INPUT_FIELDS,
                p("isoString", "Output as ISO String", boolean(false)),
            ]),
        )
        .show(&[when("operation", &["getTimeBetweenDates"])]),
        p("options", "Options", collection(&[INCLUDE_INPUT_FIELDS])).show(&[when(
            "operation",
            &[
                "addToDate",
                "subtractFromDate",
                "formatDate",
                "roundDate",
                "extractDate",
            ],
        )]),
    ],
    credentials: &[],
};

const HASHES: &[Choice] = &[
    c("MD5", "MD5"),
    c("SHA1", "SHA1"),
    c("SHA256", "SHA256"),
    c("SHA384", "SHA384"),
    c("SHA512", "SHA512"),
];

const CRYPTO: NodeSpec = NodeSpec {
    kind: "n8n-nodes-base.crypto",
    version: "1",
    form_since: "1",
    params: &[
        p(
            "action",
            "Action",
            options(
                "hash",
                &[
                    c("generate", "Generate"),
                    c("hash", "Hash"),
                    c("hmac", "Hmac"),
                ],
            ),
        ),
        p("type", "Type", options("MD5", HASHES))
            .show(&[when("action", &["hash", "hmac"])])
            .required(),
        p("value", "Value", string(""))
            .show(&[when("action", &["hash", "hmac"])])
            .required(),
        p("dataPropertyName", "Property Name", string("data"))
            .hint("The field the result goes to")
            .required(),
        p("secret", "Secret", string(""))
            .show(&[when("action", &["hmac"])])
            .required(),
        p(
            "encoding",
            "Encoding",
            options("hex", &[c("base64", "BASE64"), c("hex", "HEX")]),
        )
        .show(&[when("action", &["hash", "hmac"])])
        .required(),
        p(
            "encodingType",
            "Type",
            options("uuid", &[c("uuid", "UUID")]),
        )
        .show(&[when("action", &["generate"])])
        .required(),
    ],
    credentials: &[],
};

const EXTRACTION_VALUES: Param = p(
    "extractionValues",
    "Extraction Values",
    fixed(
        &[group(
            "values",
            "Values",
            &[
                p("key", "Key", string("")),
                p("cssSelector", "CSS Selector", string_ph("", ".price")),
                p(
                    "returnValue",
                    "Return Value",
                    options(
                        "text",
                        &[
                            c("attribute", "Attribute"),
                            c("html", "HTML"),
                            c("text", "Text"),
                            c("value", "Value"),
                        ],
                    ),
                ),
                p("attribute", "Attribute", string_ph("", "class"))
                    .show(&[when("returnValue", &["attribute"])]),
                p("returnArray", "Return Array", boolean(false)),
            ],
        )],
        true,
    ),
);

const HTML: NodeSpec = NodeSpec {
    kind: "n8n-nodes-base.html",
    version: "1.2",
    form_since: "1",
    params: &[
        p(
            "operation",
            "Operation",
            options(
                "generateHtmlTemplate",
                &[
                    c("generateHtmlTemplate", "Generate HTML Template"),
                    c("extractHtmlContent", "Extract HTML Content"),
                    c("convertToHtmlTable", "Convert to HTML Table"),
                ],
            ),
        ),
        p("html", "HTML Template", code("html", ""))
            .hint("Use {{ }} for expressions")
            .show(&[when("operation", &["generateHtmlTemplate"])]),
        p("dataPropertyName", "JSON Property", string("data"))
            .hint("The field holding the HTML")
            .show(&[when("operation", &["extractHtmlContent"])])
            .required(),
        EXTRACTION_VALUES.show(&[when("operation", &["extractHtmlContent"])]),
        p(
            "options",
            "Options",
            collection(&[
                p("trimValues", "Trim Values", boolean(true)),
                p("cleanUpText", "Clean Up Text", boolean(true)),
            ]),
        )
        .show(&[when("operation", &["extractHtmlContent"])]),
    ],
    credentials: &[],
};

const XML: NodeSpec = NodeSpec {
    kind: "n8n-nodes-base.xml",
    version: "1",
    form_since: "1",
    params: &[
        p(
            "mode",
            "Mode",
            options(
                "xmlToJson",
                &[c("jsonToxml", "JSON to XML"), c("xmlToJson", "XML to JSON")],
            ),
        ),
        p("dataPropertyName", "Property Name", string("data"))
            .hint("The field holding the XML, or receiving it")
            .required(),
        p(
            "options",
            "Options",
            collection(&[
                p("attrkey", "Attribute Key", string("$")),
                p("charkey", "Character Key", string("_")),
                p("headless", "Headless", boolean(false)),
                p("rootName", "Root Name", string("root")),
            ]),
        )
        .show(&[when("mode", &["jsonToxml"])]),
        p(
            "options",
            "Options",
            collection(&[
                p("attrkey", "Attribute Key", string("$")),
                p("charkey", "Character Key", string("_")),
                p("explicitArray", "Explicit Array", boolean(false)),
                p("explicitRoot", "Explicit Root", boolean(true)),
                p("ignoreAttrs", "Ignore Attributes", boolean(false)),
                p("mergeAttrs", "Merge Attributes", boolean(true)),
                p("trim", "Trim", boolean(false)),
            ]),
        )
        .show(&[when("mode", &["xmlToJson"])]),
    ],
    credentials: &[],
};

const CODE_SAMPLE: &str =
    "// Loop over input items and add a new field called 'myNewField' to the JSON of each one
for (const item of $input.all()) {
  item.json.myNewField = 1;
}

return $input.all();";

const FUNCTION_SAMPLE: &str = "// Runs once, over all items
for (const item of items) {
  item.json.myNewField = 1;
}

return items;";

pub(super) const SPECS: &[NodeSpec] = &[
    NodeSpec {
        kind: "n8n-nodes-base.stickyNote",
        version: "1",
        form_since: "1",
        params: &[
            p(
                "content",
                "Content",
                text("## I'm a note\n**Double click** to edit me.", 6),
            ),
            p("height", "Height", number(160.0)).required(),
            p("width", "Width", number(240.0)).required(),
            p("color", "Color", Kind::Color).required(),
        ],
        credentials: &[],
    },
    NodeSpec {
        kind: "n8n-nodes-base.set",
        version: "3.4",
        form_since: "3.3",
        params: &[
            p(
                "mode",
                "Mode",
                options("manual", &[c("manual", "Manual Mapping"), c("raw", "JSON")]),
            ),
            p("assignments", "Fields to Set", Kind::Assignments).show(&[when("mode", &["manual"])]),
            p("jsonOutput", "JSON", json("{}")).show(&[when("mode", &["raw"])]),
            p(
                "includeOtherFields",
                "Include Other Input Fields",
                boolean(false),
            ),
            p(
                "options",
                "Options",
                collection(&[p("dotNotation", "Support Dot Notation", boolean(true))
                    .hint("A name like a.b sets field b inside a")]),
            ),
        ],
        credentials: &[],
    },
    NodeSpec {
        kind: "n8n-nodes-base.renameKeys",
        version: "1",
        form_since: "1",
        params: &[p(
            "keys",
            "Keys",
            fixed(
                &[group(
                    "key",
                    "Key",
                    &[
                        p(
                            "currentKey",
                            "Current Key Name",
                            string_ph("", "currentKey"),
                        ),
                        p("newKey", "New Key Name", string_ph("", "newKey")),
                    ],
                )],
                true,
            ),
        )],
        credentials: &[],
    },
    DATE_TIME,
    CRYPTO,
    HTML,
    NodeSpec {
        kind: "n8n-nodes-base.htmlExtract",
        version: "1",
        form_since: "1",
        params: &[
            p("dataPropertyName", "JSON Property", string("data"))
                .hint("The field holding the HTML")
                .required(),
            EXTRACTION_VALUES,
            p(
                "options",
                "Options",
                collection(&[p("trimValues", "Trim Values", boolean(true))]),
            ),
        ],
        credentials: &[],
    },
    NodeSpec {
        kind: "n8n-nodes-base.markdown",
        version: "1",
        form_since: "1",
        params: &[
            p(
                "mode",
                "Mode",
                options(
                    "htmlToMarkdown",
                    &[
                        c("markdownToHtml", "Markdown to HTML"),
                        c("htmlToMarkdown", "HTML to Markdown"),
                    ],
                ),
            ),
            p("html", "HTML", string(""))
                .show(&[when("mode", &["htmlToMarkdown"])])
                .required(),
            p("markdown", "Markdown", string(""))
                .show(&[when("mode", &["markdownToHtml"])])
                .required(),
            p("destinationKey", "Destination Key", string("data"))
                .hint("The field the result goes to")
                .required(),
        ],
        credentials: &[],
    },
    XML,
    NodeSpec {
        kind: "n8n-nodes-base.code",
        version: "2",
        form_since: "2",
        params: &[
            p(
                "mode",
                "Mode",
                options(
                    "runOnceForAllItems",
                    &[
                        c("runOnceForAllItems", "Run Once for All Items"),
                        c("runOnceForEachItem", "Run Once for Each Item"),
                    ],
                ),
            ),
            p("jsCode", "JavaScript", code("javaScript", CODE_SAMPLE))
                .hint("console.log() output goes to the execution log")
                .required(),
        ],
        credentials: &[],
    },
    NodeSpec {
        kind: "n8n-nodes-base.function",
        version: "1",
        form_since: "1",
        params: &[p(
            "functionCode",
            "JavaScript Code",
            code("javaScript", FUNCTION_SAMPLE),
        )
        .hint("A newer version of this node type is available, called the ‘Code’ node")
        .required()],
        credentials: &[],
    },
    NodeSpec {
        kind: "n8n-nodes-base.functionItem",
        version: "1",
        form_since: "1",
        params: &[p(
            "functionCode",
            "JavaScript Code",
            code("javaScript", "// Runs once per item\nreturn item;"),
        )
        .hint("A newer version of this node type is available, called the ‘Code’ node")
        .required()],
        credentials: &[],
    },
];
