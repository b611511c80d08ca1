//! Every route of the application, with the access it requires, in one table.
//!
//! Routes are added through [`Table::add`], which both mounts the handler behind its access
//! check and records the route; [`specs`] returns that record, which the authorization-matrix
//! test compares with its own expectations — a route added here without its line there fails.

use crate::auth::check_access;
use crate::{AppState, api, assets, pages};
use Access::*;
use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, on};
use cratb_domain::Permission::{self, *};

/// What a route requires of the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, anonymous included.
    Public,
    /// Any logged-in user (or valid API token).
    User,
    /// A user whose role holds this permission.
    Perm(Permission),
}

/// One route: method, path pattern, access.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

struct Table {
    router: Router<AppState>,
    specs: Vec<RouteSpec>,
}

impl Table {
    fn add<H, T>(mut self, method: Method, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).expect("standard method");
        let route = on(filter, handler)
            .route_layer(axum::middleware::from_fn_with_state(access, check_access));
        self.router = self.router.route(path, route);
        self.specs.push(RouteSpec {
            method,
            path,
            access,
        });
        self
    }
}

/// Adds routes to a table, one line each: `METHOD "path" access => handler,`.
macro_rules! routes {
    ($t:expr; $($method:ident $path:literal $access:expr => $handler:path,)*) => {
        $t$(.add(Method::$method, $path, $access, $handler))*
    };
}

fn table() -> Table {
    let t = Table {
        router: Router::new(),
        specs: Vec::new(),
    };
    [
        operations,
        sessions,
        accounts,
        places,
        directory,
        network,
        resistance,
        consumption,
        advice_pages,
        advice_api,
        audits_pages,
        audits_api,
        plans_pages,
        plans_api,
    ]
    .into_iter()
    .fold(t, |t, capability| capability(t))
}

/// Operations: health, readiness, static files, the API's description.
fn operations(t: Table) -> Table {
    routes! { t;
        GET "/healthz" Public => pages::health::healthz,
        GET "/readyz" Public => pages::health::readyz,
        GET "/static/{file}" Public => assets::serve,
        GET "/api/openapi.json" Public => api::openapi_json,
        GET "/api/docs" Public => pages::docs::api_docs,
    }
}

/// Signing in and out, the language.
fn sessions(t: Table) -> Table {
    routes! { t;
        GET "/login" Public => pages::login::form,
        POST "/login" Public => pages::login::submit,
        POST "/logout" User => pages::login::logout,
        GET "/lang/{code}" Public => pages::login::switch_lang,
        GET "/login/mfa" Public => pages::mfa::login_form,
        POST "/login/mfa" Public => pages::mfa::login_submit,
        GET "/password/forgot" Public => pages::password::forgot_form,
        POST "/password/forgot" Public => pages::password::forgot,
        GET "/password/reset/{token}" Public => pages::password::reset_form,
        POST "/password/reset/{token}" Public => pages::password::reset,
    }
}

