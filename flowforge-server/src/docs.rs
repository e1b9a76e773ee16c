//! The OpenAPI document at `/api/schema/` and Swagger UI at `/api/docs/`, both served from
//! memory: the document is generated once at start, the UI's assets are compiled in.

use std::sync::Arc;

use bytes::Bytes;
use hyper::StatusCode;

use crate::reply::{Reply, problem, with_type};

/// The generated document and the UI's configuration.
pub struct Docs {
    schema: Bytes,
    ui: Arc<utoipa_swagger_ui::Config<'static>>,
}

impl Docs {
    /// Generates the document.
    pub fn new() -> Self {
        let schema = crate::openapi::document().to_json().unwrap_or_default();
        Self {
            schema: Bytes::from(schema),
            ui: Arc::new(utoipa_swagger_ui::Config::from("/api/schema/")),
        }
    }

    /// `GET /api/schema/`.
    pub fn schema(&self) -> Reply {
        with_type(
            StatusCode::OK,
            "application/vnd.oai.openapi+json; charset=utf-8",
            self.schema.clone(),
        )
    }

    /// `GET /api/docs/{asset}`: the UI page (for an empty asset) or one of its files.
    pub fn asset(&self, asset: &str, path: &str) -> Reply {
        match utoipa_swagger_ui::serve(asset, Arc::clone(&self.ui)) {
            Ok(Some(file)) => with_type(
                StatusCode::OK,
                &file.content_type,
                Bytes::from(file.bytes.into_owned()),
            ),
            _ => problem(StatusCode::NOT_FOUND, "Not found.", path),
        }
    }
}
