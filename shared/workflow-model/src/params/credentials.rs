//! The fields of the credential types the engine uses, as n8n names them, so the editor can
//! create one where a node asks for it. Only what the engine reads is listed.

/// One field of a credential.
#[derive(Debug)]
pub struct CredentialField {
    pub name: &'static str,
    pub label: &'static str,
    /// Shown as a password field, never echoed back.
    pub secret: bool,
    /// Empty when the field is optional.
    pub required: bool,
    /// What an empty field means (a default the engine applies), shown as a placeholder.
    pub placeholder: &'static str,
}

/// A credential type: its n8n name and fields.
#[derive(Debug)]
pub struct CredentialType {
    pub kind: &'static str,
    pub label: &'static str,
    pub fields: &'static [CredentialField],
}

const fn f(
    name: &'static str,
    label: &'static str,
    secret: bool,
    required: bool,
) -> CredentialField {
    CredentialField {
        name,
        label,
        secret,
        required,
        placeholder: "",
    }
}

const fn opt(
    name: &'static str,
    label: &'static str,
    placeholder: &'static str,
) -> CredentialField {
    CredentialField {
        name,
        label,
        secret: false,
        required: false,
        placeholder,
    }
}

pub const CREDENTIAL_TYPES: &[CredentialType] = &[
    CredentialType {
        kind: "httpBasicAuth",
        label: "Basic Auth",
        fields: &[
            f("user", "User", false, true),
            f("password", "Password", true, true),
        ],
    },
    CredentialType {
        kind: "httpHeaderAuth",
        label: "Header Auth",
        fields: &[
            f("name", "Header name", false, true),
            f("value", "Value", true, true),
        ],
    },
    CredentialType {
        kind: "httpQueryAuth",
        label: "Query Auth",
        fields: &[
            f("name", "Parameter name", false, true),
            f("value", "Value", true, true),
        ],
    },
    CredentialType {
        kind: "httpBearerAuth",
        label: "Bearer Auth",
        fields: &[f("token", "Token", true, true)],
    },
    CredentialType {
        kind: "smtp",
        label: "SMTP",
        fields: &[
            f("host", "Host", false, true),
            opt("port", "Port", "465"),
            opt("user", "User", ""),
            f("password", "Password", true, false),
        ],
    },
    CredentialType {
        kind: "slackApi",
        label: "Slack API",
        fields: &[f("accessToken", "Access token", true, true)],
    },
    CredentialType {
        kind: "openAiApi",
        label: "OpenAI",
        fields: &[
            f("apiKey", "API key", true, true),
            opt("url", "Base URL", "https://api.openai.com/v1"),
        ],
    },
    CredentialType {
        kind: "anthropicApi",
        label: "Anthropic",
        fields: &[
            f("apiKey", "API key", true, true),
            opt("url", "Base URL", "https://api.anthropic.com"),
        ],
    },
    CredentialType {
        kind: "ollamaApi",
        label: "Ollama",
        fields: &[opt("baseUrl", "Base URL", "http://localhost:11434")],
    },
];

/// The definition of a credential type.
pub fn credential_type(kind: &str) -> Option<&'static CredentialType> {
    CREDENTIAL_TYPES.iter().find(|t| t.kind == kind)
}
