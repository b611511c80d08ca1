//! Roles, permissions and region scope: who may do what, and on which region's rows.
//!
//! The permission table ([`Role::can`]) is the single source of truth; the web layer asks it
//! for every route, and the store takes a [`Scope`] for every region-owned query so that a
//! regional user can never read another region's rows, whatever a handler does.

use crate::establishment::code_enum;
use crate::geo::RegionCode;

code_enum! {
    /// A user's role. Anonymous visitors have no role.
    Role {
        NationalAdmin = "national_admin", "Administrateur national", "National administrator";
        Coordinator = "coordinator", "Coordinateur CRAtb", "CRAtb coordinator";
        DataManager = "data_manager", "Data manager", "Data manager";
        Secretary = "secretary", "Secrétariat CRAtb", "CRAtb secretary";
        EmaMember = "ema_member", "Membre d'EMA", "Antibiotic team (EMA) member";
        Referent = "referent", "Référent antibiotique", "Antibiotic referent";
        Prescriber = "prescriber", "Prescripteur", "Prescriber";
        Lab = "lab", "Biologiste", "Laboratory";
        ArsReader = "ars_reader", "ARS (lecture)", "Health agency (read-only)";
    }
}

code_enum! {
    /// Something a route lets a user do.
    Permission {
        ViewEstablishments = "establishments.view", "Consulter les établissements", "View establishments";
        EditEstablishments = "establishments.edit", "Modifier les établissements", "Edit establishments";
        ViewUsers = "users.view", "Consulter les comptes", "View accounts";
        ManageUsers = "users.manage", "Gérer les comptes", "Manage accounts";
        ViewAudit = "audit.view", "Consulter le journal d'audit", "View the audit log";
        ViewResistance = "resistance.view", "Consulter les antibiogrammes cumulés", "View cumulative antibiograms";
        SetReportingFloor = "resistance.settings", "Fixer le seuil de publication de la région", "Set the region's reporting threshold";
        ImportIsolates = "isolates.import", "Importer des résultats d'antibiogrammes", "Import susceptibility results";
        ViewDirectory = "directory.view", "Consulter l'annuaire du réseau", "View the network directory";
        EditDirectory = "directory.edit", "Modifier l'annuaire du réseau", "Edit the network directory";
        EditTeam = "team.edit", "Modifier une équipe (EMA) : la sienne, ou toutes pour le CRAtb", "Edit an antibiotic team (EMA): one's own, or any for CRAtb staff";
        ViewConsumption = "consumption.view", "Consulter la consommation d'antibiotiques (référent : son établissement)", "View antibiotic consumption (referent: own establishment)";
        ImportConsumption = "consumption.import", "Importer des données de consommation", "Import consumption data";
        EditTargets = "consumption.targets", "Fixer les objectifs et valeurs nationales de consommation", "Set consumption targets and national figures";
        AskAdvice = "advice.ask", "Demander un avis en antibiothérapie et suivre ses demandes", "Ask for advice on antibiotic therapy and follow one's requests";
        AnswerAdvice = "advice.answer", "Répondre aux demandes d'avis (son équipe ; toutes pour le CRAtb)", "Answer requests for advice (one's team; all for CRAtb staff)";
        ViewAdviceStats = "advice.stats", "Consulter les statistiques du service d'avis", "View the advice service's statistics";
        ImportAdvice = "advice.import", "Importer le registre d'avis d'une équipe", "Import a team's advice log";
        ViewAudits = "audits.view", "Consulter les audits de pertinence et leurs résultats (référent : son établissement parmi les autres, anonymes)", "View appropriateness audits and their results (referent: own establishment among anonymous others)";
        RunAudits = "audits.manage", "Lancer les campagnes d'audit et tenir la bibliothèque de grilles", "Start audit campaigns and keep the library of grids";
        EnterAuditCases = "audits.enter", "Saisir les dossiers d'une campagne d'audit (établissements participants)", "Enter the cases of an audit campaign (participating establishments)";
        ViewActionPlans = "plans.view", "Consulter les plans d'action", "View action plans";
        EditActionPlans = "plans.edit", "Rédiger et suivre le plan d'action d'un établissement (le sien ; tous pour le CRAtb)", "Write and follow an establishment's action plan (one's own; any for CRAtb staff)";
        ManageOwnAccount = "account.manage", "Gérer son compte", "Manage own account";
    }
}

