//! Query plans of the statements the server ran, and whether any reads a big table
//! whole. The bench collects the statements from the server's own log (sqlx logs each
//! one), so the plans are of the server's SQL, not of a copy of it.
//!
//! SQLite: `EXPLAIN QUERY PLAN` with every parameter NULL (SQLite's planner does not look
//! at bound values without STAT4). PostgreSQL: the statement is prepared, as sqlx prepares
//! it, and `EXPLAIN EXECUTE` shows the generic plan (`plan_cache_mode =
//! force_generic_plan`), the plan that holds for any parameter values.

use expressconsent_server::db::{Backend, Db};
use serde::Serialize;
use sqlx::Row as _;

/// Tables that grow with the CDRs: reading one of them whole is what must never happen.
pub const BIG_TABLES: [&str; 3] = ["cdrs", "cdr_access", "cdr_leads"];

/// One statement's plan.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// The statement.
    pub sql: String,
    /// The plan, one line per node.
    pub plan: Vec<String>,
    /// The plan's lines that read a big table without an index.
    pub full_scans: Vec<String>,
    /// Why no plan could be made, if so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The plans of `statements`, in order.
pub async fn explain_all(db: &Db, statements: &[String]) -> anyhow::Result<Vec<Plan>> {
    let mut conn = db.pool().acquire().await?;
    let mut plans = Vec::with_capacity(statements.len());
    for sql in statements {
        let lines = match db.backend() {
            Backend::Sqlite => sqlite_plan(&mut conn, sql).await,
            Backend::Postgres => postgres_plan(&mut conn, sql).await,
        };
        plans.push(match lines {
            Ok(plan) => Plan {
                full_scans: full_scans(db.backend(), sql, &plan),
                sql: sql.clone(),
                plan,
                error: None,
            },
            Err(err) => Plan {
                sql: sql.clone(),
                plan: Vec::new(),
                full_scans: Vec::new(),
                error: Some(err.to_string()),
            },
        });
    }
    Ok(plans)
}

/// The highest `$n` in the statement.
fn parameters(sql: &str) -> usize {
    let bytes = sql.as_bytes();
    let mut max = 0;
    for (i, _) in sql.match_indices('$') {
        let digits: String = bytes[i + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .map(|&b| b as char)
            .collect();
        max = max.max(digits.parse().unwrap_or(0));
    }
    max
}

async fn sqlite_plan(
    conn: &mut sqlx::AnyConnection,
    sql: &str,
) -> Result<Vec<String>, sqlx::Error> {
    let explain = format!("EXPLAIN QUERY PLAN {sql}");
    let mut query = sqlx::query(&explain);
    for _ in 0..parameters(sql) {
        query = query.bind(None::<String>);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| r.try_get::<String, _>("detail"))
        .collect()
}

async fn postgres_plan(
    conn: &mut sqlx::AnyConnection,
    sql: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::raw_sql("SET plan_cache_mode = force_generic_plan; DEALLOCATE ALL")
        .execute(&mut *conn)
        .await?;
    sqlx::raw_sql(&format!("PREPARE ec_explain AS {sql}"))
        .execute(&mut *conn)
        .await?;
    let nulls = vec!["NULL"; parameters(sql)].join(", ");
    let execute = match nulls.is_empty() {
        true => "EXPLAIN EXECUTE ec_explain".to_owned(),
        false => format!("EXPLAIN EXECUTE ec_explain({nulls})"),
    };
    let rows = sqlx::raw_sql(&execute).fetch_all(&mut *conn).await;
    sqlx::raw_sql("DEALLOCATE ec_explain; RESET plan_cache_mode")
        .execute(&mut *conn)
        .await?;
    rows?.iter().map(|r| r.try_get::<String, _>(0)).collect()
}

/// The names a big table goes by in `sql`: itself and its aliases (`FROM cdrs c`).
fn big_table_names(sql: &str) -> Vec<String> {
    let tokens: Vec<String> = sql
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .filter(|t| !t.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let keywords = [
        "on", "where", "join", "left", "inner", "cross", "order", "group", "limit", "using", "set",
        "values",
    ];
    let mut names: Vec<String> = BIG_TABLES.iter().map(|t| t.to_string()).collect();
    for (i, token) in tokens.iter().enumerate() {
        if !BIG_TABLES.contains(&token.as_str()) {
            continue;
        }
        let mut next = tokens.get(i + 1);
        if next.is_some_and(|n| n == "as") {
            next = tokens.get(i + 2);
        }
        if let Some(alias) = next.filter(|n| !keywords.contains(&n.as_str())) {
            names.push(alias.clone());
        }
    }
    names
}

/// The plan lines that read a big table whole: SQLite's `SCAN t` without an index,
/// PostgreSQL's `Seq Scan on t`.
fn full_scans(backend: Backend, sql: &str, plan: &[String]) -> Vec<String> {
    match backend {
        Backend::Sqlite => {
            let names = big_table_names(sql);
            plan.iter()
                .filter(|line| {
                    let Some(rest) = line.trim().strip_prefix("SCAN ") else {
                        return false;
                    };
                    let table = rest
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    names.contains(&table) && !rest.contains(" USING ")
                })
                .cloned()
                .collect()
        }
        Backend::Postgres => plan
            .iter()
            .filter(|line| {
                BIG_TABLES.iter().any(|t| {
                    line.contains(&format!("Seq Scan on {t} "))
                        || line.trim_end().ends_with(&format!("Seq Scan on {t}"))
                })
            })
            .cloned()
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scan_of_an_aliased_big_table_without_an_index_is_a_full_scan() {
        let sql =
            "SELECT c.id FROM cdrs c JOIN cdr_access a ON a.cdr_id = c.id WHERE a.org_id = $1";
        let plan = vec![
            "SCAN c".to_owned(),
            "SEARCH a USING INDEX sqlite_autoindex_cdr_access_1 (org_id=? AND cdr_id=?)".to_owned(),
            "SCAN a USING INDEX cdr_access_org_created".to_owned(),
            "SCAN orgs".to_owned(),
        ];
        assert_eq!(
            full_scans(Backend::Sqlite, sql, &plan),
            vec!["SCAN c".to_owned()]
        );
        assert_eq!(parameters("a = $1 AND b < $12 LIMIT $3"), 12);
        let pg = vec![
            "  ->  Seq Scan on cdr_access a  (cost=0.00..1.00 rows=1 width=8)".to_owned(),
            "  ->  Seq Scan on cdr_accessories x".to_owned(),
        ];
        assert_eq!(full_scans(Backend::Postgres, sql, &pg), vec![pg[0].clone()]);
    }
}
