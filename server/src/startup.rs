//! Starting the server: open storage, bind, build the app, serve.
//!
//! Owns the order of start-up and what it prints. [`Server::build`] does everything up to
//! a bound socket, so the caller (the CLI or a test) learns the actual address, with
//! port 0 resolved, before serving.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::config::ServeConfig;
use crate::db::{Db, OpenError};
use crate::evidence::store::EvidenceStore;
use crate::http::app::{app, AppState};
use crate::http::guard::CaptureGuard;
use crate::jobs::pipeline::{handlers, JobContext};
use crate::jobs::worker::{self, Wakeup};
use crate::net::SafeClient;
use crate::orgs::demo::{ensure as ensure_demo, DemoCredentials, DemoError};
use crate::webhooks::post::Poster;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The data folder could not be created.
    #[error("cannot create the data folder {path}: {source}")]
    DataDir {
        /// The folder.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The database could not be opened.
    #[error(transparent)]
    Db(#[from] OpenError),
    /// The evidence store could not be opened.
    #[error("cannot open the evidence store: {0}")]
    Store(#[from] object_store::Error),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The demo orgs could not be set up.
    #[error(transparent)]
    Demo(#[from] DemoError),
    /// The lead match key or phone region is unusable.
    #[error(transparent)]
    MatchKey(#[from] crate::evidence::lead::KeyError),
    /// The threads that process captures could not be started.
    #[error("cannot start the capture threads: {0}")]
    Threads(std::io::Error),
    /// The log's key or witnesses are unusable.
    #[error(transparent)]
    Log(#[from] crate::log::SetupError),
}

/// A server bound to its address, ready to serve.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    state: AppState,
    local_addr: SocketAddr,
    /// The evidence image renderer for this process's jobs (`None`: `EC_RENDER=off`).
    renderer: Option<crate::render::Renderer>,
}

impl Server {
    /// Opens the database and evidence store, binds the address and prepares the app.
    pub async fn build(config: &ServeConfig) -> Result<Self, StartupError> {
        let data = &config.data;
        data.ensure_data_dir()
            .map_err(|source| StartupError::DataDir {
                path: data.data_dir.display().to_string(),
                source,
            })?;
        let db = Db::open(&data.database_url()).await?;
        let store = EvidenceStore::local(&data.evidence_dir())?;
        let listener =
            TcpListener::bind(&config.bind)
                .await
                .map_err(|source| StartupError::Bind {
                    addr: config.bind.clone(),
                    source,
                })?;
        let local_addr = listener.local_addr().map_err(|source| StartupError::Bind {
            addr: config.bind.clone(),
            source,
        })?;
        let public_url = match &config.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{local_addr}"),
        };
        let demo = match config.demo {
            true => Some(Arc::new(
                ensure_demo(&db, &data.demo_credentials_path()).await?,
            )),
            false => None,
        };
        let renderer = config.render.renderer();
        let log = crate::log::LogState::new(&config.log, &public_url, &data.data_dir)?;
        let state = AppState {
            db,
            store,
            public_url: public_url.into(),
            sdk_dir: config.sdk_dir.clone(),
            www_dir: config.www_dir.clone(),
            demo,
            capture_guard: Arc::new(
                CaptureGuard::new(&config.capture).map_err(StartupError::Threads)?,
            ),
            jobs: Arc::new(config.jobs.queue()),
            wakeup: Wakeup::default(),
            outbound: config.net_policy(),
            render: renderer.is_some(),
            matcher: Arc::new(config.leads.matcher(&data.data_dir)?),
            log,
        };
        Ok(Self {
            listener,
            state,
            local_addr,
            renderer,
        })
    }

    /// The bound address (with port 0 resolved).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The base of the URLs the server hands out.
    pub fn public_url(&self) -> &str {
        &self.state.public_url
    }

    /// The demo orgs, when started with `--demo`.
    pub fn demo(&self) -> Option<&DemoCredentials> {
        self.state.demo.as_deref()
    }

    /// The shared state, e.g. for tests that inspect the database.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let db = self.state.db.clone();
        let context = Arc::new(JobContext {
            db: db.clone(),
            store: self.state.store.clone(),
            jobs: self.state.jobs.clone(),
            wakeup: self.state.wakeup.clone(),
            poster: Poster::new(self.state.outbound).map_err(std::io::Error::other)?,
            fetcher: SafeClient::new(self.state.outbound).map_err(std::io::Error::other)?,
            renderer: self.renderer.clone(),
            log_verifier_key: self.state.log.keys.verifier_key().into(),
        });
        let mut workers = worker::start(
            db.clone(),
            (*self.state.jobs).clone(),
            handlers(context),
            self.state.wakeup.clone(),
        );
        let sequencer = crate::log::sequencer::start(
            db.clone(),
            self.state.store.clone(),
            self.state.log.clone(),
            self.state.wakeup.clone(),
        );
        let service = app(self.state).into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await;
        // A job cut short here is not lost: its lease expires and a worker takes it again.
        workers.abort_all();
        sequencer.stop().await;
        while workers.join_next().await.is_some() {}
        served?;
        db.close().await;
        Ok(())
    }
}
