//! Outgoing e-mail: SMTP in production, files in a folder for the demo and the tests, nothing
//! at all unless configured.
//!
//! `CRATB_SMTP_URL` (e.g. `smtps://user:password@smtp.example.org:465`, or
//! `smtp://relay.example.org:587?tls=required`) sends through SMTP; `CRATB_MAIL_DIR` writes each
//! message as an `.eml` file in that folder instead; `CRATB_MAIL_FROM` is the sender
//! (`CRAtb <ne-pas-repondre@cratb.example.org>`).

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;

/// Where messages go.
#[derive(Clone, Default)]
pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        host: String,
        from: Mailbox,
    },
    Folder {
        transport: AsyncFileTransport<Tokio1Executor>,
        dir: PathBuf,
        from: Mailbox,
    },
    /// Nothing is sent.
    #[default]
    Off,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

const DEFAULT_FROM: &str = "CRAtb <ne-pas-repondre@cratb.localhost>";

fn mailbox(from: Option<&str>) -> Result<Mailbox, String> {
    from.unwrap_or(DEFAULT_FROM)
        .parse()
        .map_err(|e| format!("CRATB_MAIL_FROM illisible : {e}"))
}

impl Mailer {
    /// The mailer the environment configures (see the module's documentation).
    pub fn from_env() -> Result<Mailer, String> {
        let from = std::env::var("CRATB_MAIL_FROM").ok();
        if let Some(url) = std::env::var("CRATB_SMTP_URL")
            .ok()
            .filter(|s| !s.is_empty())
        {
            let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
                .map_err(|e| format!("CRATB_SMTP_URL illisible : {e}"))?
                .build();
            let host = url
                .split('@')
                .next_back()
                .unwrap_or(&url)
                .split(['/', '?'])
                .next()
                .unwrap_or("")
                .to_string();
            return Ok(Mailer::Smtp {
                transport,
                host,
                from: mailbox(from.as_deref())?,
            });
        }
        if let Some(dir) = std::env::var("CRATB_MAIL_DIR")
            .ok()
            .filter(|s| !s.is_empty())
        {
            return Mailer::folder(PathBuf::from(dir), from.as_deref());
        }
        Ok(Mailer::Off)
    }

    /// Writes messages as `.eml` files in `dir` (created if needed).
    pub fn folder(dir: PathBuf, from: Option<&str>) -> Result<Mailer, String> {
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("dossier des e-mails {} : {e}", dir.display()))?;
        Ok(Mailer::Folder {
            transport: AsyncFileTransport::<Tokio1Executor>::new(&dir),
            dir,
            from: mailbox(from)?,
        })
    }

    /// Whether anything would be sent.
    pub fn is_on(&self) -> bool {
        !matches!(self, Mailer::Off)
    }

    /// Where messages go, in French.
    pub fn describe(&self) -> String {
        match self {
            Mailer::Smtp { host, .. } => format!("SMTP ({host})"),
            Mailer::Folder { dir, .. } => format!("fichiers .eml dans {}", dir.display()),
            Mailer::Off => "aucun envoi configuré".into(),
        }
    }

    /// Sends a plain-text message.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), String> {
        let from = match self {
            Mailer::Smtp { from, .. } | Mailer::Folder { from, .. } => from,
            Mailer::Off => return Err("aucun envoi d'e-mail n'est configuré".into()),
        };
        let to: Mailbox = to.parse().map_err(|e| format!("{to} : {e}"))?;
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| e.to_string())?;
        match self {
            Mailer::Smtp { transport, .. } => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Mailer::Folder { transport, .. } => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Mailer::Off => unreachable!("handled above"),
        }
    }
}
