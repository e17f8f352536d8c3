//! The comparisons of n8n's filter component (If, Filter, Switch rules) that the engine runs,
//! as n8n names them: the editor offers exactly these (the engine's tests check each runs).

/// The comparisons the engine's filter runs, as n8n names them (`type:operation`).
pub const OPERATORS: &[(&str, &str, &str)] = &[
    ("string", "equals", "is equal to"),
    ("string", "notEquals", "is not equal to"),
    ("string", "contains", "contains"),
    ("string", "notContains", "does not contain"),
    ("string", "startsWith", "starts with"),
    ("string", "notStartsWith", "does not start with"),
    ("string", "endsWith", "ends with"),
    ("string", "notEndsWith", "does not end with"),
    ("string", "regex", "matches regex"),
    ("string", "notRegex", "does not match regex"),
    ("string", "exists", "exists"),
    ("string", "notExists", "does not exist"),
    ("string", "empty", "is empty"),
    ("string", "notEmpty", "is not empty"),
    ("number", "equals", "is equal to"),
    ("number", "notEquals", "is not equal to"),
    ("number", "gt", "is greater than"),
    ("number", "lt", "is less than"),
    ("number", "gte", "is greater than or equal to"),
    ("number", "lte", "is less than or equal to"),
    ("number", "exists", "exists"),
    ("number", "notExists", "does not exist"),
    ("dateTime", "equals", "is equal to"),
    ("dateTime", "notEquals", "is not equal to"),
    ("dateTime", "after", "is after"),
    ("dateTime", "before", "is before"),
    ("dateTime", "afterOrEquals", "is after or equal to"),
    ("dateTime", "beforeOrEquals", "is before or equal to"),
    ("dateTime", "exists", "exists"),
    ("dateTime", "notExists", "does not exist"),
    ("boolean", "true", "is true"),
    ("boolean", "false", "is false"),
    ("boolean", "equals", "is equal to"),
    ("boolean", "notEquals", "is not equal to"),
    ("boolean", "exists", "exists"),
    ("boolean", "notExists", "does not exist"),
    ("array", "contains", "contains"),
    ("array", "notContains", "does not contain"),
    ("array", "lengthEquals", "length equal to"),
    ("array", "lengthNotEquals", "length not equal to"),
    ("array", "lengthGt", "length greater than"),
    ("array", "lengthLt", "length less than"),
    ("array", "lengthGte", "length greater than or equal to"),
    ("array", "lengthLte", "length less than or equal to"),
    ("array", "empty", "is empty"),
    ("array", "notEmpty", "is not empty"),
    ("array", "exists", "exists"),
    ("array", "notExists", "does not exist"),
];

/// Operations that compare with nothing (n8n's `singleValue`).
pub fn unary(operation: &str) -> bool {
    matches!(
        operation,
        "exists" | "notExists" | "empty" | "notEmpty" | "true" | "false"
    )
}
