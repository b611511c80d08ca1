//! The directory as FHIR R4 resources: `Practitioner` (a professional), `PractitionerRole`
//! (what they do in the network, where), `Organization` (an establishment), `CareTeam` (an EMA),
//! gathered in a `Bundle`.
//!
//! Identifiers follow the French national conventions used by the Annuaire Santé and the
//! FR Core profiles: a professional's national identifier (IDNPS) is `8` followed by the RPPS
//! number, under the OID `1.2.250.1.71.4.2.1`; an establishment's FINESS number is under
//! `1.2.250.1.71.4.2.2`. The network's own codes (roles, disciplines) live in code systems of
//! this application, named by URL. Only the fields shown here are produced; each follows the
//! R4 datatypes (checked by the tests).

use cratb_directory::network::TeamView;
use cratb_directory::professionals::Professional;
use cratb_domain::Establishment;
use cratb_domain::{NetworkRole, Profession};
use serde_json::{Value, json};

/// OID of the national identifier of health professionals (IDNPS).
pub const IDNPS_SYSTEM: &str = "urn:oid:1.2.250.1.71.4.2.1";
/// OID of FINESS numbers.
pub const FINESS_SYSTEM: &str = "urn:oid:1.2.250.1.71.4.2.2";
/// The network roles of this application.
pub const ROLE_SYSTEM: &str = "https://cratb.fr/fhir/CodeSystem/network-role";
/// Professions and EMA disciplines.
pub const PROFESSION_SYSTEM: &str = "https://cratb.fr/fhir/CodeSystem/profession";
/// Establishment categories.
pub const CATEGORY_SYSTEM: &str = "https://cratb.fr/fhir/CodeSystem/establishment-category";
/// The share of a full-time equivalent a member gives to a team.
pub const FTE_EXTENSION: &str = "https://cratb.fr/fhir/StructureDefinition/fte";

/// The resource types served, in the order of a full export.
pub const TYPES: [&str; 4] = [
    "Organization",
    "Practitioner",
    "PractitionerRole",
    "CareTeam",
];

fn telecom(phone: Option<&str>, email: Option<&str>) -> Vec<Value> {
    let mut t = Vec::new();
    if let Some(p) = phone {
        t.push(json!({"system": "phone", "value": p, "use": "work"}));
    }
    if let Some(e) = email {
        t.push(json!({"system": "email", "value": e, "use": "work"}));
    }
    t
}

fn concept(system: &str, code: &str, display: &str) -> Value {
    json!({"coding": [{"system": system, "code": code, "display": display}], "text": display})
}

/// Removes empty arrays and nulls, which FHIR forbids.
fn tidy(mut v: Value) -> Value {
    if let Value::Object(m) = &mut v {
        m.retain(|_, x| !(x.is_null() || x.as_array().is_some_and(Vec::is_empty)));
        for x in m.values_mut() {
            *x = tidy(x.take());
        }
    } else if let Value::Array(a) = &mut v {
        for x in a.iter_mut() {
            *x = tidy(x.take());
        }
    }
    v
}

/// An establishment.
pub fn organization(e: &Establishment) -> Value {
    tidy(json!({
        "resourceType": "Organization",
        "id": format!("est-{}", e.id),
        "identifier": [{"system": FINESS_SYSTEM, "value": e.finess}],
        "active": true,
        "type": [concept(CATEGORY_SYSTEM, &e.category, cratb_domain::Category::parse(&e.category).map_or(&e.category, |c| c.label_fr()))],
        "name": e.name,
        "address": [{"city": e.commune, "district": e.department_code, "country": "FR"}],
    }))
}

/// A professional.
pub fn practitioner(p: &Professional) -> Value {
    tidy(json!({
        "resourceType": "Practitioner",
        "id": format!("prof-{}", p.id),
        "identifier": p.rpps.as_ref().map(|r| vec![json!({
            "type": {"coding": [{"system": "http://interopsante.org/fhir/CodeSystem/fr-v2-0203", "code": "IDNPS"}]},
            "system": IDNPS_SYSTEM,
            "value": format!("8{r}"),
        })]),
        "active": true,
        "name": [{"use": "official", "family": p.last_name, "given": [p.first_name]}],
        "telecom": telecom(p.phone.as_deref(), p.email.as_deref()),
    }))
}