/// The home page, accounts, the audit log, one's own account.
fn accounts(t: Table) -> Table {
    routes! { t;
        GET "/" User => pages::home::home,
        GET "/users" Perm(ViewUsers) => pages::users::list,
        GET "/users/new" Perm(ManageUsers) => pages::users::new_form,
        POST "/users" Perm(ManageUsers) => pages::users::create,
        POST "/users/{id}/active" Perm(ManageUsers) => pages::users::set_active,
        GET "/users/{id}/edit" Perm(ManageUsers) => pages::users::edit_form,
        POST "/users/{id}" Perm(ManageUsers) => pages::users::update,
        POST "/users/{id}/reset-link" Perm(ManageUsers) => pages::users::reset_link,
        POST "/users/{id}/sessions/end" Perm(ManageUsers) => pages::users::end_sessions,
        GET "/audit" Perm(ViewAudit) => pages::audit::list,
        GET "/audit.csv" Perm(ViewAudit) => pages::audit::csv,
        GET "/account" User => pages::account::show,
        POST "/account/password" User => pages::account::change_password,
        POST "/account/logout-everywhere" User => pages::account::logout_everywhere,
        POST "/account/tokens" User => pages::account::create_token,
        POST "/account/tokens/{id}/revoke" User => pages::account::revoke_token,
        GET "/account/mfa" User => pages::mfa::show,
        POST "/account/mfa/start" User => pages::mfa::start,
        POST "/account/mfa/confirm" User => pages::mfa::confirm,
        POST "/account/mfa/disable" User => pages::mfa::disable,
        POST "/account/mfa/recovery-codes" User => pages::mfa::regenerate,
        POST "/users/{id}/mfa/reset" Perm(ManageUsers) => pages::mfa::reset,
        POST "/users/mfa-policy" Perm(ManageUsers) => pages::mfa::region_policy,
        GET "/api/v1/me" User => api::me,
        GET "/api/v1/users" Perm(ViewUsers) => api::list_users,
        POST "/api/v1/users" Perm(ManageUsers) => api::create_user,
        GET "/api/v1/users/{id}" Perm(ViewUsers) => api::get_user,
        PATCH "/api/v1/users/{id}" Perm(ManageUsers) => api::update_user,
        GET "/api/v1/audit" Perm(ViewAudit) => api::audit,
    }
}

/// Establishments, territories and the country's regions and departments.
fn places(t: Table) -> Table {
    routes! { t;
        GET "/establishments" Perm(ViewEstablishments) => pages::establishments::list,
        GET "/establishments/new" Perm(EditEstablishments) => pages::establishments::new_form,
        POST "/establishments" Perm(EditEstablishments) => pages::establishments::create,
        GET "/establishments/{id}" Perm(ViewEstablishments) => pages::establishments::show,
        GET "/establishments/{id}/edit" Perm(EditEstablishments) => pages::establishments::edit_form,
        POST "/establishments/{id}" Perm(EditEstablishments) => pages::establishments::update,
        GET "/territories" Perm(ViewEstablishments) => pages::territories::list,
        POST "/territories" Perm(EditEstablishments) => pages::territories::create,
        GET "/api/v1/regions" User => api::regions,
        GET "/api/v1/departments" User => api::departments,
        GET "/api/v1/territories" Perm(ViewEstablishments) => api::territories,
        POST "/api/v1/territories" Perm(EditEstablishments) => api::create_territory,
        GET "/api/v1/establishments" Perm(ViewEstablishments) => api::list_establishments,
        POST "/api/v1/establishments" Perm(EditEstablishments) => api::create_establishment,
        GET "/api/v1/establishments/{id}" Perm(ViewEstablishments) => api::get_establishment,
        PUT "/api/v1/establishments/{id}" Perm(EditEstablishments) => api::update_establishment,
    }
}

