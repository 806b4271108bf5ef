//! Unit tests for the verdict policy and the plain-English messages.

use super::*;

fn reply(step: Step, code: u16, text: &str) -> SmtpError {
    SmtpError {
        code: Some(code),
        enhanced: enhanced_code(text),
        ..SmtpError::local(step, text)
    }
}

#[test]
fn enhanced_codes_are_read_from_the_text() {
    assert_eq!(
        enhanced_code("5.1.1 no such user").as_deref(),
        Some("5.1.1")
    );
    assert_eq!(enhanced_code("4.2.1 try later").as_deref(), Some("4.2.1"));
    assert_eq!(enhanced_code("Mailbox unavailable"), None);
    assert_eq!(enhanced_code("5.1 short"), None);
    assert_eq!(enhanced_code("1.2.3 wrong class"), None);
}

#[test]
fn the_step_decides_whose_fault_a_refusal_is() {
    assert_eq!(
        reply(Step::Rcpt, 550, "5.1.1 no such user").verdict(),
        Verdict::HardBounce
    );
    assert_eq!(
        reply(Step::Rcpt, 550, "5.2.1 mailbox disabled").verdict(),
        Verdict::HardBounce
    );
    assert_eq!(
        reply(Step::Rcpt, 553, "no such mailbox").verdict(),
        Verdict::HardBounce
    );
    assert_eq!(
        reply(Step::Rcpt, 550, "5.7.1 policy").verdict(),
        Verdict::Refused
    );
    assert_eq!(
        reply(Step::Rcpt, 554, "rejected").verdict(),
        Verdict::Refused
    );
    assert_eq!(
        reply(Step::Rcpt, 451, "4.3.2 later").verdict(),
        Verdict::Retry
    );
    assert_eq!(
        reply(Step::Data, 554, "5.6.0 spam").verdict(),
        Verdict::Refused
    );
    assert_eq!(
        reply(Step::Auth, 535, "5.7.8 bad login").verdict(),
        Verdict::ServerProblem
    );
    assert_eq!(
        reply(Step::MailFrom, 550, "5.1.0 sender").verdict(),
        Verdict::ServerProblem
    );
    assert_eq!(reply(Step::Hello, 421, "busy").verdict(), Verdict::Retry);
}

#[test]
fn no_reply_depends_on_what_was_written() {
    let lost = SmtpError::lost(Step::Data, "connection reset");
    assert_eq!(lost.verdict(), Verdict::Retry);
    assert_eq!(
        SmtpError {
            body_written: true,
            ..lost
        }
        .verdict(),
        Verdict::Uncertain
    );
    let slow = SmtpError::timeout(Step::Data, std::time::Duration::from_secs(5));
    assert_eq!(
        SmtpError {
            body_written: true,
            ..slow.clone()
        }
        .verdict(),
        Verdict::Uncertain
    );
    assert_eq!(slow.verdict(), Verdict::Retry);
    assert_eq!(
        SmtpError::lost(Step::Connect, "refused").verdict(),
        Verdict::Retry
    );
    assert_eq!(
        SmtpError::local(Step::Tls, "no STARTTLS").verdict(),
        Verdict::ServerProblem
    );
    assert_eq!(
        SmtpError::local(Step::Rcpt, "no SMTPUTF8").verdict(),
        Verdict::Refused
    );
}

#[test]
fn messages_say_what_to_do() {
    let e = reply(Step::Auth, 535, "5.7.8 Authentication credentials invalid");
    assert_eq!(
        e.to_string(),
        "the SMTP server refused the login (535 5.7.8 Authentication credentials invalid): \
         check the user and password in smtp_url"
    );
    let e = SmtpError {
        body_written: true,
        ..SmtpError::timeout(Step::Data, std::time::Duration::from_secs(300))
    };
    assert!(
        e.to_string().contains("never confirmed") && e.to_string().contains("not sent again"),
        "{e}"
    );
}
