//! Billing is never duplicated under concurrency: the database's constraints and
//! transactions decide, so it holds for one process and for several sharing a database.

use serde_json::{json, Value};

use crate::helpers::{ok_data, TestApp};

const CALLS: usize = 50;

/// Sends all requests at once and returns every answer's `data`.
async fn all_at_once(requests: Vec<reqwest::RequestBuilder>) -> Vec<Value> {
    // Spawned first, awaited after: all requests are in flight together.
    let sent: Vec<_> = requests
        .into_iter()
        .map(|request| tokio::spawn(request.send()))
        .collect();
    let mut data = Vec::new();
    for response in sent {
        data.push(ok_data(response.await.expect("task").expect("response")).await);
    }
    data
}

fn count(data: &[Value], field: &str) -> usize {
    data.iter().filter(|d| d[field] == true).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_simultaneous_claims_of_one_token_by_one_org_bill_it_once() {
    let app = TestApp::start().await;
    let generator = app.generator(false).await;
    let buyer = app.buyer().await;
    let (cdr_id, share_url) = app.shared_capture(&generator.org_id).await;

    let claims = (0..CALLS)
        .map(|_| {
            app.client
                .post(&share_url)
                .header("x-api-key", &buyer.api_key)
        })
        .collect();
    let data = all_at_once(claims).await;

    assert!(data.iter().all(|d| d["access"] == "paid"));
    assert_eq!(count(&data, "alreadyClaimed"), CALLS - 1, "one claim paid");
    assert_eq!(app.billed_for(&buyer.org_id, &cdr_id).await, 1);
    assert_eq!(app.count("share_events").await, CALLS as i64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_simultaneous_collects_bill_once() {
    let app = TestApp::start().await;
    let generator = app.generator(false).await;
    let buyer = app.buyer().await;
    let (cdr_id, share_url) = app.shared_capture(&generator.org_id).await;
    app.claimed(
        &buyer.api_key,
        &share_url,
        Some(json!({ "collect": false })),
    )
    .await;

    let url = format!("{}/v1/cdrs/{cdr_id}/collect", app.base);
    let collects = (0..CALLS)
        .map(|_| app.client.post(&url).header("x-api-key", &buyer.api_key))
        .collect();
    let data = all_at_once(collects).await;

    assert!(data.iter().all(|d| d["access"] == "paid"));
    assert_eq!(count(&data, "billed"), 1);
    assert_eq!(count(&data, "alreadyCollected"), CALLS - 1);
    assert_eq!(app.billed(&buyer.org_id).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paying_and_saving_claims_racing_on_two_server_processes_bill_once_and_end_paid() {
    let first = TestApp::start().await;
    let second = first.another_process().await;
    let generator = first.generator(false).await;
    let buyer = first.buyer().await;
    let (cdr_id, share_url) = first.shared_capture(&generator.org_id).await;
    let second_url = share_url.replace(&first.base, &second.base);

    // Saving claims race paying ones: a `collect:false` decided on a stale read must not
    // turn the buyer's `paid` back into `saved`.
    let requests = (0..CALLS)
        .map(|i| {
            let key = buyer.api_key.as_str();
            match i % 2 {
                0 => first.client.post(&share_url).header("x-api-key", key),
                _ => second
                    .client
                    .post(&second_url)
                    .header("x-api-key", key)
                    .json(&json!({ "collect": false })),
            }
        })
        .collect();
    let data = all_at_once(requests).await;

    assert_eq!(first.billed(&buyer.org_id).await, 1);
    assert_eq!(
        first.relation(&buyer.org_id, &cdr_id).await.as_deref(),
        Some("paid")
    );
    assert_eq!(
        data.iter().filter(|d| d["alreadyClaimed"] == false).count(),
        1,
        "only the claim decided first found no relation; every later one was already claimed"
    );
}
