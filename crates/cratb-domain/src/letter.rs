//! An e-mail the application sends (its caller sends it through the one mailer): the advice
//! service's notices, the action plans' reminders. None carries health data.

/// An e-mail to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub to: String,
    pub subject: String,
    pub body: String,
}
