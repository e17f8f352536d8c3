//! Parameter definitions: flow nodes that reshape the list of items (split, aggregate,
//! limit, sort, deduplicate, summarize).

use super::build::*;

pub(super) const SPECS: &[NodeSpec] = &[
    NodeSpec {
        kind: "n8n-nodes-base.splitOut",
        version: "1",
        form_since: "1",
        params: &[
            p(
                "fieldToSplitOut",
                "Fields To Split Out",
                string_ph("", "Drag fields from the left or type their names"),
            )
            .hint("One field holding a list")
            .required(),
            p(
                "include",
                "Include",
                options(
                    "noOtherFields",
                    &[
                        c("noOtherFields", "No Other Fields"),
                        c("allOtherFields", "All Other Fields"),
                    ],
                ),
            ),
            p(
                "options",
                "Options",
                collection(&[p(
                    "destinationFieldName",
                    "Destination Field Name",
                    string(""),
                )]),
            ),
        ],
        credentials: &[],
    },
    NodeSpec {
        kind: "n8n-nodes-base.aggregate",
        version: "1",
        form_since: "1",
        params: &[
            p(
                "aggregate",
                "Aggregate",
                options(
                    "aggregateIndividualFields",
                    &[
                        c("aggregateIndividualFields", "Individual Fields"),
                        c("aggregateAllItemData", "All Item Data (Into a Single List)"),
                    ],
                ),
            ),
            p(
                "fieldsToAggregate",
                "Fields To Aggregate",
                fixed(
                    &[group(
                        "fieldToAggregate",
                        "Field To Aggregate",
                        &[
                            p(
                                "fieldToAggregate",
                                "Input Field Name",
                                string_ph("", "e.g. id"),
                            ),
                            p("renameField", "Rename Field", boolean(false)),
                            p("outputFieldName", "Output Field Name", string(""))
                                .show(&[when("renameField", &["true"])]),
                        ],
                    )],
                    true,
                ),
            )
            .show(&[when("aggregate", &["aggregateIndividualFields"])]),
            p(
                "destinationFieldName",
                "Put Output in Field",
                string("data"),
            )
            .show(&[when("aggregate", &["aggregateAllItemData"])]),
            p(
                "options",
                "Options",
                collection(&[p(
                    "keepMissing",
                    "Keep Missing And Null Values",
                    boolean(false),
                )]),
            )
            .show(&[when("aggregate", &["aggregateIndividualFields"])]),
        ],
        credentials: &[],
    },
    NodeSpec {
        kind: "n8n-nodes-base.limit",
        version: "1",
        form_since: "1",
        params: &[
            p("maxItems", "Max Items", number_min(1.0, 1.0)),
            p(
                "keep",
                "Keep",
                options(
                    "firstItems",
                    &[c("firstItems", "First Items"), c("lastItems", "Last Items")],
                ),
            ),
        ],
        credentials: &[],
    },
    NodeSpec {
        kind: "n8n-nodes-base.sort",
        version: "1",
        form_since: "1",
        params: &[p(
            "sortFieldsUi",
            "Fields To Sort By",
            fixed(
                &[group(
                    "sortField",
                    "Sort Field",
                    &[
                        p("fieldName", "Field Name", string_ph("", "e.g. id")).required(),
                        p(
                            "order",
                            "Order",
                            options(
                                "ascending",
                                &[c("ascending", "Ascending"), c("descending", "Descending")],
                            ),
                        ),
                    ],
                )],
                true,
            ),
        )],
        credentials: &[],
    },
    NodeSpec {
        kind: "n8n-nodes-base.removeDuplicates",
        version: "2",
        form_since: "1",
        params: &[
            p(
                "compare",
                "Compare",
                options(
                    "allFields",
                    &[
                        c("allFields", "All Fields"),
                        c("allFieldsExcept", "All Fields Except"),
                        c("selectedFields", "Selected Fields"),
                    ],
                ),
            ),
            p(
                "fieldsToExclude",
                "Fields To Exclude",
                string_ph("", "e.g. email, name"),
            )
            .show(&[when("compare", &["allFieldsExcept"])]),
            p(
                "fieldsToCompare",
                "Fields To Compare",
                string_ph("", "e.g. email, name"),
            )
            .show(&[when("compare", &["selectedFields"])]),
        ],
        credentials: &[],
    },
    NodeSpec {
        kind: "n8n-nodes-base.summarize",
        version: "1.1",
        form_since: "1",
        params: &[
            p(
                "fieldsToSummarize",
                "Fields to Summarize",
                fixed(
                    &[group(
                        "values",
                        "Aggregation",
                        &[
                            p(
                                "aggregation",
                                "Aggregation",
                                options(
                                    "count",
                                    &[
                                        c("append", "Append"),
                                        c("average", "Average"),
                                        c("concatenate", "Concatenate"),
                                        c("count", "Count"),
                                        c("countUnique", "Count Unique"),
                                        c("max", "Max"),
                                        c("min", "Min"),
                                        c("sum", "Sum"),
                                    ],
                                ),
                            ),
                            p("field", "Field", string_ph("", "e.g. cost")),
                            p(
                                "separateBy",
                                "Separator",
                                options(
                                    ",",
                                    &[
                                        c(",", "Comma"),
                                        c(", ", "Comma and Space"),
                                        c("\n", "New Line"),
                                        c("", "None"),
                                        c(" ", "Space"),
                                    ],
                                ),
                            )
                            .show(&[when("aggregation", &["concatenate"])]),
                        ],
                    )],
                    true,
                ),
            ),
            p(
                "fieldsToSplitBy",
                "Fields to Split By",
                string_ph("", "e.g. country, city"),
            )
            .hint("Enter the name of the fields as text (separated by commas)"),
        ],
        credentials: &[],
    },
];
