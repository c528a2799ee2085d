//! The ids routes carry in their path that several functions read alike: each through its
//! constructor, and a malformed one answers the same 404 as an unknown one.

use lambda_http::Request;
use shop_domain::{DomainError, solar::PlantId};

use super::http;

/// The plant of `/v1/plants/{id}/..`: another owner's, an unknown and a malformed id all
/// answer `404 plant_not_found`.
pub fn plant_id(req: &Request) -> Result<PlantId, DomainError> {
    http::path_id(req, "id", PlantId::parse, || {
        DomainError::not_found("plant_not_found", "There is no such plant of yours.")
    })
}