/// The directory of professionals, its import, its confirmation campaign, FHIR.
fn directory(t: Table) -> Table {
    routes! { t;
        GET "/directory" Perm(ViewDirectory) => pages::directory::list,
        GET "/directory/campaign" Perm(EditDirectory) => pages::directory_campaign::page,
        POST "/directory/campaign" Perm(EditDirectory) => pages::directory_campaign::start,
        POST "/directory/pending/{id}/approve" Perm(EditDirectory) => pages::directory_campaign::approve,
        POST "/directory/pending/{id}/reject" Perm(EditDirectory) => pages::directory_campaign::reject,
        GET "/confirm/{token}" Public => pages::directory_campaign::open,
        POST "/confirm/{token}" Public => pages::directory_campaign::answer,
        GET "/directory/import" Perm(EditDirectory) => pages::directory_import::form,
        POST "/directory/import" Perm(EditDirectory) => pages::directory_import::upload,
        GET "/directory/import/{id}" Perm(EditDirectory) => pages::directory_import::preview,
        POST "/directory/import/{id}" Perm(EditDirectory) => pages::directory_import::commit,
        GET "/directory/export/{format}" Perm(ViewDirectory) => pages::directory::export,
        GET "/directory/new" Perm(EditDirectory) => pages::directory::new_form,
        POST "/directory" Perm(EditDirectory) => pages::directory::create,
        GET "/directory/{id}" Perm(ViewDirectory) => pages::directory::show,
        GET "/directory/{id}/edit" Perm(EditDirectory) => pages::directory::edit_form,
        POST "/directory/{id}" Perm(EditDirectory) => pages::directory::update,
        POST "/directory/{id}/restore/{version}" Perm(EditDirectory) => pages::directory::restore,
        POST "/directory/{id}/confirm" Perm(EditDirectory) => pages::directory::confirm,
        GET "/api/v1/professionals" Perm(ViewDirectory) => api::directory::list,
        POST "/api/v1/professionals" Perm(EditDirectory) => api::directory::create,
        GET "/api/v1/professionals/{id}" Perm(ViewDirectory) => api::directory::get,
        PUT "/api/v1/professionals/{id}" Perm(EditDirectory) => api::directory::update,
        GET "/api/v1/fhir" Perm(ViewDirectory) => api::fhir::export,
        GET "/api/v1/fhir/{type}" Perm(ViewDirectory) => api::fhir::search,
    }
}

/// The stewardship network: teams, conventions, coverage, the public lookup.
fn network(t: Table) -> Table {
    routes! { t;
        GET "/network" Perm(ViewDirectory) => pages::network::home,
        GET "/network/teams" Perm(ViewDirectory) => pages::network::teams::list,
        GET "/network/teams/new" Perm(EditDirectory) => pages::network::teams::new_form,
        POST "/network/teams" Perm(EditDirectory) => pages::network::teams::create,
        GET "/network/teams/{id}" Perm(ViewDirectory) => pages::network::teams::show,
        GET "/network/teams/{id}/edit" Perm(EditTeam) => pages::network::teams::edit_form,
        POST "/network/teams/{id}" Perm(EditTeam) => pages::network::teams::update,
        POST "/network/teams/{id}/members" Perm(EditTeam) => pages::network::teams::add_member,
        POST "/network/teams/{id}/members/{member}/remove" Perm(EditTeam) => pages::network::teams::remove_member,
        GET "/network/conventions" Perm(ViewDirectory) => pages::network::conventions::list,
        POST "/network/conventions/reminders" Perm(EditDirectory) => pages::network::conventions::remind,
        GET "/network/conventions/new" Perm(EditDirectory) => pages::network::conventions::new_form,
        POST "/network/conventions" Perm(EditDirectory) => pages::network::conventions::create,
        GET "/network/conventions/{id}" Perm(ViewDirectory) => pages::network::conventions::show,
        GET "/network/conventions/{id}/edit" Perm(EditDirectory) => pages::network::conventions::edit_form,
        POST "/network/conventions/{id}" Perm(EditDirectory) => pages::network::conventions::update,
        GET "/network/conventions/{id}/document" Perm(ViewDirectory) => pages::network::conventions::document,
        GET "/network/coverage" Perm(ViewDirectory) => pages::network::coverage::page,
        GET "/network/coverage/export/{format}" Perm(ViewDirectory) => pages::network::coverage::export,
        GET "/network/centre" Perm(EditDirectory) => pages::network::public::centre_form,
        POST "/network/centre" Perm(EditDirectory) => pages::network::public::save_centre,
        GET "/public/search" Public => pages::network::public::search,
        GET "/api/v1/ema-teams" Perm(ViewDirectory) => api::network::list_teams,
        POST "/api/v1/ema-teams" Perm(EditDirectory) => api::network::create_team,
        GET "/api/v1/ema-teams/{id}" Perm(ViewDirectory) => api::network::get_team,
        PUT "/api/v1/ema-teams/{id}" Perm(EditTeam) => api::network::update_team,
        GET "/api/v1/conventions" Perm(ViewDirectory) => api::network::list_conventions,
        GET "/api/v1/coverage" Perm(ViewDirectory) => api::network::coverage,
        GET "/api/v1/public/search" Public => api::network::public_search,
    }
}

