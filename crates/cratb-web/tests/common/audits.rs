//! What the audits' and action plans' tests share: a prophylaxis campaign open today in the
//! demo region with the referent's hospital and another hospital, and the actor of an account.

use super::{COORD, TestApp};
use cratb_domain::Scope;
use cratb_store::PageRequest;
use cratb_store::establishments::{self, EstablishmentQuery};

/// The demo's referent.
pub const REFERENT: &str = "referent@demo.cratb.fr";

/// The actor of `user` on the pages.
pub fn actor_of(user: &cratb_domain::User) -> cratb_app::Actor {
    cratb_app::Actor {
        id: Some(user.id),
        name: user.email.clone(),
        role: user.role(),
        scope: user.scope().unwrap(),
        channel: cratb_app::Channel::Web,
        ip: None,
        request_id: None,
    }
}

/// The campaign's id, the two hospitals' FINESS and the coordinator who started it.
pub struct Setup {
    pub campaign: i64,
    pub own: String,
    pub other: String,
    pub coord: cratb_domain::User,
}

/// A prophylaxis campaign open today with the referent's hospital and another one.
pub async fn setup(app: &TestApp) -> Setup {
    let now = cratb_store::now();
    cratb_app::audits::load_shipped_grids(&app.db, now)
        .await
        .unwrap();
    let grid = cratb_app::audits::grids(&app.db, now)
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.code == "antibioprophylaxie-chirurgicale")
        .unwrap();
    let referent = cratb_store::users::find_by_email(&app.db, REFERENT)
        .await
        .unwrap();
    let own = establishments::get(&app.db, &Scope::National, referent.establishment_ids[0])
        .await
        .unwrap();
    let other = establishments::list(
        &app.db,
        &Scope::Region(cratb_domain::RegionCode::parse("84").unwrap()),
        &EstablishmentQuery {
            sector: Some("ES".into()),
            ..Default::default()
        },
        PageRequest::new(None, Some(50)),
    )
    .await
    .unwrap()
    .items
    .into_iter()
    .find(|e| e.id != own.id)
    .unwrap();
    let coord = cratb_store::users::find_by_email(&app.db, COORD)
        .await
        .unwrap();
    let today = cratb_domain::paris::today(now);
    let campaign = cratb_app::audits::start(
        &app.db,
        &actor_of(&coord),
        &cratb_audit::campaign::CampaignInput {
            title: Some("Antibioprophylaxie chirurgicale (pages)".into()),
            grid_id: Some(cratb_audit::campaign::Count::Number(grid.id)),
            starts_on: Some((today - time::Duration::days(3)).to_string()),
            ends_on: Some((today + time::Duration::days(60)).to_string()),
            establishments: Some(cratb_domain::account::List(vec![
                own.finess.clone(),
                other.finess.clone(),
            ])),
            target: Some(cratb_audit::campaign::Count::Number(5)),
            ..Default::default()
        },
        now,
    )
    .await
    .unwrap();
    Setup {
        campaign,
        own: own.finess,
        other: other.finess,
        coord,
    }
}
