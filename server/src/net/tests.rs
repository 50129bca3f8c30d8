//! The client against real local HTTP servers: names resolved to loopback, redirects
//! checked hop by hop, the byte cap and the time limit.

use std::time::Duration;

use axum::body::Body;
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use reqwest::header::{HeaderMap, HeaderValue};

use super::*;

const LIMITS: FetchLimits = FetchLimits {
    max_bytes: 1024,
    timeout: Duration::from_secs(10),
};

const ALLOW: NetPolicy = NetPolicy {
    allow_private_networks: true,
};

/// Serves `app` on 127.0.0.1 and returns its base URL.
async fn serve(app: Router) -> Url {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    Url::parse(&format!("http://{addr}/")).unwrap()
}

fn redirect(to: String) -> impl IntoResponse {
    (StatusCode::FOUND, [(LOCATION, to)])
}

async fn test_server() -> Url {
    let app = Router::new()
        .route(
            "/ok",
            get(|| async { ([(CONTENT_TYPE, "text/plain")], "hello") }),
        )
        .route("/to-ok", get(|| async { redirect("/ok".into()) }))
        .route(
            "/to-metadata",
            get(|| async { redirect("http://169.254.169.254/latest/".into()) }),
        )
        .route(
            "/to-unspecified",
            get(|| async { redirect("http://0.0.0.0/".into()) }),
        )
        .route(
            "/to-ftp",
            get(|| async { redirect("ftp://example.com/x".into()) }),
        )
        .route("/loop", get(|| async { redirect("/loop".into()) }))
        .route("/missing", get(|| async { StatusCode::NOT_FOUND }))
        .route("/big-declared", get(|| async { vec![b'x'; 2048] }))
        .route(
            // Chunked, no Content-Length: only the streaming cap stops it.
            "/big-streamed",
            get(|| async {
                let chunks = (0..64).map(|_| Ok::<_, std::io::Error>(vec![b'y'; 100]));
                Body::from_stream(futures_util::stream::iter(chunks))
            }),
        )
        .route("/never", get(std::future::pending::<&'static str>))
        .route(
            "/hook",
            post(|headers: axum::http::HeaderMap, body: String| async move {
                let signature = headers["webhook-signature"].to_str().unwrap().to_owned();
                (StatusCode::GONE, format!("{signature} {body}"))
            }),
        );
    serve(app).await
}

#[tokio::test]
async fn a_name_that_resolves_to_loopback_is_refused_unless_private_networks_are_allowed() {
    let base = test_server().await;
    let by_name = Url::parse(&format!("http://localhost:{}/ok", base.port().unwrap())).unwrap();

    let refused = SafeClient::new(NetPolicy::default())
        .unwrap()
        .get(&by_name, &LIMITS)
        .await;
    match refused {
        Err(NetError::PrivateAddress { host }) => assert_eq!(host, "localhost"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let by_ip = base.join("ok").unwrap();
    let refused = SafeClient::new(NetPolicy::default())
        .unwrap()
        .get(&by_ip, &LIMITS)
        .await;
    assert!(
        matches!(refused, Err(NetError::PrivateAddress { .. })),
        "{refused:?}"
    );

    let fetched = SafeClient::new(ALLOW)
        .unwrap()
        .get(&by_name, &LIMITS)
        .await
        .unwrap();
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.body, "hello");
    assert_eq!(fetched.content_type.as_deref(), Some("text/plain"));
}

#[tokio::test]
async fn every_redirect_hop_is_checked_again_and_their_number_is_bounded() {
    let base = test_server().await;
    let client = SafeClient::new(ALLOW).unwrap();
    let get = |path: &str| {
        let url = base.join(path).unwrap();
        let client = client.clone();
        async move { client.get(&url, &LIMITS).await }
    };

    let followed = get("to-ok").await.unwrap();
    assert_eq!(followed.final_url, base.join("ok").unwrap());
    assert_eq!(followed.body, "hello");

    // Even with private networks allowed, a redirect may not lead to a reserved address
    // or another scheme.
    assert!(matches!(
        get("to-unspecified").await,
        Err(NetError::PrivateAddress { .. })
    ));
    assert!(matches!(get("to-ftp").await, Err(NetError::Scheme(s)) if s == "ftp"));
    assert!(matches!(get("loop").await, Err(NetError::TooManyRedirects)));
    assert!(matches!(get("missing").await, Err(NetError::Status(404))));

    let refusing = SafeClient::new(NetPolicy::default()).unwrap();
    let to_metadata = base.join("to-metadata").unwrap();
    // The first hop is itself refused here (loopback), so check the second by hand.
    assert!(refusing
        .get(&to_metadata, &LIMITS)
        .await
        .unwrap_err()
        .is_refused());
    let metadata = Url::parse("http://169.254.169.254/latest/").unwrap();
    assert!(matches!(
        check_url(&metadata, NetPolicy::default()),
        Err(NetError::PrivateAddress { .. })
    ));
}

#[tokio::test]
async fn a_body_over_the_cap_fails_whether_or_not_its_length_was_declared() {
    let base = test_server().await;
    let client = SafeClient::new(ALLOW).unwrap();
    for path in ["big-declared", "big-streamed"] {
        let result = client.get(&base.join(path).unwrap(), &LIMITS).await;
        assert!(
            matches!(result, Err(NetError::TooLarge { limit: 1024 })),
            "{path}: {result:?}"
        );
    }
    let roomy = FetchLimits {
        max_bytes: 6400,
        ..LIMITS
    };
    let whole = client
        .get(&base.join("big-streamed").unwrap(), &roomy)
        .await
        .unwrap();
    assert_eq!(whole.body.len(), 6400);
}

#[tokio::test]
async fn a_server_that_never_answers_is_given_up_on_at_the_time_limit() {
    let base = test_server().await;
    let client = SafeClient::new(ALLOW).unwrap();
    let short = FetchLimits {
        timeout: Duration::from_millis(200),
        ..LIMITS
    };
    let result = client.get(&base.join("never").unwrap(), &short).await;
    assert!(matches!(result, Err(NetError::Timeout(_))), "{result:?}");
    assert_eq!(
        result.unwrap_err().to_string(),
        "no complete response within 200 ms"
    );
}

#[tokio::test]
async fn post_json_sends_the_headers_and_returns_any_status_to_the_caller() {
    let base = test_server().await;
    let mut headers = HeaderMap::new();
    headers.insert("webhook-signature", HeaderValue::from_static("v1,abc"));
    let hook = base.join("hook").unwrap();
    let answer = SafeClient::new(ALLOW)
        .unwrap()
        .post_json(
            &hook,
            headers.clone(),
            Bytes::from_static(b"{\"a\":1}"),
            &LIMITS,
        )
        .await
        .unwrap();
    assert_eq!(answer.status, 410);
    assert_eq!(answer.body, "v1,abc {\"a\":1}");

    let refused = SafeClient::new(NetPolicy::default())
        .unwrap()
        .post_json(&hook, headers, Bytes::new(), &LIMITS)
        .await;
    assert!(matches!(refused, Err(NetError::PrivateAddress { .. })));
}