impl Role {
    /// The permission table. Every role may manage its own account.
    pub fn can(self, p: Permission) -> bool {
        use Permission::*;
        use Role::*;
        match p {
            ManageOwnAccount => true,
            ViewEstablishments => !matches!(self, Prescriber),
            EditEstablishments => {
                matches!(self, NationalAdmin | Coordinator | DataManager | Secretary)
            }
            ViewUsers => matches!(self, NationalAdmin | Coordinator | Secretary),
            ManageUsers => matches!(self, NationalAdmin | Coordinator),
            ViewAudit => matches!(self, NationalAdmin | Coordinator),
            // Aggregated, pseudonymised results: every professional of the network reads them.
            ViewResistance => true,
            // The least count a share is published on: the region's coordinator decides it.
            SetReportingFloor => matches!(self, NationalAdmin | Coordinator),
            ImportIsolates => matches!(self, NationalAdmin | Coordinator | DataManager | Lab),
            // The directory is the network's: every member reads it; the CRAtb staff keep it.
            ViewDirectory => true,
            EditDirectory => matches!(self, NationalAdmin | Coordinator | Secretary),
            // An EMA member edits only the teams they belong to (checked by the handler).
            EditTeam => matches!(self, NationalAdmin | Coordinator | Secretary | EmaMember),
            // The region's figures for its staff, EMA and agency; a referent sees only their
            // establishment among anonymised peers (checked by the handler).
            ViewConsumption => matches!(
                self,
                NationalAdmin | Coordinator | DataManager | EmaMember | Referent | ArsReader
            ),
            ImportConsumption => matches!(self, NationalAdmin | Coordinator | DataManager),
            EditTargets => matches!(self, NationalAdmin | Coordinator),
            // Any professional may ask; the agency reads the statistics only, never a case.
            AskAdvice => !matches!(self, ArsReader),
            // The advice is given by the EMA members (their teams' requests, checked by the use
            // case) and by the CRAtb's coordinator; the data manager supervises, never answers.
            AnswerAdvice => matches!(self, NationalAdmin | Coordinator | EmaMember),
            ViewAdviceStats => matches!(
                self,
                NationalAdmin | Coordinator | DataManager | EmaMember | ArsReader
            ),
            ImportAdvice => matches!(self, NationalAdmin | Coordinator | DataManager),
            // Results are aggregated: the network and the agency read them; a referent sees their
            // establishment by name and the others anonymously (checked by the use case).
            ViewAudits => !matches!(self, Prescriber | Lab),
            RunAudits => matches!(self, NationalAdmin | Coordinator | DataManager),
            // The CRAtb staff, and the referents and EMA members of the participating
            // establishments (checked by the use case).
            EnterAuditCases => matches!(
                self,
                NationalAdmin | Coordinator | DataManager | EmaMember | Referent
            ),
            ViewActionPlans => !matches!(self, Prescriber | Lab),
            // An establishment's referent and its EMA (checked by the use case); the CRAtb
            // follows every plan of its region.
            EditActionPlans => matches!(
                self,
                NationalAdmin | Coordinator | DataManager | EmaMember | Referent
            ),
        }
    }

    /// A national role sees every region; the others are bound to one.
    pub fn is_national(self) -> bool {
        matches!(self, Role::NationalAdmin)
    }

    /// Whether accounts of this role are tied to establishments (and, for EMA members, to
    /// teams): what they see of named places depends on it.
    pub fn has_places(self) -> bool {
        matches!(
            self,
            Role::Referent | Role::EmaMember | Role::Lab | Role::Prescriber
        )
    }

    /// Whether an account of this role needs at least one establishment to be of any use (a
    /// referent sees their hospital's figures, a laboratory sends its files).
    pub fn needs_establishment(self) -> bool {
        matches!(self, Role::Referent | Role::Lab)
    }

    /// Roles this role may give to an account it creates.
    pub fn may_grant(self, other: Role) -> bool {
        match self {
            Role::NationalAdmin => true,
            Role::Coordinator => !other.is_national(),
            _ => false,
        }
    }
}

