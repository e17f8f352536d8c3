//! Send Email (`n8n-nodes-base.emailSend`, v1 to 2.1): one e-mail per item over the node's
//! `smtp` credential (n8n's fields: host, port, secure, disableStartTls, user, password),
//! through the same sender as notifications (`agente_network::smtp`). The SMTP server must
//! be one workflows may reach (the network policy, as for HTTP Request): its name is
//! resolved and checked here, and the checked address is the one connected to. Binary
//! properties named in `attachments` are attached (file name and type as the item says).

use crate::{Item, NodeContext, NodeError};
use agente_network::smtp::{self, Email, Security, SmtpConfig};
use serde_json::{Value, json};

const ATTRIBUTION_TEXT: &str = "\n\n---\nThis email was sent automatically with Agente";
const ATTRIBUTION_HTML: &str =
    "<br><br>---<br><em>This email was sent automatically with Agente</em>";

pub async fn run(ctx: &NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    let server = server(ctx).await?;
    let version = ctx.node.type_version();
    let mut out = Vec::with_capacity(ctx.input().len());
    for i in 0..ctx.input().len() {
        let operation = ctx.string("operation", i, "send")?;
        if operation != "send" {
            return Err(NodeError::parameter(
                "operation",
                format!("`{operation}` is not supported; only `send` is"),
            ));
        }
        // v1 has cc/bcc at the top level, v2 among the options.
        let (cc, bcc, attachments) = if version >= 2.0 {
            (
                ctx.string("options.ccEmail", i, "")?,
                ctx.string("options.bccEmail", i, "")?,
                ctx.string("options.attachments", i, "")?,
            )
        } else {
            (
                ctx.string("ccEmail", i, "")?,
                ctx.string("bccEmail", i, "")?,
                ctx.string("attachments", i, "")?,
            )
        };
        let attachments = files(ctx, i, &attachments)?;
        let format = if version >= 2.0 {
            ctx.string(
                "emailFormat",
                i,
                if version >= 2.1 { "html" } else { "text" },
            )?
        } else {
            "both".to_string()
        };
        let mut text = matches!(format.as_str(), "text" | "both")
            .then(|| ctx.string("text", i, ""))
            .transpose()?
            .filter(|t| !t.is_empty());
        let mut html = matches!(format.as_str(), "html" | "both")
            .then(|| ctx.string("html", i, ""))
            .transpose()?
            .filter(|h| !h.is_empty());
        if version >= 2.1 && ctx.bool("options.appendAttribution", i, true)? {
            text = text.map(|t| t + ATTRIBUTION_TEXT);
            html = html.map(|h| h + ATTRIBUTION_HTML);
        }
        let to = addresses(&ctx.string("toEmail", i, "")?);
        let (cc, bcc) = (addresses(&cc), addresses(&bcc));
        let message = Email {
            to: to.clone(),
            cc: cc.clone(),
            bcc: bcc.clone(),
            reply_to: Some(ctx.string("options.replyTo", i, "")?).filter(|r| !r.is_empty()),
            subject: ctx.string("subject", i, "")?,
            // The HTML alone is sent as HTML with an empty text part beside it.
            text: text.clone().unwrap_or_default(),
            html,
            attachments,
        };
        let from = ctx.string("fromEmail", i, "")?;
        let config = SmtpConfig {
            from: from.clone(),
            accept_invalid_certs: ctx.bool("options.allowUnauthorizedCerts", i, false)?,
            ..server.clone()
        };
        let id = smtp::send(&config, &message)
            .await
            .map_err(|e| NodeError::Failed(e.to_string()))?;
        let accepted: Vec<String> = to.into_iter().chain(cc).chain(bcc).collect();
        out.push(
            Item::from_value(json!({
                "accepted": accepted,
                "rejected": [],
                "messageId": id,
                "envelope": {"from": from, "to": accepted},
            }))
            .paired(i),
        );
    }
    Ok(out)
}

/// The server from the `smtp` credential, resolved and checked against the network policy.
async fn server(ctx: &NodeContext<'_>) -> Result<SmtpConfig, NodeError> {
    let credential = ctx.credential("smtp")?;
    let field = |k: &str| credential.get(k).cloned().unwrap_or(Value::Null);
    let host = field("host")
        .as_str()
        .unwrap_or_default()
        .trim()
        .to_string();
    if host.is_empty() {
        return Err(NodeError::Failed("the SMTP credential has no host".into()));
    }
    let port = match field("port") {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        Value::Null => Some(465),
        _ => None,
    }
    .and_then(|p| u16::try_from(p).ok())
    .filter(|p| *p > 0)
    .ok_or_else(|| NodeError::Failed("the SMTP credential's port is not a port number".into()))?;
    let flag = |k: &str, default: bool| field(k).as_bool().unwrap_or(default);
    let security = match (flag("secure", true), flag("disableStartTls", false)) {
        (true, _) => Security::Tls,
        (false, true) => Security::None,
        (false, false) => Security::Opportunistic,
    };
    let address = ctx
        .network()
        .resolve(&host, port)
        .await
        .map_err(|e| NodeError::Failed(format!("the SMTP host: {e}")))?;
    let text = |k: &str| {
        field(k)
            .as_str()
            .map(str::to_string)
            .filter(|s| !s.is_empty())
    };
    Ok(SmtpConfig {
        host: address.to_string(),
        port,
        security,
        username: text("user"),
        password: text("password"),
        from: String::new(),
        accept_invalid_certs: false,
        tls_name: Some(host),
        timeout_secs: None,
    })
}

/// The item's binary properties named in `names` (comma-separated, as n8n's option), as
/// attachments; a name the item lacks is an error naming it.
fn files(ctx: &NodeContext<'_>, i: usize, names: &str) -> Result<Vec<smtp::Attachment>, NodeError> {
    use base64::Engine;
    let mut out = Vec::new();
    for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let file = ctx.input()[i]
            .binary
            .as_ref()
            .and_then(|b| b.get(name))
            .ok_or_else(|| {
                NodeError::parameter(
                    "attachments",
                    format!("item {i} has no binary property `{name}` to attach"),
                )
            })?;
        let content = base64::engine::general_purpose::STANDARD
            .decode(file["data"].as_str().unwrap_or_default())
            .map_err(|_| {
                NodeError::Failed(format!("the binary property `{name}` is not base64"))
            })?;
        out.push(smtp::Attachment {
            file_name: file["fileName"].as_str().unwrap_or(name).to_string(),
            content_type: file["mimeType"]
                .as_str()
                .unwrap_or("application/octet-stream")
                .to_string(),
            content,
        });
    }
    Ok(out)
}

/// n8n's address lists: comma-separated.
fn addresses(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect()
}
