//! Every CDR an org has a relation to (`GET /v1/cdrs`, the dashboard's CDR list), the
//! same list narrowed to CDRs whose lead fingerprints match (`POST /v1/cdrs/search`), and
//! the stored lead fingerprints.
//!
//! Both lists walk the org's own rows of `cdr_access` in `(cdr_created_at, cdr_id)` order:
//! the CDR's creation time, domain and package are copied there by the one writer of that
//! table ([`super::access::raise_relation`]), and each filter has an index that starts
//! `(org_id, <filter column>, cdr_created_at, cdr_id)`, so a page reads about `pageSize`
//! index entries whatever the org's size, and the CDR, its facts and metadata are read by
//! primary key for those rows only. The query text is built from fixed fragments; every
//! value is a bound parameter.

use expressconsent_protocol::{Access, ConsentMechanism, SortOrder};
use serde::Deserialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row as _};

use super::access::{access_str, parse_access};
use super::Db;
use crate::evidence::lead::{Lead, LeadKind};
use crate::http::pagination::{Cursor, List, PageRequest};

/// An org's relation to a CDR, as the `relation` filter names it.
pub type Relation = Access;

/// What narrows the list; every field is optional and they combine with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Only CDRs the org holds in this relation (`unpaid`: its own, not paid for).
    pub relation: Option<Relation>,
    /// Only CDRs captured on this registered domain.
    pub domain_id: Option<String>,
    /// Only CDRs created at or after this time, epoch ms.
    pub from: Option<i64>,
    /// Only CDRs created before this time, epoch ms.
    pub to: Option<i64>,
    /// Only CDRs of this session package.
    pub package_id: Option<String>,
    /// Only CDRs whose `custom` has this top-level key with this value (as
    /// [`crate::evidence::metadata::value_text`] spells it).
    pub metadata: Option<(String, String)>,
}

/// One CDR of the list, as the reading org sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct RelatedCdr {
    /// `cdr_…`.
    pub id: String,
    /// The capturing org.
    pub org_id: String,
    /// The registered host the page was on.
    pub domain_id: String,
    /// The session package.
    pub package_id: String,
    /// The page's URL.
    pub page_url: String,
    /// Receive time, epoch ms.
    pub created_at: i64,
    /// The reading org's relation.
    pub relation: Relation,
    /// The reading org captured it.
    pub is_owner: bool,
    /// The `custom` object as JSON, if any.
    pub custom_json: Option<String>,
    /// The distinct consent mechanisms of its disclosures, in the order first met (from
    /// the facts stored at ingest; empty for a CDR whose facts are not derived yet).
    pub consent_mechanisms: Vec<ConsentMechanism>,
}

/// Columns read for each row; `cdr_facts` is read only for the mechanisms.
const COLUMNS: &str = "a.cdr_id, a.relation, a.cdr_created_at, a.cdr_domain_id, \
     a.cdr_package_id, c.org_id, c.page_url, c.custom_json, f.facts_json";

const FROM: &str = "FROM cdr_access a JOIN cdrs c ON c.id = a.cdr_id \
     LEFT JOIN cdr_facts f ON f.cdr_id = a.cdr_id";

/// A query's text and its parameters, built in step so that `$n` always matches.
struct Query {
    sql: String,
    texts: Vec<(usize, String)>,
    numbers: Vec<(usize, i64)>,
    next: usize,
}

impl Query {
    fn new(sql: String, org_id: &str) -> Self {
        Self {
            sql,
            texts: vec![(1, org_id.to_owned())],
            numbers: Vec::new(),
            next: 2,
        }
    }

    fn text(&mut self, value: &str) -> usize {
        let n = self.next;
        self.texts.push((n, value.to_owned()));
        self.next += 1;
        n
    }

    fn number(&mut self, value: i64) -> usize {
        let n = self.next;
        self.numbers.push((n, value));
        self.next += 1;
        n
    }

    /// Continues after the cursor and orders and limits the page.
    fn page(&mut self, page: &PageRequest) {
        let (cmp, dir) = match page.order {
            SortOrder::Asc => (">", "ASC"),
            SortOrder::Desc => ("<", "DESC"),
        };
        if let Some(after) = &page.after {
            let at = self.number(after.created_at);
            let id = self.text(&after.id);
            self.sql.push_str(&format!(
                " AND (a.cdr_created_at, a.cdr_id) {cmp} (${at}, ${id})"
            ));
        }
        let limit = self.number(page.fetch_limit());
        self.sql.push_str(&format!(
            " ORDER BY a.cdr_created_at {dir}, a.cdr_id {dir} LIMIT ${limit}"
        ));
    }

    async fn rows(self, conn: &mut AnyConnection) -> Result<Vec<AnyRow>, sqlx::Error> {
        enum Value {
            Text(String),
            Number(i64),
        }
        let mut values: Vec<(usize, Value)> = self
            .texts
            .into_iter()
            .map(|(n, v)| (n, Value::Text(v)))
            .chain(self.numbers.into_iter().map(|(n, v)| (n, Value::Number(v))))
            .collect();
        values.sort_by_key(|(n, _)| *n);
        let mut query = sqlx::query(&self.sql);
        for (_, value) in values {
            query = match value {
                Value::Text(text) => query.bind(text),
                Value::Number(number) => query.bind(number),
            };
        }
        query.fetch_all(conn).await
    }
}

