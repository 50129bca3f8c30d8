//! The OpenAPI document of the API, generated from the code.
//!
//! Each handler carries its `#[utoipa::path]` (method, path, parameters, bodies and every
//! error it can answer); the route modules register handlers through `utoipa_axum`, which
//! takes the route's path from that same attribute, so the router and the document cannot
//! drift apart. This module adds what is common: title, version, the `X-API-Key` security
//! scheme, the error schemas and the tags.

use expressconsent_protocol::{ErrorBody, ErrorCode, Failure};
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::link::Link;
use utoipa::openapi::path::{Operation, Parameter, ParameterIn, ParameterStyle};
use utoipa::openapi::schema::{ArrayItems, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::server::Server;
use utoipa::openapi::{OpenApi, RefOr, Required};
use utoipa::Modify;

use crate::evidence::ingest::MAX_KEY_CHARS;

/// The top of the document; the paths are merged in by [`crate::http::app`].
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "ExpressConsent API",
        description = "Consent evidence (CDRs) for lead generators and lead buyers. Every JSON \
            response is an envelope: `{ ok: true, data, requestId }` or `{ ok: false, error: \
            { code, message, requestId } }`; each error code has one HTTP status.",
    ),
    modifiers(&ApiKeyScheme),
    components(schemas(Failure, ErrorBody, ErrorCode)),
    tags(
        (name = "captures", description = "Uploads from the browser SDK."),
        (name = "sharing", description = "Share links, claims and collecting (who pays)."),
        (name = "cdrs", description = "Reading CDRs."),
        (name = "evidence", description = "Downloading evidence: needs paid or free access."),
        (name = "billing", description = "The billing ledger."),
        (name = "org", description = "Settings and domains."),
        (name = "meta", description = "This document."),
    )
)]
pub struct ApiDoc;

/// Declares the `apiKey` scheme the paths refer to.
struct ApiKeyScheme;

impl Modify for ApiKeyScheme {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "apiKey",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-API-Key",
                "`<keyId>.<secret>` as printed by `expressconsent-server org create` or \
                 `key create`",
            ))),
        );
    }
}

/// Finishes the generated document: the version of this build, the server's base URL,
/// and what the derive macros cannot say (see [`no_null_bodies`], [`links`],
/// [`sub_group_id_items`]).
pub fn finish(mut doc: OpenApi, public_url: &str) -> OpenApi {
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc.servers = Some(vec![Server::new(public_url)]);
    no_null_bodies(&mut doc);
    links(&mut doc);
    sub_group_id_items(&mut doc);
    path_parameter_limits(&mut doc);
    metadata_filter_pairs(&mut doc);
    doc
}

/// Every operation of the document, mutable.
fn operations(doc: &mut OpenApi) -> impl Iterator<Item = &mut Operation> {
    doc.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .filter_map(Option::as_mut)
    })
}

/// An optional body (`Option<T>` in `request_body`) comes out of utoipa as "`T` or
/// `null`", but the server takes an optional body as *absent* (no bytes) and refuses a
/// `null` (every body is a JSON object, see [`crate::http::body::parse_json`]). The body stays
/// optional (`required: false`); only `null` is no longer offered.
fn no_null_bodies(doc: &mut OpenApi) {
    for operation in operations(doc) {
        let Some(body) = operation.request_body.as_mut() else {
            continue;
        };
        for content in body.content.values_mut() {
            let Some(RefOr::T(Schema::OneOf(one_of))) = content.schema.as_ref() else {
                continue;
            };
            let mut not_null = one_of.items.iter().filter(|item| !is_null(item));
            if let (Some(only), None) = (not_null.next(), not_null.next()) {
                content.schema = Some(only.clone());
            }
        }
    }
}

fn is_null(schema: &RefOr<Schema>) -> bool {
    matches!(schema, RefOr::T(Schema::Object(object))
        if object.schema_type == SchemaType::Type(Type::Null))
}

