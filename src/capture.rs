//! One `captureCDR` call from options to result, in two halves.
//!
//! [`prepare`] runs synchronously inside the call: it checks the options and reads the page
//! at that instant, so the evidence shows the form as it was when the consumer pressed
//! submit, even if the page changes before the promise settles. [`finish`] uploads. Both
//! count against one `timeoutMs` budget.

#[allow(unused_imports)]
use crate::prelude::*;
use wasm_bindgen::JsValue;

use crate::config::Config;
use crate::deadline::Deadline;
use crate::error::{ErrorCode, SdkError};
use crate::options::CaptureOptions;
use crate::upload::CaptureRequest;
use crate::{consent, fit, page, snapshot, telemetry, trigger, upload};

/// The version the SDK reports in each capture.
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A capture that has been read from the page and waits to be uploaded.
pub struct Prepared {
    config: Config,
    request: CaptureRequest,
    /// `custom`, which travels as the JS value the options made (see [`upload::body`]).
    custom: Option<JsValue>,
    deadline: Deadline,
}

/// Checks the options, then reads the page. Options are checked before `init` is, so a
/// bad call is reported as such however the SDK was set up.
pub fn prepare(options: &JsValue) -> Result<Prepared, SdkError> {
    let options = CaptureOptions::from_js(options)?;
    let deadline = Deadline::start(options.timeout_ms);
    let config = Config::current().ok_or_else(|| {
        SdkError::new(
            ErrorCode::NotInitialized,
            "call init({ cid }) before captureCDR",
        )
    })?;
    let custom = options.custom.clone();
    let request = read_page(options)?;
    deadline.check()?;
    Ok(Prepared {
        config,
        request,
        custom,
        deadline,
    })
}

/// Builds the upload from checked options and the page as it is now, cut to the
/// protocol's limits ([`fit`]). `custom` is left out here and attached to the JSON by the
/// upload. Without a `triggerEvent`, the trigger is
/// the last trusted press of a `data-ec-submit` control, if there was one.
pub fn read_page(options: CaptureOptions) -> Result<CaptureRequest, SdkError> {
    let mut request = CaptureRequest {
        idempotency_key: upload::random_uuid(),
        package_id: upload::package_id(),
        sub_group_ids: options.sub_group_ids.as_slice().to_vec(),
        auto_share: options.auto_share,
        page: page::collect()?,
        snapshot: snapshot::capture()?,
        disclosures: consent::disclosures()?,
        consent_checkboxes: consent::checkboxes()?,
        trigger: match &options.trigger_event {
            Some(event) => Some(trigger::from_event(event)),
            None => trigger::detected(),
        },
        highlight_target: options.highlight_target,
        telemetry: telemetry::collect(),
        sdk_version: SDK_VERSION.to_owned(),
    };
    fit::fit(&mut request);
    Ok(request)
}

/// Uploads a prepared capture within what is left of its budget: a promise of the
/// result as the page receives it.
pub fn finish(prepared: Prepared) -> js_sys::Promise {
    let Prepared {
        config,
        request,
        custom,
        deadline,
    } = prepared;
    upload::send(&config, &request, custom.as_ref(), deadline)
}
