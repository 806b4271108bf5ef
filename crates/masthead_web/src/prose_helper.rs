//! The meeting desk's optional prose helper: an OpenAI-compatible chat endpoint the
//! operator configures (`prose_url`, `prose_model`, and the key in `MASTHEAD_PROSE_KEY`),
//! self-hosted or not; off when not configured, and everything works without it. It is
//! sent the facts read from the record (`masthead_meeting::prose_prompt`), never the
//! record's text or anything of a reader's, and its answer is checked against the record
//! before the editor sees it (`masthead_meeting::check_prose`). The key travels only in
//! the request's `Authorization` header: it is not part of any page, log line or error,
//! and this type's `Debug` leaves it out. Requests go through `masthead_fetch` (loopback
//! and private addresses allowed: the address is the operator's, never a form's).

use masthead_fetch::{FetchPolicy, Fetcher};
use masthead_meeting::ProsePrompt;
use std::time::Duration;

/// How long the model may take to answer.
const ANSWER_TIME: Duration = Duration::from_secs(90);

/// The largest answer read (the model's JSON around the prose included).
const MAX_ANSWER: u64 = 256 * 1024;

/// The configured helper.
pub struct ProseHelper {
    endpoint: String,
    model: String,
    key: Option<String>,
    fetcher: Fetcher,
}

impl std::fmt::Debug for ProseHelper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProseHelper")
            .field("endpoint", &self.endpoint)
            .field("model", &self.model)
            .field("key", &self.key.as_ref().map(|_| "(set)"))
            .finish()
    }
}

impl ProseHelper {
    /// A helper at `endpoint` (the API's base, e.g. `http://127.0.0.1:8081/v1`) using
    /// `model`, with `key` as its bearer token when given.
    pub fn new(endpoint: &str, model: &str, key: Option<String>) -> Result<Self, String> {
        let policy = FetchPolicy {
            allow_local: true,
            max_body_bytes: MAX_ANSWER,
            total_timeout: ANSWER_TIME,
            ..FetchPolicy::new(endpoint)
        };
        let fetcher = Fetcher::new(policy).map_err(|e| e.to_string())?;
        Ok(Self {
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            model: model.to_owned(),
            key: key.filter(|k| !k.is_empty()),
            fetcher,
        })
    }

    /// The model's paragraphs for `prompt`, or why there are none, for the editor.
    pub(crate) async fn write(&self, prompt: &ProsePrompt) -> Result<String, String> {
        let request = serde_json::json!({
            "model": self.model,
            "temperature": 0.2,
            "messages": [
                {"role": "system", "content": prompt.system},
                {"role": "user", "content": prompt.user},
            ],
        });
        let url = format!("{}/chat/completions", self.endpoint);
        let response = self
            .fetcher
            .post_json(&url, request.to_string().into_bytes(), self.key.as_deref())
            .await
            .map_err(|e| e.to_string())?;
        if !response.status.is_success() {
            return Err(format!(
                "the prose helper at {url} answered {}",
                response.status
            ));
        }
        let answer: serde_json::Value = serde_json::from_slice(&response.body)
            .map_err(|_| format!("the prose helper at {url} did not answer in JSON"))?;
        answer["choices"][0]["message"]["content"]
            .as_str()
            .map(str::to_owned)
            .filter(|text| !text.trim().is_empty())
            .ok_or_else(|| format!("the prose helper at {url} answered without any text"))
    }
}

/// The helper's paragraphs about `meeting`, from the facts of `document`, each sentence
/// checked against the document's text; or why there are none, for the editor.
pub(crate) async fn narrate(
    state: &crate::AppState,
    meeting: masthead_core::MeetingId,
    document: masthead_core::DocumentId,
) -> Result<Vec<Vec<masthead_meeting::CheckedSentence>>, String> {
    let Some(helper) = state.prose.clone() else {
        return Err("this site has no prose helper configured".to_owned());
    };
    let unreadable = |e: masthead_store::StoreError| format!("the record could not be read: {e}");
    let meeting = state
        .store
        .meeting(meeting)
        .await
        .map_err(unreadable)?
        .ok_or("no such meeting")?;
    let (_, text) = state
        .store
        .meeting_document(document)
        .await
        .map_err(unreadable)?
        .ok_or("no such document")?;
    let facts = masthead_desk::meeting_brief::read(text.clone())
        .await
        .map_err(|e| e.to_string())?;
    let date = meeting
        .starts_at
        .with_timezone(&state.config().timezone)
        .format("%A, %B %-d, %Y")
        .to_string();
    let prompt = masthead_meeting::prose_prompt(&meeting.body_name, &date, &facts);
    let prose = helper.write(&prompt).await?;
    Ok(masthead_meeting::check_prose(&prose, &text))
}
