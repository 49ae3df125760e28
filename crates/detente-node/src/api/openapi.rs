//! The OpenAPI 3.1 document of the officer API, generated from the handlers
//! with `utoipa` and served at `/api/v1/openapi.json`.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::api::{
    agreements, alerts, channels, commitments, drafts, evidence, log, messages, problem, stats,
    views,
};
use crate::compose;

/// The officer API.
#[derive(Debug, OpenApi)]
#[openapi(
    info(title = "detente officer API", description = "Compose, send, list, show and acknowledge messages; export evidence. Errors are RFC 9457 problem+json."),
    paths(messages::compose, messages::list, messages::show, messages::acknowledge, log::status,
        evidence::thread, evidence::exchange, evidence::guarantee, evidence::pledge, stats::stats,
        commitments::propose_guarantee, commitments::sign_guarantee, commitments::withdraw_guarantee,
        commitments::list_guarantees, commitments::show_guarantee, commitments::create_pledge,
        commitments::sign_pledge, commitments::withdraw_pledge, commitments::list_pledges, commitments::show_pledge, agreements::propose, agreements::sign,
        agreements::list, agreements::show, channels::list,
        drafts::list, drafts::create, drafts::show, drafts::send, drafts::discard,
        alerts::list, alerts::show, alerts::acknowledge),
    components(schemas(
        compose::ComposeRequest, compose::Address, messages::AckRequest, messages::MessageList,
        views::MessageView, views::MessageDetail, views::EndpointView, views::DeliveryView,
        views::ReceiptView, views::LoggedAtView, views::AcknowledgementView, problem::Problem,
        agreements::AgreementView, agreements::ProposeRequest, agreements::SignRequest,
        agreements::AgreementList, channels::ChannelList, channels::ChannelView,
        channels::SuspensionView, commitments::GuaranteeView, commitments::PledgeView,
        commitments::StepView, commitments::SignatoryView, commitments::ProposeGuarantee,
        commitments::CreatePledge, commitments::SignStep, commitments::WithdrawStep,
        commitments::GuaranteeList, commitments::PledgeList, log::LogStatus, log::CosignatureView, log::WitnessedLogView, log::AlarmView, crate::health::ExpiringCard, log::HeldView,
        drafts::DraftList, crate::taxii::drafts::DraftView, crate::taxii::drafts::NewDraftRequest, crate::taxii::drafts::SendDraft,
        alerts::AlertList, alerts::AlertView, alerts::NoticeView, alerts::AlertAcknowledged
    )),
    modifiers(&BearerAuth),
    tags((name = "messages", description = "Messages between parties"),
         (name = "log", description = "This node's transparency log, its witnesses and alarms"),
         (name = "evidence", description = "Evidence bundles anyone can verify offline with `detente verify`"),
         (name = "agreements", description = "Co-signed agreements: the rules of a channel"),
         (name = "commitments", description = "Guarantees and pledges, with their status at any time"),
         (name = "drafts", description = "Draft notifications from SOC tools (TAXII) for an officer to send or discard"),
         (name = "alerts", description = "Alerts that must reach a person, their on-call notices and their acknowledgement"))
)]
pub struct ApiDoc;

#[derive(Debug)]
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
