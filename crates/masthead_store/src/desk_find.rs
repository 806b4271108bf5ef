//! The desk's story list with its search, filters and sorts ([`Store::desk_find`]): staff
//! only, in every status. Pages are numbered and capped ([`DESK_FIND_PAGES`]), so no
//! request walks an `OFFSET` deeper than that; past it the desk asks for a narrower filter.

use crate::desk::{DeskRow, desk_row};
use crate::{Result, Store};
use masthead_core::{ArticleKind, ArticleStatus, AuthorId, SectionId, UserId};

/// The deepest page of the desk's story list.
pub const DESK_FIND_PAGES: u32 = 20;

/// How the desk's story list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeskSort {
    /// Most recently started first.
    #[default]
    Newest,
    /// First started first.
    Oldest,
    /// Most recently saved first.
    Modified,
    /// By headline, A to Z.
    Headline,
}

impl DeskSort {
    /// The sort named `name` in the list's address (`newest`, `oldest`, `modified`,
    /// `headline`); `None` for any other.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "" | "newest" => DeskSort::Newest,
            "oldest" => DeskSort::Oldest,
            "modified" => DeskSort::Modified,
            "headline" => DeskSort::Headline,
            _ => return None,
        })
    }

    fn order_by(self) -> &'static str {
        match self {
            DeskSort::Newest => "a.created_at DESC, a.id DESC",
            DeskSort::Oldest => "a.created_at ASC, a.id ASC",
            DeskSort::Modified => "a.modified_at DESC, a.id DESC",
            DeskSort::Headline => "LOWER(a.title) ASC, a.id ASC",
        }
    }
}

/// What the desk's story list shows.
#[derive(Debug, Clone, Default)]
pub struct DeskFind {
    /// Words to find in the headline or the text (matched as typed, case aside).
    pub text: String,
    /// Only stories in this status.
    pub status: Option<ArticleStatus>,
    /// Only stories in this section.
    pub section: Option<SectionId>,
    /// Only stories with this byline profile among their authors.
    pub author: Option<AuthorId>,
    /// Only stories of this kind.
    pub kind: Option<ArticleKind>,
    /// Only stories this account started (contributors and authors see only theirs).
    pub owner: Option<UserId>,
    /// The order.
    pub sort: DeskSort,
}

enum Bind {
    Int(i64),
    Text(String),
}

impl Store {
    /// Page `page` (from 1, at most [`DESK_FIND_PAGES`]) of the stories `find` describes,
    /// `per_page` to a page, with one more row when there are more.
    pub async fn desk_find(
        &self,
        find: &DeskFind,
        page: u32,
        per_page: u32,
    ) -> Result<Vec<DeskRow>> {
        let mut conditions: Vec<String> = Vec::new();
        let mut binds: Vec<Bind> = Vec::new();
        let bind = |value: Bind, binds: &mut Vec<Bind>| {
            binds.push(value);
            format!("${}", binds.len())
        };
        if let Some(status) = find.status {
            // A closed set of names, written into the SQL as in `desk_list_sql`.
            conditions.push(format!("a.status = '{}'", status.as_str()));
        }
        if let Some(kind) = find.kind {
            conditions.push(format!("a.kind = '{}'", kind.as_str()));
        }
        if let Some(section) = find.section {
            let n = bind(Bind::Int(section.0), &mut binds);
            conditions.push(format!("a.section_id = {n}"));
        }
        if let Some(author) = find.author {
            let n = bind(Bind::Int(author.0), &mut binds);
            conditions.push(format!(
                "EXISTS (SELECT 1 FROM article_authors x WHERE x.article_id = a.id AND x.author_id = {n})"
            ));
        }
        if let Some(owner) = find.owner {
            let n = bind(Bind::Int(owner.0), &mut binds);
            conditions.push(format!("a.owner_id = {n}"));
        }
        let text = find.text.trim();
        if !text.is_empty() {
            let pattern = format!("%{}%", like_escaped(&text.to_lowercase()));
            let n = bind(Bind::Text(pattern), &mut binds);
            conditions.push(format!(
                "(LOWER(a.title) LIKE {n} ESCAPE '\\' OR LOWER(a.summary) LIKE {n} ESCAPE '\\' \
                 OR LOWER(a.body_md) LIKE {n} ESCAPE '\\')"
            ));
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let page = page.clamp(1, DESK_FIND_PAGES);
        let offset = u64::from(page - 1) * u64::from(per_page);
        // Only integers we computed and closed sets of names go into the SQL.
        let sql = format!(
            "SELECT a.id, a.title, a.slug, a.kind, a.status, COALESCE(u.name, '') AS owner, \
             a.published_at, a.modified_at FROM articles a LEFT JOIN users u ON u.id = a.owner_id \
             {filter} ORDER BY {} LIMIT {} OFFSET {offset}",
            find.sort.order_by(),
            per_page + 1,
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for value in binds {
            query = match value {
                Bind::Int(v) => query.bind(v),
                Bind::Text(v) => query.bind(v),
            };
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(desk_row).collect()
    }
}

/// `text` with `\`, `%` and `_` escaped for `LIKE … ESCAPE '\'`.
fn like_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
