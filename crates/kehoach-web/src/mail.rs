//! Outgoing email (reminders), when an SMTP server is configured.
//!
//! Configured by one URL, as lettre reads it: `smtps://user:pass@host:465`
//! (TLS), `smtp://user:pass@host:587?tls=required` (STARTTLS) or
//! `smtp://host:25` (plain, for a relay on the same machine or network).

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

/// An SMTP connection setting and the sender address.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// How sending to several addresses went.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Sent {
    pub accepted: i64,
    /// Addresses the server refused, or that could not be reached.
    pub failed: Vec<String>,
}

impl Mailer {
    /// Reads the URL and the sender ("Tên <dia-chi@…>" or a bare address).
    pub fn new(url: &str, from: &str) -> anyhow::Result<Mailer> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("địa chỉ máy chủ thư (SMTP) không hợp lệ: {e}"))?
            .timeout(Some(Duration::from_secs(15)))
            .build();
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow::anyhow!("địa chỉ người gửi thư không hợp lệ ({from}): {e}"))?;
        Ok(Mailer { transport, from })
    }

    /// Sends one plain-text message to each address separately (nobody sees
    /// the others' addresses).
    pub async fn send_each(&self, to: &[String], subject: &str, body: &str) -> Sent {
        let mut sent = Sent::default();
        for addr in to {
            let outcome = async {
                let to: Mailbox = addr.parse()?;
                let msg = Message::builder()
                    .from(self.from.clone())
                    .to(to)
                    .subject(subject)
                    .header(ContentType::TEXT_PLAIN)
                    .body(body.to_string())?;
                self.transport.send(msg).await?;
                anyhow::Ok(())
            }
            .await;
            match outcome {
                Ok(()) => sent.accepted += 1,
                Err(e) => {
                    tracing::warn!(error = %e, "reminder email not sent");
                    sent.failed.push(addr.clone());
                }
            }
        }
        sent
    }
}