/// Resistance surveillance: antibiograms, organisms of concern, laboratory files.
fn resistance(t: Table) -> Table {
    routes! { t;
        GET "/resistance" Perm(ViewResistance) => pages::resistance::antibiogram,
        GET "/resistance/export/{format}" Perm(ViewResistance) => pages::resistance::export,
        GET "/resistance/alerts" Perm(ViewResistance) => pages::resistance::alerts,
        GET "/resistance/alerts/export/{format}" Perm(ViewResistance) => pages::resistance::alerts_export,
        GET "/resistance/settings" Perm(SetReportingFloor) => pages::resistance::settings,
        POST "/resistance/settings" Perm(SetReportingFloor) => pages::resistance::save_settings,
        GET "/resistance/imports" Perm(ImportIsolates) => pages::resistance::imports,
        POST "/resistance/imports" Perm(ImportIsolates) => pages::resistance::upload,
        POST "/resistance/imports/{id}/delete" Perm(ImportIsolates) => pages::resistance::delete_import,
        POST "/api/v1/isolates/imports" Perm(ImportIsolates) => api::resistance::upload,
        GET "/api/v1/antibiogram" Perm(ViewResistance) => api::resistance::antibiogram,
        GET "/api/v1/resistance/alerts" Perm(ViewResistance) => api::resistance::alerts,
    }
}

/// Antibiotic consumption: dashboards, feedback, imports, targets, ATC/DDD editions.
fn consumption(t: Table) -> Table {
    routes! { t;
        GET "/consumption" Perm(ViewConsumption) => pages::consumption::dashboard,
        GET "/consumption/ddd" Perm(ImportConsumption) => pages::consumption::ddd::form,
        POST "/consumption/ddd" Perm(ImportConsumption) => pages::consumption::ddd::load,
        POST "/consumption/ddd/recompute" Perm(ImportConsumption) => pages::consumption::ddd::recompute,
        GET "/consumption/imports" Perm(ImportConsumption) => pages::consumption::imports::form,
        POST "/consumption/imports" Perm(ImportConsumption) => pages::consumption::imports::upload,
        POST "/consumption/imports/{id}/delete" Perm(ImportConsumption) => pages::consumption::imports::delete,
        GET "/consumption/primary-care" Perm(ViewConsumption) => pages::consumption::primary::dashboard,
        GET "/consumption/primary-care/export/{format}" Perm(ViewConsumption) => pages::consumption::primary::export,
        POST "/consumption/primary-care/imports" Perm(ImportConsumption) => pages::consumption::primary::upload,
        GET "/consumption/targets" Perm(EditTargets) => pages::consumption::targets::form,
        POST "/consumption/targets" Perm(EditTargets) => pages::consumption::targets::save,
        GET "/consumption/establishments/{id}" Perm(ViewConsumption) => pages::consumption::establishment,
        GET "/consumption/establishments/{id}/report" Perm(ViewConsumption) => pages::consumption::report,
        GET "/consumption/reports" Perm(ViewConsumption) => pages::consumption::reports,
        GET "/consumption/export/{format}" Perm(ViewConsumption) => pages::consumption::export,
        GET "/api/v1/consumption/establishments" Perm(ViewConsumption) => api::consumption::establishments,
    }
}

