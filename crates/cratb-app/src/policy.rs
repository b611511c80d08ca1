//! Who may do what with which resource, beyond what a role may do at all (`Role::can`): the
//! rules that depend on the resource itself. Pages, API and use cases ask here.

use crate::Result;
use cratb_domain::{Permission, RegionAccess, Role, Scope, User, Visibility, geo};
use cratb_store::{Db, network};

/// Whether `user` may change team `team_id`: the region's CRAtb staff for any team of their
/// region (the store keeps them to it), an EMA member for the teams of their account or those
/// whose members' directory entries carry the account's e-mail.
pub async fn can_edit_team(db: &Db, user: &User, team_id: i64) -> Result<bool> {
    let role = user.role();
    if role.can(Permission::EditDirectory) {
        return Ok(true);
    }
    if role != Role::EmaMember {
        return Ok(false);
    }
    if user.team_ids.contains(&team_id) {
        return Ok(true);
    }
    Ok(network::teams_of_email(db, &user.email)
        .await?
        .contains(&team_id))
}

/// Which establishments `user` sees by name in the results of `region` (consumption,
/// resistance): the rule is [`Visibility::of`]; an EMA member's territory is the departments
/// their teams serve (the teams of their account, and those whose members carry its e-mail,
/// as for [`can_edit_team`]).
pub async fn visibility(db: &Db, user: &User, region: &RegionAccess) -> Result<Visibility> {
    let role = user.role();
    let territory = if Visibility::needs_territory(role) {
        let mut teams = user.team_ids.clone();
        teams.extend(network::teams_of_email(db, &user.email).await?);
        teams.sort_unstable();
        teams.dedup();
        network::territory_establishments(db, region, &teams).await?
    } else {
        Vec::new()
    };
    Ok(Visibility::of(role, &user.establishment_ids, &territory))
}

/// Whether an actor of `role` tied to establishments `own` may remove an isolate import of
/// `establishment` (none: a file naming its establishments row by row): the region's CRAtb
/// data staff any of their region (the store keeps them to it), a laboratory only the imports
/// of its own establishments.
pub fn may_remove_import(role: Role, own: &[i64], establishment: Option<i64>) -> bool {
    match role {
        Role::NationalAdmin | Role::Coordinator | Role::DataManager => true,
        Role::Lab => establishment.is_some_and(|id| own.contains(&id)),
        _ => false,
    }
}

/// Whether [`analysis_region`] must fall back on the regions holding data: a national account
/// with no region of its own that asked for none. Only then need the caller look them up.
pub fn needs_regions_with_data(scope: &Scope, own: Option<&str>, asked: Option<&str>) -> bool {
    matches!(scope, Scope::National) && own.is_none() && asked.is_none_or(|a| a.trim().is_empty())
}

/// The region an analysis is about. A regional account: its own, whatever it asks. A national
/// account: the region asked for, else its own, else the first region holding data
/// (`with_data`, in the order the caller prefers), else the first region of the country.
/// `None`: the region asked for does not exist.
pub fn analysis_region(
    scope: &Scope,
    own: Option<&str>,
    asked: Option<&str>,
    with_data: &[String],
) -> Option<String> {
    match (scope, asked.map(str::trim).filter(|a| !a.is_empty())) {
        (Scope::Region(r), _) => Some(r.as_str().to_owned()),
        (Scope::National, Some(a)) => geo::region(a).map(|g| g.code.to_string()),
        (Scope::National, None) => Some(
            own.map(str::to_owned)
                .or_else(|| with_data.first().cloned())
                .unwrap_or_else(|| geo::REGIONS[0].code.to_string()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cratb_domain::RegionCode;

    #[test]
    fn a_regional_account_works_on_its_region_whatever_it_asks() {
        let ara = Scope::Region(RegionCode::parse("84").unwrap());
        assert_eq!(
            analysis_region(&ara, None, Some("11"), &[]),
            Some("84".into())
        );
        let national = Scope::National;
        assert_eq!(
            analysis_region(&national, None, Some("11"), &[]),
            Some("11".into())
        );
        assert_eq!(analysis_region(&national, None, Some("99"), &[]), None);
        assert_eq!(
            analysis_region(&national, Some("53"), None, &["84".into()]),
            Some("53".into())
        );
        assert_eq!(
            analysis_region(&national, None, None, &["76".into()]),
            Some("76".into())
        );
        assert_eq!(
            analysis_region(&national, None, None, &[]),
            Some(geo::REGIONS[0].code.to_string())
        );
        assert!(needs_regions_with_data(&national, None, Some(" ")));
        assert!(!needs_regions_with_data(&national, Some("53"), None));
        assert!(!needs_regions_with_data(&national, None, Some("11")));
        assert!(!needs_regions_with_data(&ara, None, None));
        assert!(may_remove_import(Role::Lab, &[3], Some(3)));
        assert!(!may_remove_import(Role::Lab, &[3], Some(4)));
        assert!(!may_remove_import(Role::Lab, &[3], None));
        assert!(may_remove_import(Role::DataManager, &[], None));
        assert!(may_remove_import(Role::Coordinator, &[], Some(4)));
        assert!(!may_remove_import(Role::Referent, &[3], Some(3)));
    }
}
