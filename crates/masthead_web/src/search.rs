//! A search request, the same for the site's `/search` and the API's `/api/v1/search`: the
//! query string read strictly (malformed percent-encoding or invalid UTF-8 is a 400, never
//! replacement characters), the words made safe by [`SearchQuery::parse`], the filters
//! checked against the site's sections, kinds and time zone, and the page bounded by the
//! candidates search ranks. Every refusal says what would be accepted.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use masthead_core::{ArticleKind, QueryProblem, SearchQuery};
use masthead_store::{SEARCH_CANDIDATES, SearchFilter, Section};

/// Results per page.
pub(crate) const PER_PAGE: u32 = 10;
/// The last page there can be: the ranked candidates, ten to a page.
pub(crate) const MAX_PAGE: u32 = SEARCH_CANDIDATES / PER_PAGE;

/// The parameters as sent, decoded: the first value of each. `None` when left out.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub(crate) struct SearchForm {
    pub q: Option<String>,
    pub section: Option<String>,
    pub kind: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<String>,
}

/// A search ready to run.
#[derive(Debug, Clone)]
pub(crate) struct Search {
    pub query: SearchQuery,
    pub filter: SearchFilter,
    pub page: u32,
}

impl Search {
    /// Runs the search at the app's current time: its page of `per_page` results.
    pub async fn run(
        &self,
        state: &crate::AppState,
        per_page: u32,
    ) -> Result<masthead_store::SearchResults, masthead_store::StoreError> {
        let now = state.clock.now();
        state
            .reads()
            .search(&self.query, &self.filter, now, self.page, per_page)
            .await
    }
}

/// Why a search cannot run, as a sentence for the reader (400).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal(pub String);

impl SearchForm {
    /// Reads the query string. Only a malformed one is refused here.
    pub fn from_query(query: Option<&str>) -> Result<Self, Refusal> {
        let mut form = SearchForm::default();
        for pair in query.unwrap_or("").split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let slot = match key {
                "q" => &mut form.q,
                "section" => &mut form.section,
                "kind" => &mut form.kind,
                "from" => &mut form.from,
                "to" => &mut form.to,
                "page" => &mut form.page,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(decode(key, value)?);
            }
        }
        Ok(form)
    }

    /// The address of page `page` of this search, with the filters as sent (empty ones left
    /// out).
    pub fn page_url(&self, page: u32) -> String {
        let mut url = form_urlencoded::Serializer::new(String::new());
        let fields = [
            ("q", &self.q),
            ("section", &self.section),
            ("kind", &self.kind),
            ("from", &self.from),
            ("to", &self.to),
        ];
        for (name, value) in fields {
            if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
                url.append_pair(name, value);
            }
        }
        if page > 1 {
            url.append_pair("page", &page.to_string());
        }
        format!("/search?{}", url.finish())
    }

    /// The search these parameters ask for, with `sections` the site's and dates read in
    /// `timezone`. Empty filters mean "any" when `empty_is_any` (the site's form sends them
    /// all); otherwise (the API) an empty value is refused like any other outside its rules.
    pub fn parse(
        &self,
        sections: &[Section],
        timezone: Tz,
        empty_is_any: bool,
    ) -> Result<Search, Refusal> {
        let given = |value: &Option<String>, name: &str| -> Result<Option<String>, Refusal> {
            match value.as_deref().map(str::trim) {
                None => Ok(None),
                Some("") if empty_is_any => Ok(None),
                Some("") => Err(Refusal(format!(
                    "`{name}` is empty: leave it out to search without it."
                ))),
                Some(v) => Ok(Some(v.to_owned())),
            }
        };
        let query = SearchQuery::parse(self.q.as_deref().unwrap_or("")).map_err(problem)?;
        let section = match given(&self.section, "section")? {
            None => None,
            Some(slug) => Some(
                sections
                    .iter()
                    .find(|s| s.slug == slug)
                    .map(|s| s.id)
                    .ok_or_else(|| {
                        let names: Vec<&str> = sections.iter().map(|s| s.slug.as_str()).collect();
                        Refusal(format!(
                            "There is no section “{slug}”. Sections: {}.",
                            names.join(", ")
                        ))
                    })?,
            ),
        };
        let kind = match given(&self.kind, "kind")? {
            None => None,
            Some(kind) => Some(
                ArticleKind::parse(&kind).map_err(|e| Refusal(format!("Kind: {}.", e.message)))?,
            ),
        };
        let from = given(&self.from, "from")?
            .map(|d| day_start(&d, "from", timezone))
            .transpose()?;
        let until = given(&self.to, "to")?
            .map(|d| day_start(&d, "to", timezone).map(|start| start + Duration::days(1)))
            .transpose()?;
        if let (Some(from), Some(until)) = (from, until)
            && from >= until
        {
            return Err(Refusal(
                "The start date (“from”) is after the end date (“to”); swap them.".into(),
            ));
        }
        let page = match given(&self.page, "page")? {
            None => 1,
            Some(page) => match page.parse::<u32>() {
                Ok(n) if (1..=MAX_PAGE).contains(&n) => n,
                _ => {
                    return Err(Refusal(format!(
                        "Search pages run from 1 to {MAX_PAGE}: the {SEARCH_CANDIDATES} best \
                         matches, {PER_PAGE} to a page. Add words or a filter to find others."
                    )));
                }
            },
        };
        Ok(Search {
            query,
            filter: SearchFilter {
                section,
                kind,
                from,
                until,
            },
            page,
        })
    }
}

