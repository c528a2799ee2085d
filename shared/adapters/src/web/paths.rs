//! The ids routes carry in their path that several functions read alike: each through its
//! constructor, and a malformed one answers the same 404 as an unknown one, so ids cannot be
//! probed by their form.

use lambda_http::Request;
use shop_domain::{DomainError, id::SubscriptionId, solar::PlantId};

use super::http;

/// The plant of `/v1/plants/{id}/..`: another owner's, an unknown and a malformed id all
/// answer `404 plant_not_found`.
pub fn plant_id(req: &Request) -> Result<PlantId, DomainError> {
    http::path_id(req, "id", PlantId::parse, no_such_plant)
}

/// [`plant_id`] of a raw `{id}`, for a route that reads it only on some methods.
pub fn parse_plant_id(raw: &str) -> Result<PlantId, DomainError> {
    PlantId::parse(raw).map_err(|_| no_such_plant())
}

fn no_such_plant() -> DomainError {
    DomainError::not_found("plant_not_found", "There is no such plant of yours.")
}

/// The license of `/v1/subscriptions/{id}/..`: `404 subscription_not_found` alike.
pub fn subscription_id(req: &Request) -> Result<SubscriptionId, DomainError> {
    http::path_id(req, "id", SubscriptionId::parse, || {
        DomainError::not_found("subscription_not_found", "No such license.")
    })
}