/// OpenAPI links from each answer to the calls it enables, so that a client (and
/// Schemathesis' stateful phase) can chain capture → share → claim → read: (from method,
/// from path, link name, to method, to path, parameter, runtime expression).
#[rustfmt::skip]
const LINKS: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
    ("post", "/v1/captures", "ShareTheCdr", "post", "/v1/cdrs/{cdrId}/share", "cdrId", "$response.body#/data/cdrId"),
    ("post", "/v1/captures", "ReadTheCdr", "get", "/v1/cdrs/{cdrId}", "cdrId", "$response.body#/data/cdrId"),
    ("post", "/v1/captures", "ClaimTheAutoShare", "post", "/v1/shares/{token}", "token", "$response.body#/data/shareToken"),
    ("post", "/v1/cdrs/{cdrId}/share", "ClaimTheShare", "post", "/v1/shares/{token}", "token", "$response.body#/data/shareToken"),
    ("post", "/v1/shares/{token}", "ReadTheClaimedCdr", "get", "/v1/cdrs/{cdrId}", "cdrId", "$response.body#/data/cdrId"),
    ("post", "/v1/shares/{token}", "CollectTheClaimedCdr", "post", "/v1/cdrs/{cdrId}/collect", "cdrId", "$response.body#/data/cdrId"),
    // The ledger names CDRs the org paid for, so it may share and read them: an entry into
    // the chain for clients (and tools) that start from a list rather than a capture.
    ("get", "/v1/billing/events", "ShareABilledCdr", "post", "/v1/cdrs/{cdrId}/share", "cdrId", "$response.body#/data/events/0/cdrId"),
    ("get", "/v1/billing/events", "ReadABilledCdr", "get", "/v1/cdrs/{cdrId}", "cdrId", "$response.body#/data/events/0/cdrId"),
];

fn operation<'a>(doc: &'a mut OpenApi, method: &str, path: &str) -> Option<&'a mut Operation> {
    let item = doc.paths.paths.get_mut(path)?;
    match method {
        "get" => item.get.as_mut(),
        "post" => item.post.as_mut(),
        "patch" => item.patch.as_mut(),
        _ => None,
    }
}

/// Adds [`LINKS`] to the 200 answers; a link whose operations are missing is a bug of
/// this table, caught by the document's tests.
fn links(doc: &mut OpenApi) {
    for &(from_method, from_path, name, to_method, to_path, parameter, expression) in LINKS {
        let Some(target) = operation(doc, to_method, to_path).and_then(|o| o.operation_id.clone())
        else {
            continue;
        };
        let Some(from) = operation(doc, from_method, from_path) else {
            continue;
        };
        let Some(RefOr::T(ok)) = from.responses.responses.get_mut("200") else {
            continue;
        };
        // utoipa 5.5 serializes `Link::operation_id` as `operation_id`, which no OpenAPI
        // tool reads; the flattened extensions map puts the spec's `operationId` instead.
        let mut spelled = Extensions::default();
        spelled.insert("operationId".to_owned(), target.into());
        let link = Link::builder()
            .parameter(parameter, expression)
            .extensions(Some(spelled))
            .build();
        ok.links.insert(name.to_owned(), RefOr::T(link));
    }
}

/// `subGroupIds`: the derive can bound the list (`maxItems`) but not its items, which
/// [`expressconsent_protocol::SubGroupIds`] wants unique and not blank.
fn sub_group_id_items(doc: &mut OpenApi) {
    let Some(RefOr::T(Schema::Object(capture))) = doc
        .components
        .as_mut()
        .and_then(|c| c.schemas.get_mut("CaptureRequest"))
    else {
        return;
    };
    let Some(RefOr::T(Schema::Array(list))) = capture.properties.get_mut("subGroupIds") else {
        return;
    };
    list.unique_items = true;
    if let ArrayItems::RefOrSchema(item) = &mut list.items {
        if let RefOr::T(Schema::Object(item)) = item.as_mut() {
            item.min_length = Some(1);
            item.pattern = Some(NOT_BLANK.to_owned());
        }
    }
}