/// What a professional does: their profession and network roles, one `PractitionerRole` per
/// establishment where they work (R4 allows one organization per role), or one without.
pub fn practitioner_roles(p: &Professional, workplaces: &[i64]) -> Vec<Value> {
    let roles: Vec<Value> = NetworkRole::parse_list(&p.network_roles)
        .unwrap_or_default()
        .iter()
        .map(|r| concept(ROLE_SYSTEM, r.code(), r.label_fr()))
        .collect();
    let specialty = Profession::parse(&p.profession)
        .map(|x| vec![concept(PROFESSION_SYSTEM, x.code(), x.label_fr())]);
    let places: Vec<Option<i64>> = if workplaces.is_empty() {
        vec![None]
    } else {
        workplaces.iter().copied().map(Some).collect()
    };
    places
        .into_iter()
        .map(|w| {
            tidy(json!({
                "resourceType": "PractitionerRole",
                "id": match w { Some(e) => format!("role-{}-{e}", p.id), None => format!("role-{}", p.id) },
                "active": true,
                "practitioner": {"reference": format!("Practitioner/prof-{}", p.id)},
                "organization": w.map(|e| json!({"reference": format!("Organization/est-{e}")})),
                "code": roles,
                "specialty": specialty,
                "telecom": telecom(p.phone.as_deref(), p.email.as_deref()),
            }))
        })
        .collect()
}

/// An EMA team.
pub fn care_team(t: &TeamView) -> Value {
    let participants: Vec<Value> = t
        .members
        .iter()
        .map(|m| {
            let label = Profession::parse(&m.discipline).map_or(m.discipline.as_str(), |d| d.label_fr());
            json!({
                "extension": [{"url": FTE_EXTENSION, "valueDecimal": m.fte}],
                "role": [concept(PROFESSION_SYSTEM, &m.discipline, label)],
                "member": {"reference": format!("Practitioner/prof-{}", m.professional_id), "display": format!("{} {}", m.first_name, m.last_name)},
            })
        })
        .collect();
    tidy(json!({
        "resourceType": "CareTeam",
        "id": format!("team-{}", t.team.id),
        "status": "active",
        "category": [{"text": "Équipe multidisciplinaire en antibiothérapie (EMA)"}],
        "name": t.team.name,
        "participant": participants,
        "managingOrganization": [{"reference": format!("Organization/est-{}", t.team.host_establishment_id)}],
        "telecom": telecom(t.team.phone.as_deref(), t.team.email.as_deref()),
        "note": t.team.hours.as_ref().map(|h| vec![json!({"text": format!("Horaires : {h}")})]),
    }))
}

/// A bundle of `resources`: `searchset` (with its total) or `collection`.
pub fn bundle(kind: &str, base: &str, resources: Vec<Value>) -> Value {
    let total = resources.len();
    let entries: Vec<Value> = resources
        .into_iter()
        .map(|r| {
            let url = format!(
                "{base}/{}/{}",
                r["resourceType"].as_str().unwrap_or(""),
                r["id"].as_str().unwrap_or("")
            );
            let mut e = json!({"fullUrl": url, "resource": r});
            if kind == "searchset" {
                e["search"] = json!({"mode": "match"});
            }
            e
        })
        .collect();
    let mut b = json!({
        "resourceType": "Bundle",
        "type": kind,
        "timestamp": cratb_store::now().format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
        "entry": entries,
    });
    if kind == "searchset" {
        b["total"] = json!(total);
    }
    tidy(b)
}

/// A FHIR `OperationOutcome` reporting one error.
pub fn outcome(code: &str, text: &str) -> Value {
    json!({
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": text}],
    })
}