/// The reader's words refused, as a sentence.
fn problem(problem: QueryProblem) -> Refusal {
    Refusal(problem.to_string())
}

/// The first moment of day `text` (`YYYY-MM-DD`) in `timezone`.
fn day_start(text: &str, name: &str, timezone: Tz) -> Result<DateTime<Utc>, Refusal> {
    let refuse = || {
        Refusal(format!(
            "`{name}` must be a date written YYYY-MM-DD, such as 2026-03-31."
        ))
    };
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| refuse())?;
    let midnight = date.and_hms_opt(0, 0, 0).ok_or_else(refuse)?;
    // A day that starts in a clock change (no midnight) starts at the first moment it has.
    let local = timezone
        .from_local_datetime(&midnight)
        .earliest()
        .or_else(|| {
            timezone
                .from_local_datetime(&(midnight + Duration::hours(1)))
                .earliest()
        })
        .ok_or_else(refuse)?;
    Ok(local.with_timezone(&Utc))
}

/// One query parameter's value, percent-decoded (`+` is a space), which must be UTF-8.
fn decode(name: &str, value: &str) -> Result<String, Refusal> {
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(&value.replace('+', " ")).collect();
    String::from_utf8(bytes).map_err(|_| {
        Refusal(format!(
            "The `{name}` in this address is not valid text (it must be UTF-8). Type the \
             search again."
        ))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use masthead_core::SectionId;

    fn sections() -> Vec<Section> {
        vec![Section {
            id: SectionId(3),
            slug: "sports".into(),
            name: "Sports".into(),
            description: String::new(),
        }]
    }

    fn parse(query: &str) -> Result<Search, Refusal> {
        SearchForm::from_query(Some(query))?.parse(&sections(), chrono_tz::America::Chicago, true)
    }

    #[test]
    fn filters_and_pages_parse_and_empty_ones_mean_any_on_the_site() {
        let s =
            parse("q=levy+vote&section=sports&kind=opinion&from=2026-03-01&to=2026-03-31&page=2")
                .unwrap();
        assert_eq!(s.query.to_string(), "levy vote");
        assert_eq!(s.filter.section, Some(SectionId(3)));
        assert_eq!(s.filter.kind, Some(ArticleKind::Opinion));
        assert_eq!(
            s.filter.from.unwrap().to_rfc3339(),
            "2026-03-01T06:00:00+00:00"
        );
        assert_eq!(
            s.filter.until.unwrap().to_rfc3339(),
            "2026-04-01T05:00:00+00:00"
        );
        assert_eq!(s.page, 2);
        let s = parse("q=levy&section=&kind=&from=&to=").unwrap();
        assert_eq!(s.filter, SearchFilter::default());
        let api = SearchForm::from_query(Some("q=levy&section="))
            .unwrap()
            .parse(&sections(), chrono_tz::UTC, false);
        assert!(api.unwrap_err().0.contains("`section` is empty"));
    }

    #[test]
    fn refusals_say_what_is_accepted() {
        let refused = |q: &str| parse(q).unwrap_err().0;
        assert!(refused("q=levy&section=nope").contains("Sections: sports."));
        assert!(refused("q=levy&kind=nope").contains("news, opinion"));
        assert!(refused("q=levy&from=31/03/2026").contains("YYYY-MM-DD"));
        assert!(refused("q=levy&from=2026-04-02&to=2026-04-01").contains("swap"));
        assert!(refused("q=levy&page=51").contains("from 1 to 50"));
        assert!(refused("q=levy&page=0").contains("from 1 to 50"));
        assert!(refused("q=the+of").contains("more specific word"));
        assert!(refused("q=").contains("Type one or more words"));
        assert!(refused("section=sports").contains("Type one or more words"));
        assert!(
            SearchForm::from_query(Some("q=%FF%FE"))
                .unwrap_err()
                .0
                .contains("UTF-8")
        );
        assert_eq!(
            SearchForm::from_query(Some("q=caf%C3%A9"))
                .unwrap()
                .q
                .as_deref(),
            Some("café")
        );
    }

    #[test]
    fn page_links_keep_the_search_and_its_filters() {
        let form =
            SearchForm::from_query(Some("q=school+%22board%22&section=&kind=news&page=3")).unwrap();
        assert_eq!(
            form.page_url(4),
            "/search?q=school+%22board%22&kind=news&page=4"
        );
        assert_eq!(form.page_url(1), "/search?q=school+%22board%22&kind=news");
    }
}
