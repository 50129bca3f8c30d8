//! Requests the tests send again and again, and what they read back from the database.

use expressconsent_server::orgs::ids::{new_id, IdKind};
use reqwest::{Method, Response};
use serde_json::{json, Value};

use super::{auto_share_body, ok_data, TestApp};

impl TestApp {
    /// Sends `method path` with an optional `X-API-Key` and an optional JSON body.
    pub async fn call(
        &self,
        method: Method,
        api_key: Option<&str>,
        path: &str,
        body: Option<Value>,
    ) -> Response {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(key) = api_key {
            request = request.header("x-api-key", key);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request sent")
    }

    /// `GET path` with a key.
    pub async fn get(&self, api_key: &str, path: &str) -> Response {
        self.call(Method::GET, Some(api_key), path, None).await
    }

    /// `GET path` with a key; asserts success and returns `data`.
    pub async fn get_data(&self, api_key: &str, path: &str) -> Value {
        ok_data(self.get(api_key, path).await).await
    }

    /// `POST path` with a key and an optional JSON body.
    pub async fn post(&self, api_key: &str, path: &str, body: Option<Value>) -> Response {
        self.call(Method::POST, Some(api_key), path, body).await
    }

    /// Captures a new CDR for `cid` with a share link; returns (cdrId, shareUrl).
    pub async fn shared_capture(&self, cid: &str) -> (String, String) {
        let body = auto_share_body(&new_id(IdKind::Request), None);
        let data = self.captured(cid, &body).await;
        (
            data["cdrId"].as_str().expect("cdrId").to_owned(),
            data["shareUrl"].as_str().expect("shareUrl").to_owned(),
        )
    }

    /// `POST /v1/cdrs/{cdrId}/share` with a key.
    pub async fn mint(&self, api_key: &str, cdr_id: &str) -> Response {
        let body = Some(json!({ "expiresInMs": 60_000 }));
        self.post(api_key, &format!("/v1/cdrs/{cdr_id}/share"), body)
            .await
    }

    /// Mints a share link and returns its URL.
    pub async fn minted_url(&self, api_key: &str, cdr_id: &str) -> String {
        let data = ok_data(self.mint(api_key, cdr_id).await).await;
        data["shareUrl"].as_str().expect("shareUrl").to_owned()
    }

    /// Claims a share link and returns `data`.
    pub async fn claimed(&self, api_key: &str, share_url: &str, body: Option<Value>) -> Value {
        ok_data(self.claim(api_key, share_url, body).await).await
    }

    /// `POST /v1/cdrs/{cdrId}/collect` with a key.
    pub async fn collect(&self, api_key: &str, cdr_id: &str) -> Response {
        self.post(api_key, &format!("/v1/cdrs/{cdr_id}/collect"), None)
            .await
    }

    /// Billing events of one org.
    pub async fn billed(&self, org_id: &str) -> i64 {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM billing_events WHERE org_id = $1")
            .bind(org_id)
            .fetch_one(self.db.pool())
            .await
            .expect("count")
    }

    /// Billing events of one org for one CDR.
    pub async fn billed_for(&self, org_id: &str, cdr_id: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM billing_events WHERE org_id = $1 AND cdr_id = $2",
        )
        .bind(org_id)
        .bind(cdr_id)
        .fetch_one(self.db.pool())
        .await
        .expect("count")
    }

    /// The org's stored relation to the CDR, if any.
    pub async fn relation(&self, org_id: &str, cdr_id: &str) -> Option<String> {
        sqlx::query_scalar::<_, String>(
            "SELECT relation FROM cdr_access WHERE org_id = $1 AND cdr_id = $2",
        )
        .bind(org_id)
        .bind(cdr_id)
        .fetch_optional(self.db.pool())
        .await
        .expect("relation")
    }
}