/// The SQL and parameters of one page of [`list_related`].
fn list_query(org_id: &str, filter: &ListFilter, page: &PageRequest) -> Query {
    let mut q = Query::new(
        format!("SELECT {COLUMNS} {FROM} WHERE a.org_id = $1"),
        org_id,
    );
    if let Some(relation) = filter.relation {
        let n = q.text(access_str(relation));
        q.sql.push_str(&format!(" AND a.relation = ${n}"));
    }
    if let Some(domain) = &filter.domain_id {
        let n = q.text(domain);
        q.sql.push_str(&format!(" AND a.cdr_domain_id = ${n}"));
    }
    if let Some(package) = &filter.package_id {
        let n = q.text(package);
        q.sql.push_str(&format!(" AND a.cdr_package_id = ${n}"));
    }
    if let Some(from) = filter.from {
        let n = q.number(from);
        q.sql.push_str(&format!(" AND a.cdr_created_at >= ${n}"));
    }
    if let Some(to) = filter.to {
        let n = q.number(to);
        q.sql.push_str(&format!(" AND a.cdr_created_at < ${n}"));
    }
    if let Some((key, value)) = &filter.metadata {
        let k = q.text(key);
        let v = q.text(value);
        q.sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM cdr_metadata m WHERE m.cdr_id = a.cdr_id \
             AND m.key = ${k} AND m.value = ${v})"
        ));
    }
    q.page(page);
    q
}

fn search_query(org_id: &str, fingerprints: &[String], page: &PageRequest) -> Query {
    let mut q = Query::new(
        format!("SELECT {COLUMNS} {FROM} WHERE a.org_id = $1"),
        org_id,
    );
    let params: Vec<String> = fingerprints
        .iter()
        .map(|f| format!("${}", q.text(f)))
        .collect();
    q.sql.push_str(&format!(
        " AND a.cdr_id IN (SELECT l.cdr_id FROM cdr_leads l WHERE l.fingerprint IN ({}))",
        params.join(", ")
    ));
    q.page(page);
    q
}

/// One page of every CDR `org_id` has a relation to, narrowed by `filter`, in the page's
/// order of `(created_at, id)`; with the token of the next page when there is one. `page`
/// is parsed for [`List::Related`].
pub async fn list_related(
    db: &Db,
    org_id: &str,
    filter: &ListFilter,
    page: &PageRequest,
) -> Result<(Vec<RelatedCdr>, Option<String>), sqlx::Error> {
    if filter
        .from
        .zip(filter.to)
        .is_some_and(|(from, to)| from >= to)
    {
        return Ok((Vec::new(), None));
    }
    let mut conn = db.pool().acquire().await?;
    let rows = list_query(org_id, filter, page).rows(&mut conn).await?;
    finish(org_id, List::Related, page, &rows)
}

/// One page of the CDRs `org_id` has a relation to whose lead fingerprints include one of
/// `fingerprints` (see [`crate::evidence::lead::Matcher`]). `page` is parsed for
/// [`List::Search`]. No fingerprint: an empty page.
pub async fn search_related(
    db: &Db,
    org_id: &str,
    fingerprints: &[String],
    page: &PageRequest,
) -> Result<(Vec<RelatedCdr>, Option<String>), sqlx::Error> {
    if fingerprints.is_empty() {
        return Ok((Vec::new(), None));
    }
    let mut conn = db.pool().acquire().await?;
    let rows = search_query(org_id, fingerprints, page)
        .rows(&mut conn)
        .await?;
    finish(org_id, List::Search, page, &rows)
}

fn finish(
    org_id: &str,
    list: List,
    page: &PageRequest,
    rows: &[AnyRow],
) -> Result<(Vec<RelatedCdr>, Option<String>), sqlx::Error> {
    let cdrs = rows
        .iter()
        .map(|row| related(org_id, row))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(page.finish(list, cdrs, |cdr| Cursor {
        created_at: cdr.created_at,
        id: cdr.id.clone(),
    }))
}

fn related(reader: &str, row: &AnyRow) -> Result<RelatedCdr, sqlx::Error> {
    let org_id: String = row.try_get("org_id")?;
    let facts: Option<String> = row.try_get("facts_json")?;
    Ok(RelatedCdr {
        id: row.try_get("cdr_id")?,
        is_owner: org_id == reader,
        org_id,
        domain_id: row.try_get("cdr_domain_id")?,
        package_id: row.try_get("cdr_package_id")?,
        page_url: row.try_get("page_url")?,
        created_at: row.try_get("cdr_created_at")?,
        relation: parse_access(&row.try_get::<String, _>("relation")?)?,
        custom_json: row.try_get("custom_json")?,
        consent_mechanisms: facts.as_deref().map(mechanisms).unwrap_or_default(),
    })
}

