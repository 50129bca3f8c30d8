//! A PostgreSQL database per test, dropped when the test ends.
//!
//! With `EC_TEST_POSTGRES_URL` set to an admin URL (e.g. the one `scripts/postgres.sh
//! start` prints), every test gets its own new database instead of SQLite. Its name
//! carries its creation time, so that databases left behind by a killed run (no `Drop`
//! ran) are swept by a later run once they are an hour old, without touching the
//! databases of a run going on beside it.

use std::time::{SystemTime, UNIX_EPOCH};

use expressconsent_server::orgs::ids::{new_id, IdKind};
use sqlx::Connection as _;

/// Databases older than this are leftovers of a dead run.
const STALE_SECS: u64 = 3600;
const PREFIX: &str = "ec_test_";

/// A test database; dropping this drops the database (closing whatever is connected).
#[derive(Debug)]
pub struct PgDatabase {
    admin: String,
    name: String,
    /// The URL the server connects with.
    pub url: String,
}

fn epoch_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

async fn admin_connection(admin: &str) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(admin)
        .await
        .expect("PostgreSQL reachable at EC_TEST_POSTGRES_URL")
}

impl PgDatabase {
    /// A new database, when `EC_TEST_POSTGRES_URL` is set.
    pub async fn create() -> Option<Self> {
        let admin = std::env::var("EC_TEST_POSTGRES_URL")
            .ok()
            .filter(|url| !url.is_empty())?;
        // `req_` ids are lowercase base32, valid in an unquoted identifier.
        let name = format!("{PREFIX}{}_{}", epoch_secs(), new_id(IdKind::Request));
        let mut conn = admin_connection(&admin).await;
        sweep_stale(&mut conn).await;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create the test database");
        conn.close().await.ok();
        let base = admin
            .rsplit_once('/')
            .map_or(admin.as_str(), |(base, _)| base);
        let url = format!("{base}/{name}");
        Some(Self { admin, name, url })
    }
}

/// Drops test databases of runs that died more than [`STALE_SECS`] ago.
async fn sweep_stale(conn: &mut sqlx::AnyConnection) {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'ec\\_test\\_%'")
            .fetch_all(&mut *conn)
            .await
            .unwrap_or_default();
    let cutoff = epoch_secs().saturating_sub(STALE_SECS);
    for name in names {
        let created = name
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split('_').next())
            .and_then(|secs| secs.parse::<u64>().ok());
        if created.is_some_and(|secs| secs < cutoff) {
            let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            sqlx::query(&drop).execute(&mut *conn).await.ok();
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin = self.admin.clone();
        let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        // Drop runs inside the test's runtime, which cannot be blocked on from within;
        // a short-lived thread with its own runtime does the work.
        let done = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                let mut conn = admin_connection(&admin).await;
                sqlx::query(&drop).execute(&mut conn).await
            })
        })
        .join();
        if !matches!(done, Ok(Ok(_))) {
            eprintln!("could not drop test database {}: {done:?}", self.name);
        }
    }
}
