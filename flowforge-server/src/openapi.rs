//! The OpenAPI 3.1 document, generated from the types that serialize the responses.

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(info(
    title = "FlowForge API",
    description = "Multi-tenant workflow and task management."
))]
struct ApiDoc;

/// The document served at `/api/schema/`.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