/// The advice service's pages: requests, the form, a case and its actions, the rota, the
/// statistics, the knowledge base.
fn advice_pages(t: Table) -> Table {
    routes! { t;
        GET "/advice" Perm(AskAdvice) => pages::advice::requests::list,
        GET "/advice/new" Perm(AskAdvice) => pages::advice::requests::new_form,
        POST "/advice/new" Perm(AskAdvice) => pages::advice::requests::create,
        GET "/advice/callers" Perm(AnswerAdvice) => pages::advice::requests::callers,
        GET "/advice/rota" Perm(EditTeam) => pages::advice::rota::page,
        POST "/advice/rota" Perm(EditTeam) => pages::advice::rota::save,
        POST "/advice/rota/closures" Perm(EditTeam) => pages::advice::rota::add_closure,
        POST "/advice/rota/closures/{id}/delete" Perm(EditTeam) => pages::advice::rota::remove_closure,
        GET "/advice/stats" Perm(ViewAdviceStats) => pages::advice::stats::page,
        GET "/advice/knowledge" Perm(AnswerAdvice) => pages::advice::knowledge::page,
        GET "/advice/{id}" Perm(AskAdvice) => pages::advice::requests::show,
        GET "/advice/{id}/attachments/{attachment}" Perm(AskAdvice) => pages::advice::requests::attachment,
        POST "/advice/{id}/answer" Perm(AnswerAdvice) => pages::advice::requests::answer,
        POST "/advice/{id}/question" Perm(AskAdvice) => pages::advice::requests::question,
        POST "/advice/{id}/follow-up" Perm(AskAdvice) => pages::advice::requests::follow_up,
        POST "/advice/{id}/move" Perm(AnswerAdvice) => pages::advice::requests::move_request,
    }
}

/// The advice service in the JSON API (its pages are in their own block).
fn advice_api(t: Table) -> Table {
    routes! { t;
        POST "/api/v1/advice" Perm(AskAdvice) => api::advice::create,
        GET "/api/v1/advice" Perm(AskAdvice) => api::advice::list,
        GET "/api/v1/advice/stats" Perm(ViewAdviceStats) => api::advice::stats,
        GET "/api/v1/advice/{id}" Perm(AskAdvice) => api::advice::get,
        POST "/api/v1/advice/{id}/answers" Perm(AnswerAdvice) => api::advice::answer,
        POST "/api/v1/advice/{id}/follow-up" Perm(AskAdvice) => api::advice::follow_up,
    }
}

/// Appropriateness audits' pages: the campaigns, the library of grids, the cases entered at
/// the bedside or loaded from a sheet, the results (the use cases check each establishment).
fn audits_pages(t: Table) -> Table {
    routes! { t;
        GET "/audits" Perm(ViewAudits) => pages::audits::home,
        GET "/audits/grids" Perm(ViewAudits) => pages::audits::grids::list,
        POST "/audits/grids" Perm(RunAudits) => pages::audits::grids::import,
        GET "/audits/grids/{id}" Perm(ViewAudits) => pages::audits::grids::show,
        GET "/audits/grids/{id}/edit" Perm(RunAudits) => pages::audits::grids::edit_form,
        POST "/audits/grids/{id}/edit" Perm(RunAudits) => pages::audits::grids::edit_save,
        GET "/audits/campaigns/new" Perm(RunAudits) => pages::audits::campaigns::new_form,
        POST "/audits/campaigns" Perm(RunAudits) => pages::audits::campaigns::create,
        GET "/audits/campaigns/{id}" Perm(ViewAudits) => pages::audits::campaigns::show,
        POST "/audits/campaigns/{id}/close" Perm(RunAudits) => pages::audits::campaigns::close,
        POST "/audits/campaigns/{id}/reopen" Perm(RunAudits) => pages::audits::campaigns::reopen,
        POST "/audits/campaigns/{id}/sheet" Perm(EnterAuditCases) => pages::audits::campaigns::upload,
        GET "/audits/campaigns/{id}/modele.csv" Perm(EnterAuditCases) => pages::audits::campaigns::template,
        GET "/audits/campaigns/{id}/cases" Perm(EnterAuditCases) => pages::audits::cases::list,
        POST "/audits/campaigns/{id}/cases" Perm(EnterAuditCases) => pages::audits::cases::create,
        GET "/audits/campaigns/{id}/cases/new" Perm(EnterAuditCases) => pages::audits::cases::new_form,
        GET "/audits/campaigns/{id}/cases/{case}" Perm(EnterAuditCases) => pages::audits::cases::show,
        POST "/audits/campaigns/{id}/cases/{case}" Perm(EnterAuditCases) => pages::audits::cases::update,
        POST "/audits/campaigns/{id}/cases/{case}/delete" Perm(EnterAuditCases) => pages::audits::cases::delete,
        GET "/audits/campaigns/{id}/results" Perm(ViewAudits) => pages::audits::results::page,
        GET "/audits/campaigns/{id}/results.csv" Perm(ViewAudits) => pages::audits::results::csv,
        GET "/audits/campaigns/{id}/results.xlsx" Perm(ViewAudits) => pages::audits::results::xlsx,
        GET "/audits/campaigns/{id}/feedback/{establishment}" Perm(ViewAudits) => pages::audits::feedback::page,
        GET "/audits/campaigns/{id}/feedback/{establishment}/rapport.pdf" Perm(ViewAudits) => pages::audits::feedback::pdf,
        GET "/audits/campaigns/{id}/rapports.zip" Perm(ViewAudits) => pages::audits::feedback::zip,
    }
}

