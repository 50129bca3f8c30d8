//! Rows gathered per table and written as multi-row `INSERT … VALUES (…), (…)` statements:
//! one round trip and one statement for up to [`MAX_PARAMS`] values, which is what makes a
//! million CDRs (about eight rows each) take minutes instead of hours. Plain sqlx through
//! the server's own `Any` pool, so the same code writes SQLite and PostgreSQL; sqlx's
//! `QueryBuilder` is not used because the `Any` driver's placeholder spelling is `?`,
//! which PostgreSQL refuses.

use sqlx::AnyConnection;

/// Bound values per statement. SQLite looks each `$n` name up in a list of the names seen
/// so far, so preparing a statement costs the square of its parameters: 30,000 made the
/// seeding 6x slower than this (measured). 999 is SQLite's historic limit.
const MAX_PARAMS: usize = 999;

/// One bound value.
#[derive(Debug, Clone)]
pub enum Val {
    /// TEXT.
    Text(String),
    /// BIGINT.
    Int(i64),
    /// NULL (of a TEXT column).
    Null,
}

impl From<String> for Val {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}

impl From<&str> for Val {
    fn from(s: &str) -> Self {
        Self::Text(s.to_owned())
    }
}

impl From<i64> for Val {
    fn from(i: i64) -> Self {
        Self::Int(i)
    }
}

impl From<Option<String>> for Val {
    fn from(s: Option<String>) -> Self {
        s.map_or(Self::Null, Self::Text)
    }
}

/// The pending rows of one table.
#[derive(Debug)]
pub struct Table {
    name: &'static str,
    columns: Vec<&'static str>,
    values: Vec<Val>,
    /// Rows written so far, for the rate figures.
    pub written: u64,
}

impl Table {
    /// A table and the columns every row gives, in order.
    pub fn new(name: &'static str, columns: &[&'static str]) -> Self {
        Self {
            name,
            columns: columns.to_vec(),
            values: Vec::new(),
            written: 0,
        }
    }

    /// Queues one row; `row` must have one value per column.
    pub fn push<const N: usize>(&mut self, row: [Val; N]) {
        assert_eq!(
            N,
            self.columns.len(),
            "a row of {} needs every column",
            self.name
        );
        self.values.extend(row);
    }

    /// Writes the queued rows in as few statements as the parameter limit allows.
    pub async fn flush(&mut self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        let width = self.columns.len();
        let per_statement = (MAX_PARAMS / width).max(1);
        let values = std::mem::take(&mut self.values);
        for rows in values.chunks(per_statement * width) {
            let sql = self.insert_sql(rows.len() / width);
            let mut query = sqlx::query(&sql);
            for value in rows {
                query = match value {
                    Val::Text(s) => query.bind(s.as_str()),
                    Val::Int(i) => query.bind(*i),
                    Val::Null => query.bind(None::<String>),
                };
            }
            query.execute(&mut *conn).await?;
            self.written += (rows.len() / width) as u64;
        }
        Ok(())
    }

    fn insert_sql(&self, rows: usize) -> String {
        let width = self.columns.len();
        let mut sql = format!(
            "INSERT INTO {} ({}) VALUES ",
            self.name,
            self.columns.join(", ")
        );
        for r in 0..rows {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..width {
                if c > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("${}", r * width + c + 1));
            }
            sql.push(')');
        }
        sql
    }
}