/// Which regions' rows a query may touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every region (national roles, CLI).
    National,
    /// One region only.
    Region(RegionCode),
}

impl Scope {
    /// The scope of a user with this role and region; `None` for a regional role without region.
    pub fn for_user(role: Role, region: Option<&RegionCode>) -> Option<Scope> {
        if role.is_national() {
            Some(Scope::National)
        } else {
            region.map(|r| Scope::Region(r.clone()))
        }
    }

    /// Whether a row of `region` is visible in this scope.
    pub fn allows(&self, region: &str) -> bool {
        match self {
            Scope::National => true,
            Scope::Region(r) => r.as_str() == region,
        }
    }

    /// The region filter to apply in SQL (`None` = no filter).
    pub fn region_filter(&self) -> Option<&str> {
        match self {
            Scope::National => None,
            Scope::Region(r) => Some(r.as_str()),
        }
    }

    /// Access to `region`'s rows, if this scope reaches it (and the region exists): the only way
    /// to make a [`RegionAccess`].
    pub fn access(&self, region: &str) -> Option<RegionAccess> {
        let region = RegionCode::parse(region).ok()?;
        self.allows(region.as_str()).then_some(RegionAccess(region))
    }
}

/// The right to read or write one region's rows, made only by a scope that reaches it
/// ([`Scope::access`]): the store's functions over a region's rows take one, so that no region
/// chosen by a caller's hand reaches a query without a scope having allowed it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegionAccess(RegionCode);

impl RegionAccess {
    /// The region's INSEE code.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn region(&self) -> &RegionCode {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_is_reached_only_through_a_scope_that_allows_it() {
        let ara = Scope::Region(RegionCode::parse("84").unwrap());
        assert_eq!(ara.access("84").unwrap().as_str(), "84");
        assert!(ara.access("53").is_none());
        assert_eq!(Scope::National.access("53").unwrap().as_str(), "53");
        assert!(Scope::National.access("99").is_none(), "no such region");
    }
    use proptest::prelude::*;

    #[test]
    fn table_highlights() {
        assert!(Role::Coordinator.can(Permission::ViewAudit));
        assert!(!Role::Prescriber.can(Permission::ViewAudit));
        assert!(!Role::ArsReader.can(Permission::EditEstablishments));
        assert!(Role::ArsReader.can(Permission::ViewEstablishments));
        assert!(!Role::Coordinator.may_grant(Role::NationalAdmin));
    }

    fn any_role() -> impl Strategy<Value = Role> {
        prop::sample::select(Role::ALL.to_vec())
    }
    fn any_region() -> impl Strategy<Value = RegionCode> {
        prop::sample::select(
            crate::geo::REGIONS
                .iter()
                .map(|r| RegionCode::parse(r.code).unwrap())
                .collect::<Vec<_>>(),
        )
    }

    proptest! {
        /// A regional scope never lets another region's row through; a national one lets all.
        #[test]
        fn scope_is_exact(role in any_role(), mine in any_region(), other in any_region()) {
            let scope = Scope::for_user(role, Some(&mine)).unwrap();
            prop_assert!(scope.allows(mine.as_str()));
            prop_assert_eq!(scope.allows(other.as_str()), role.is_national() || mine == other);
        }

        /// Read-only and field roles can never write or administer.
        #[test]
        fn writes_are_reserved(role in any_role()) {
            let writes = role.can(Permission::EditEstablishments) || role.can(Permission::ManageUsers);
            let staff = matches!(role, Role::NationalAdmin | Role::Coordinator | Role::DataManager | Role::Secretary);
            prop_assert!(!writes || staff);
            // Whoever manages accounts may also see them.
            prop_assert!(!role.can(Permission::ManageUsers) || role.can(Permission::ViewUsers));
        }

        /// Only a national admin may create a national admin.
        #[test]
        fn grant_never_escalates(granter in any_role(), target in any_role()) {
            if granter.may_grant(target) {
                prop_assert!(granter.can(Permission::ManageUsers));
                prop_assert!(!target.is_national() || granter.is_national());
            }
        }
    }
}