/// Appropriateness audits in the JSON API (their pages are in their own block).
fn audits_api(t: Table) -> Table {
    routes! { t;
        GET "/api/v1/audits/grids" Perm(ViewAudits) => api::audits::grids,
        GET "/api/v1/audits/campaigns" Perm(ViewAudits) => api::audits::campaigns,
        POST "/api/v1/audits/campaigns/{id}/cases" Perm(EnterAuditCases) => api::audits::create_case,
        GET "/api/v1/audits/campaigns/{id}/results" Perm(ViewAudits) => api::audits::results,
    }
}

/// Action plans' pages: the plans one follows, the region's overdue actions, a plan written,
/// its actions added, changed, their status set in one click, removed.
fn plans_pages(t: Table) -> Table {
    routes! { t;
        GET "/action-plans" Perm(ViewActionPlans) => pages::plans::list,
        GET "/action-plans/overdue" Perm(ViewActionPlans) => pages::plans::overdue,
        GET "/action-plans/new" Perm(EditActionPlans) => pages::plans::new_form,
        POST "/action-plans/new" Perm(EditActionPlans) => pages::plans::create,
        GET "/action-plans/{id}" Perm(ViewActionPlans) => pages::plans::show,
        POST "/action-plans/{id}/actions" Perm(EditActionPlans) => pages::plans::save_action,
        POST "/action-plans/{id}/actions/{action}/status" Perm(EditActionPlans) => pages::plans::set_status,
        POST "/action-plans/{id}/actions/{action}/delete" Perm(EditActionPlans) => pages::plans::delete_action,
    }
}

/// Action plans in the JSON API.
fn plans_api(t: Table) -> Table {
    routes! { t;
        GET "/api/v1/action-plans" Perm(ViewActionPlans) => api::plans::list,
        POST "/api/v1/action-plans" Perm(EditActionPlans) => api::plans::create,
        GET "/api/v1/action-plans/{id}" Perm(ViewActionPlans) => api::plans::get,
        POST "/api/v1/action-plans/{id}/actions" Perm(EditActionPlans) => api::plans::add_action,
        PUT "/api/v1/action-plans/{id}/actions/{action}" Perm(EditActionPlans) => api::plans::update_action,
    }
}

/// The application's routes, mounted behind their access checks.
pub fn build(state: AppState) -> Router {
    table().router.fallback(pages::not_found).with_state(state)
}

/// Every route with its access requirement.
pub fn specs() -> Vec<RouteSpec> {
    table().specs
}
