//! Every route of the application, with the access it requires, in one table.
//!
//! Routes are added through [`Table::add`], which both mounts the handler behind its access
//! check and records the route; [`specs`] returns that record, which the authorization-matrix
//! test compares with its own expectations — a route added here without its line there fails.

use crate::auth::check_access;
use crate::{AppState, api, assets, pages};
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

fn table() -> Table {
    use Access::*;
    let (get, post, put) = (Method::GET, Method::POST, Method::PUT);
    Table {
        router: Router::new(),
        specs: Vec::new(),
    }
    // Operations
    .add(get.clone(), "/healthz", Public, pages::health::healthz)
    .add(get.clone(), "/readyz", Public, pages::health::readyz)
    .add(get.clone(), "/static/{file}", Public, assets::serve)
    // Session
    .add(get.clone(), "/login", Public, pages::login::form)
    .add(post.clone(), "/login", Public, pages::login::submit)
    .add(post.clone(), "/logout", User, pages::login::logout)
    .add(
        get.clone(),
        "/lang/{code}",
        Public,
        pages::login::switch_lang,
    )
    // Pages
    .add(get.clone(), "/", User, pages::home::home)
    .add(
        get.clone(),
        "/establishments",
        Perm(ViewEstablishments),
        pages::establishments::list,
    )
    .add(
        get.clone(),
        "/establishments/new",
        Perm(EditEstablishments),
        pages::establishments::new_form,
    )
    .add(
        post.clone(),
        "/establishments",
        Perm(EditEstablishments),
        pages::establishments::create,
    )
    .add(
        get.clone(),
        "/establishments/{id}",
        Perm(ViewEstablishments),
        pages::establishments::show,
    )
    .add(
        get.clone(),
        "/establishments/{id}/edit",
        Perm(EditEstablishments),
        pages::establishments::edit_form,
    )
    .add(
        post.clone(),
        "/establishments/{id}",
        Perm(EditEstablishments),
        pages::establishments::update,
    )
    .add(
        get.clone(),
        "/territories",
        Perm(ViewEstablishments),
        pages::territories::list,
    )
    .add(
        post.clone(),
        "/territories",
        Perm(EditEstablishments),
        pages::territories::create,
    )
    .add(
        get.clone(),
        "/directory",
        Perm(ViewDirectory),
        pages::directory::list,
    )
    .add(
        get.clone(),
        "/directory/campaign",
        Perm(EditDirectory),
        pages::directory_campaign::page,
    )
    .add(
        post.clone(),
        "/directory/campaign",
        Perm(EditDirectory),
        pages::directory_campaign::start,
    )
    .add(
        post.clone(),
        "/directory/pending/{id}/approve",
        Perm(EditDirectory),
        pages::directory_campaign::approve,
    )
    .add(
        post.clone(),
        "/directory/pending/{id}/reject",
        Perm(EditDirectory),
        pages::directory_campaign::reject,
    )
    .add(
        get.clone(),
        "/confirm/{token}",
        Public,
        pages::directory_campaign::open,
    )
    .add(
        post.clone(),
        "/confirm/{token}",
        Public,
        pages::directory_campaign::answer,
    )
    .add(
        get.clone(),
        "/directory/import",
        Perm(EditDirectory),
        pages::directory_import::form,
    )
    .add(
        post.clone(),
        "/directory/import",
        Perm(EditDirectory),
        pages::directory_import::upload,
    )
    .add(
        get.clone(),
        "/directory/import/{id}",
        Perm(EditDirectory),
        pages::directory_import::preview,
    )
    .add(
        post.clone(),
        "/directory/import/{id}",
        Perm(EditDirectory),
        pages::directory_import::commit,
    )
    .add(
        get.clone(),
        "/directory/export/{format}",
        Perm(ViewDirectory),
        pages::directory::export,
    )
    .add(
        get.clone(),
        "/directory/new",
        Perm(EditDirectory),
        pages::directory::new_form,
    )
    .add(
        post.clone(),
        "/directory",
        Perm(EditDirectory),
        pages::directory::create,
    )
    .add(
        get.clone(),
        "/directory/{id}",
        Perm(ViewDirectory),
        pages::directory::show,
    )
    .add(
        get.clone(),
        "/directory/{id}/edit",
        Perm(EditDirectory),
        pages::directory::edit_form,
    )
    .add(
        post.clone(),
        "/directory/{id}",
        Perm(EditDirectory),
        pages::directory::update,
    )
    .add(
        post.clone(),
        "/directory/{id}/restore/{version}",
        Perm(EditDirectory),
        pages::directory::restore,
    )
    .add(
        post.clone(),
        "/directory/{id}/confirm",
        Perm(EditDirectory),
        pages::directory::confirm,
    )
    .add(
        get.clone(),
        "/resistance",
        Perm(ViewResistance),
        pages::resistance::antibiogram,
    )
    .add(
        get.clone(),
        "/resistance/export/{format}",
        Perm(ViewResistance),
        pages::resistance::export,
    )
    .add(
        get.clone(),
        "/resistance/alerts",
        Perm(ViewResistance),
        pages::resistance::alerts,
    )
    .add(
        get.clone(),
        "/resistance/imports",
        Perm(ImportIsolates),
        pages::resistance::imports,
    )
    .add(
        post.clone(),
        "/resistance/imports",
        Perm(ImportIsolates),
        pages::resistance::upload,
    )
    .add(
        post.clone(),
        "/resistance/imports/{id}/delete",
        Perm(ImportIsolates),
        pages::resistance::delete_import,
    )
    .add(get.clone(), "/users", Perm(ViewUsers), pages::users::list)
    .add(
        get.clone(),
        "/users/new",
        Perm(ManageUsers),
        pages::users::new_form,
    )
    .add(
        post.clone(),
        "/users",
        Perm(ManageUsers),
        pages::users::create,
    )
    .add(
        post.clone(),
        "/users/{id}/active",
        Perm(ManageUsers),
        pages::users::set_active,
    )
    .add(get.clone(), "/audit", Perm(ViewAudit), pages::audit::list)
    .add(
        get.clone(),
        "/audit.csv",
        Perm(ViewAudit),
        pages::audit::csv,
    )
    .add(get.clone(), "/account", User, pages::account::show)
    .add(
        post.clone(),
        "/account/password",
        User,
        pages::account::change_password,
    )
    .add(
        post.clone(),
        "/account/logout-everywhere",
        User,
        pages::account::logout_everywhere,
    )
    .add(
        post.clone(),
        "/account/tokens",
        User,
        pages::account::create_token,
    )
    .add(
        post.clone(),
        "/account/tokens/{id}/revoke",
        User,
        pages::account::revoke_token,
    )
    // The stewardship network
    .add(
        get.clone(),
        "/network",
        Perm(ViewDirectory),
        pages::network::home,
    )
    .add(
        get.clone(),
        "/network/teams",
        Perm(ViewDirectory),
        pages::network::teams::list,
    )
    .add(
        get.clone(),
        "/network/teams/new",
        Perm(EditDirectory),
        pages::network::teams::new_form,
    )
    .add(
        post.clone(),
        "/network/teams",
        Perm(EditDirectory),
        pages::network::teams::create,
    )
    .add(
        get.clone(),
        "/network/teams/{id}",
        Perm(ViewDirectory),
        pages::network::teams::show,
    )
    .add(
        get.clone(),
        "/network/teams/{id}/edit",
        Perm(EditTeam),
        pages::network::teams::edit_form,
    )
    .add(
        post.clone(),
        "/network/teams/{id}",
        Perm(EditTeam),
        pages::network::teams::update,
    )
    .add(
        post.clone(),
        "/network/teams/{id}/members",
        Perm(EditTeam),
        pages::network::teams::add_member,
    )
    .add(
        post.clone(),
        "/network/teams/{id}/members/{member}/remove",
        Perm(EditTeam),
        pages::network::teams::remove_member,
    )
    .add(
        get.clone(),
        "/network/conventions",
        Perm(ViewDirectory),
        pages::network::conventions::list,
    )
    .add(
        post.clone(),
        "/network/conventions/reminders",
        Perm(EditDirectory),
        pages::network::conventions::remind,
    )
    .add(
        get.clone(),
        "/network/conventions/new",
        Perm(EditDirectory),
        pages::network::conventions::new_form,
    )
    .add(
        post.clone(),
        "/network/conventions",
        Perm(EditDirectory),
        pages::network::conventions::create,
    )
    .add(
        get.clone(),
        "/network/conventions/{id}",
        Perm(ViewDirectory),
        pages::network::conventions::show,
    )
    .add(
        get.clone(),
        "/network/conventions/{id}/edit",
        Perm(EditDirectory),
        pages::network::conventions::edit_form,
    )
    .add(
        post.clone(),
        "/network/conventions/{id}",
        Perm(EditDirectory),
        pages::network::conventions::update,
    )
    .add(
        get.clone(),
        "/network/conventions/{id}/document",
        Perm(ViewDirectory),
        pages::network::conventions::document,
    )
    .add(
        get.clone(),
        "/network/coverage",
        Perm(ViewDirectory),
        pages::network::coverage::page,
    )
    .add(
        get.clone(),
        "/network/coverage/export/{format}",
        Perm(ViewDirectory),
        pages::network::coverage::export,
    )
    .add(
        get.clone(),
        "/consumption",
        Perm(ViewConsumption),
        pages::consumption::dashboard,
    )
    .add(
        get.clone(),
        "/consumption/ddd",
        Perm(ImportConsumption),
        pages::consumption::ddd::form,
    )
    .add(
        post.clone(),
        "/consumption/ddd",
        Perm(ImportConsumption),
        pages::consumption::ddd::load,
    )
    .add(
        post.clone(),
        "/consumption/ddd/recompute",
        Perm(ImportConsumption),
        pages::consumption::ddd::recompute,
    )
    .add(
        get.clone(),
        "/consumption/imports",
        Perm(ImportConsumption),
        pages::consumption::imports::form,
    )
    .add(
        post.clone(),
        "/consumption/imports",
        Perm(ImportConsumption),
        pages::consumption::imports::upload,
    )
    .add(
        post.clone(),
        "/consumption/imports/{id}/delete",
        Perm(ImportConsumption),
        pages::consumption::imports::delete,
    )
    .add(
        get.clone(),
        "/consumption/primary-care",
        Perm(ViewConsumption),
        pages::consumption::primary::dashboard,
    )
    .add(
        get.clone(),
        "/consumption/primary-care/export/{format}",
        Perm(ViewConsumption),
        pages::consumption::primary::export,
    )
    .add(
        post.clone(),
        "/consumption/primary-care/imports",
        Perm(ImportConsumption),
        pages::consumption::primary::upload,
    )
    .add(
        get.clone(),
        "/consumption/targets",
        Perm(EditTargets),
        pages::consumption::targets::form,
    )
    .add(
        post.clone(),
        "/consumption/targets",
        Perm(EditTargets),
        pages::consumption::targets::save,
    )
    .add(
        get.clone(),
        "/consumption/establishments/{id}",
        Perm(ViewConsumption),
        pages::consumption::establishment,
    )
    .add(
        get.clone(),
        "/consumption/establishments/{id}/report",
        Perm(ViewConsumption),
        pages::consumption::report,
    )
    .add(
        get.clone(),
        "/consumption/reports",
        Perm(ViewConsumption),
        pages::consumption::reports,
    )
    .add(
        get.clone(),
        "/consumption/export/{format}",
        Perm(ViewConsumption),
        pages::consumption::export,
    )
    .add(
        get.clone(),
        "/network/centre",
        Perm(EditDirectory),
        pages::network::public::centre_form,
    )
    .add(
        post.clone(),
        "/network/centre",
        Perm(EditDirectory),
        pages::network::public::save_centre,
    )
    .add(
        get.clone(),
        "/public/search",
        Public,
        pages::network::public::search,
    )
    // API
    .add(get.clone(), "/api/openapi.json", Public, api::openapi_json)
    .add(get.clone(), "/api/docs", Public, pages::docs::api_docs)
    .add(get.clone(), "/api/v1/me", User, api::me)
    .add(get.clone(), "/api/v1/regions", User, api::regions)
    .add(get.clone(), "/api/v1/departments", User, api::departments)
    .add(
        get.clone(),
        "/api/v1/territories",
        Perm(ViewEstablishments),
        api::territories,
    )
    .add(
        post.clone(),
        "/api/v1/territories",
        Perm(EditEstablishments),
        api::create_territory,
    )
    .add(
        get.clone(),
        "/api/v1/establishments",
        Perm(ViewEstablishments),
        api::list_establishments,
    )
    .add(
        post.clone(),
        "/api/v1/establishments",
        Perm(EditEstablishments),
        api::create_establishment,
    )
    .add(
        get.clone(),
        "/api/v1/establishments/{id}",
        Perm(ViewEstablishments),
        api::get_establishment,
    )
    .add(
        put.clone(),
        "/api/v1/establishments/{id}",
        Perm(EditEstablishments),
        api::update_establishment,
    )
    .add(
        get.clone(),
        "/api/v1/users",
        Perm(ViewUsers),
        api::list_users,
    )
    .add(
        post.clone(),
        "/api/v1/users",
        Perm(ManageUsers),
        api::create_user,
    )
    .add(
        get.clone(),
        "/api/v1/users/{id}",
        Perm(ViewUsers),
        api::get_user,
    )
    .add(get.clone(), "/api/v1/audit", Perm(ViewAudit), api::audit)
    .add(
        get.clone(),
        "/api/v1/professionals",
        Perm(ViewDirectory),
        api::directory::list,
    )
    .add(
        post.clone(),
        "/api/v1/professionals",
        Perm(EditDirectory),
        api::directory::create,
    )
    .add(
        get.clone(),
        "/api/v1/professionals/{id}",
        Perm(ViewDirectory),
        api::directory::get,
    )
    .add(
        put.clone(),
        "/api/v1/professionals/{id}",
        Perm(EditDirectory),
        api::directory::update,
    )
    .add(
        get.clone(),
        "/api/v1/ema-teams",
        Perm(ViewDirectory),
        api::network::list_teams,
    )
    .add(
        post.clone(),
        "/api/v1/ema-teams",
        Perm(EditDirectory),
        api::network::create_team,
    )
    .add(
        get.clone(),
        "/api/v1/ema-teams/{id}",
        Perm(ViewDirectory),
        api::network::get_team,
    )
    .add(
        put.clone(),
        "/api/v1/ema-teams/{id}",
        Perm(EditTeam),
        api::network::update_team,
    )
    .add(
        get.clone(),
        "/api/v1/conventions",
        Perm(ViewDirectory),
        api::network::list_conventions,
    )
    .add(
        get.clone(),
        "/api/v1/coverage",
        Perm(ViewDirectory),
        api::network::coverage,
    )
    .add(
        get.clone(),
        "/api/v1/public/search",
        Public,
        api::network::public_search,
    )
    .add(
        get.clone(),
        "/api/v1/fhir",
        Perm(ViewDirectory),
        api::fhir::export,
    )
    .add(
        get.clone(),
        "/api/v1/fhir/{type}",
        Perm(ViewDirectory),
        api::fhir::search,
    )
    .add(
        post.clone(),
        "/api/v1/isolates/imports",
        Perm(ImportIsolates),
        api::resistance::upload,
    )
    .add(
        get.clone(),
        "/api/v1/antibiogram",
        Perm(ViewResistance),
        api::resistance::antibiogram,
    )
    .add(
        get.clone(),
        "/api/v1/resistance/alerts",
        Perm(ViewResistance),
        api::resistance::alerts,
    )
    .add(
        get,
        "/api/v1/consumption/establishments",
        Perm(ViewConsumption),
        api::consumption::establishments,
    )
}

/// The application's routes, mounted behind their access checks.
pub fn build(state: AppState) -> Router {
    table().router.fallback(pages::not_found).with_state(state)
}

/// Every route with its access requirement.
pub fn specs() -> Vec<RouteSpec> {
    table().specs
}