/// What the server accepts in each path parameter, wherever it appears: (name, min
/// length, max length, pattern). A value outside these names nothing the server could
/// hold and is answered `NOT_FOUND` (a `domainId` that is not a host: `INVALID_ARGUMENT`).
const PATH_PARAMETERS: &[(&str, usize, usize, &str)] = &[
    // `ids::new_id(IdKind::Cdr)`: the prefix and 24 lowercase base32 characters.
    ("cdrId", 28, 28, "^cdr_[a-z2-7]{24}$"),
    // `links::is_plausible_token`.
    ("token", 32, 128, "^[A-Za-z0-9_-]{32,128}$"),
    // `ingest::MAX_KEY_CHARS`, like the capture's `packageId`.
    ("packageId", 1, MAX_KEY_CHARS, NOT_BLANK),
    ("domainId", 1, 253, HOST_PATTERN),
];

/// A host as `Host::parse` takes it: dot-separated labels of 1–63 letters, digits or
/// inner hyphens, or an IPv6 address in brackets; surrounding blanks are trimmed.
pub const HOST_PATTERN: &str = r"^[ \t\r\n]*(\[(([0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|([0-9A-Fa-f]{1,4}:){1,7}:|([0-9A-Fa-f]{1,4}:){1,6}:[0-9A-Fa-f]{1,4}|([0-9A-Fa-f]{1,4}:){1,5}(:[0-9A-Fa-f]{1,4}){1,2}|([0-9A-Fa-f]{1,4}:){1,4}(:[0-9A-Fa-f]{1,4}){1,3}|([0-9A-Fa-f]{1,4}:){1,3}(:[0-9A-Fa-f]{1,4}){1,4}|([0-9A-Fa-f]{1,4}:){1,2}(:[0-9A-Fa-f]{1,4}){1,5}|[0-9A-Fa-f]{1,4}:(:[0-9A-Fa-f]{1,4}){1,6}|:((:[0-9A-Fa-f]{1,4}){1,7}|:))\]|[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)[ \t\r\n]*$";

/// Puts [`PATH_PARAMETERS`] on every path parameter of that name.
fn path_parameter_limits(doc: &mut OpenApi) {
    for operation in operations(doc) {
        for parameter in operation.parameters.iter_mut().flatten() {
            if parameter.parameter_in != ParameterIn::Path {
                continue;
            }
            let limits = PATH_PARAMETERS
                .iter()
                .find(|(name, ..)| *name == parameter.name);
            let Some(&(_, min, max, pattern)) = limits else {
                continue;
            };
            if let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut() {
                schema.min_length = Some(min);
                schema.max_length = Some(max);
                schema.pattern = Some(pattern.to_owned());
            }
        }
    }
}

/// `metadataKey` and `metadataValue` go together (both or neither), which two separate
/// parameters cannot say. OpenAPI can: one optional query parameter whose value is an
/// object with both properties required, serialized `form` + `explode` — exactly
/// `?metadataKey=…&metadataValue=…` on the wire. Each operation with the pair gets it.
fn metadata_filter_pairs(doc: &mut OpenApi) {
    for operation in operations(doc) {
        let Some(parameters) = operation.parameters.as_mut() else {
            continue;
        };
        let mut take = |name: &str| {
            let at = parameters
                .iter()
                .position(|p| p.name == name && p.parameter_in == ParameterIn::Query)?;
            Some(parameters.remove(at))
        };
        let (Some(key), Some(value)) = (take("metadataKey"), take("metadataValue")) else {
            continue;
        };
        let schema_of = |p: &Parameter| {
            p.schema
                .clone()
                .unwrap_or_else(|| RefOr::T(Schema::default()))
        };
        let pair = ObjectBuilder::new()
            .property("metadataKey", schema_of(&key))
            .property("metadataValue", schema_of(&value))
            .required("metadataKey")
            .required("metadataValue");
        let description = format!(
            "`metadataKey`: {} `metadataValue`: {} Give both or neither.",
            key.description.unwrap_or_default(),
            value.description.unwrap_or_default()
        );
        let parameter = Parameter::builder()
            .name("metadata")
            .parameter_in(ParameterIn::Query)
            .required(Required::False)
            .style(Some(ParameterStyle::Form))
            .explode(Some(true))
            .description(Some(description))
            .schema(Some(pair))
            .build();
        parameters.push(parameter);
    }
}

/// A string with at least one character that is not white space (as Rust's
/// `str::trim` sees it), in a regex that ECMA-262 and Python read alike.
pub const NOT_BLANK: &str =
    r"[^\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";