/// The distinct mechanisms of stored facts, reading only what they need of the JSON.
fn mechanisms(facts_json: &str) -> Vec<ConsentMechanism> {
    #[derive(Deserialize)]
    struct Facts {
        #[serde(default)]
        disclosures: Vec<Disclosure>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Disclosure {
        consent_mechanism: ConsentMechanism,
    }
    let Ok(facts) = serde_json::from_str::<Facts>(facts_json) else {
        tracing::warn!("stored consent facts did not parse");
        return Vec::new();
    };
    let mut found = Vec::new();
    for d in facts.disclosures {
        if !found.contains(&d.consent_mechanism) {
            found.push(d.consent_mechanism);
        }
    }
    found
}

/// Stores a new CDR's lead fingerprints inside the transaction that inserts the CDR.
pub async fn insert_leads(
    conn: &mut AnyConnection,
    cdr_id: &str,
    leads: &[Lead],
) -> Result<(), sqlx::Error> {
    for lead in leads {
        sqlx::query(
            "INSERT INTO cdr_leads (cdr_id, kind, fingerprint) VALUES ($1, $2, $3) \
             ON CONFLICT (fingerprint, cdr_id) DO NOTHING",
        )
        .bind(cdr_id)
        .bind(lead.kind.as_str())
        .bind(&lead.fingerprint)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A CDR's stored lead fingerprints.
pub async fn lead_fingerprints(db: &Db, cdr_id: &str) -> Result<Vec<Lead>, sqlx::Error> {
    let rows = sqlx::query_as::<_, (String, String)>(
        "SELECT kind, fingerprint FROM cdr_leads WHERE cdr_id = $1",
    )
    .bind(cdr_id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(kind, fingerprint)| {
            let kind = match kind.as_str() {
                "email" => LeadKind::Email,
                "phone" => LeadKind::Phone,
                other => {
                    return Err(sqlx::Error::Decode(
                        format!("unknown lead kind {other:?}").into(),
                    ))
                }
            };
            Ok(Lead { kind, fingerprint })
        })
        .collect()
}

/// The query plans of every list query shape (unfiltered, each filter, search), as the
/// backend's `EXPLAIN` prints them, one string per shape: for the tests and the bench,
/// which check that none scans a whole table.
pub async fn explain_plans(db: &Db, org_id: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
    let page = PageRequest {
        size: 20,
        order: SortOrder::Desc,
        after: Some(Cursor {
            created_at: 1,
            id: "cdr_x".into(),
        }),
    };
    let base = ListFilter::default();
    let shapes: Vec<(&str, ListFilter)> = vec![
        ("list", base.clone()),
        (
            "relation",
            ListFilter {
                relation: Some(Access::Paid),
                ..base.clone()
            },
        ),
        (
            "domain",
            ListFilter {
                domain_id: Some("example.com".into()),
                ..base.clone()
            },
        ),
        (
            "package",
            ListFilter {
                package_id: Some("pkg_x".into()),
                ..base.clone()
            },
        ),
        (
            "from-to",
            ListFilter {
                from: Some(1),
                to: Some(2),
                ..base.clone()
            },
        ),
        (
            "metadata",
            ListFilter {
                metadata: Some(("k".into(), "v".into())),
                ..base.clone()
            },
        ),
    ];
    let mut conn = db.pool().acquire().await?;
    let prefix = match db.backend() {
        super::Backend::Sqlite => "EXPLAIN QUERY PLAN ",
        super::Backend::Postgres => "EXPLAIN ",
    };
    let mut plans = Vec::new();
    let mut queries: Vec<(String, Query)> = shapes
        .into_iter()
        .map(|(name, filter)| (name.to_owned(), list_query(org_id, &filter, &page)))
        .collect();
    queries.push((
        "search".into(),
        search_query(org_id, &["a".repeat(64), "b".repeat(64)], &page),
    ));
    // PostgreSQL scans a small table whole because that is cheapest; with sequential
    // scans priced out, the plan shows whether an index serves the query at all.
    if db.backend() == super::Backend::Postgres {
        sqlx::query("SET enable_seqscan = off")
            .execute(&mut *conn)
            .await?;
    }
    for (name, mut query) in queries {
        query.sql.insert_str(0, prefix);
        let rows = query.rows(&mut conn).await;
        let rows = match rows {
            Ok(rows) => rows,
            Err(err) => {
                // A pooled connection must not keep the setting.
                conn.close_on_drop();
                return Err(err);
            }
        };
        let lines: Vec<String> = rows
            .iter()
            .map(|row| {
                // SQLite: (id, parent, notused, detail); PostgreSQL: one text column.
                row.try_get::<String, _>("detail")
                    .or_else(|_| row.try_get::<String, _>(0))
                    .unwrap_or_default()
            })
            .collect();
        plans.push((name, lines.join("\n")));
    }
    if db.backend() == super::Backend::Postgres {
        sqlx::query("RESET enable_seqscan")
            .execute(&mut *conn)
            .await?;
    }
    Ok(plans)
}
