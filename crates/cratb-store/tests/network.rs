//! The network: EMA teams and their members, conventions with their signed PDF, the coverage
//! they give, and the public lookup, which shows of a member only what they consented to.

mod common;

use common::*;
use cratb_directory::network::{
    Centre, CentreInput, ConventionInput, Coverage, Document, MemberInput, NewConvention,
    NewMember, NewTeam, TeamInput,
};
use cratb_domain::{RegionAccess, Scope, geo};
use cratb_store::network::{self, ConventionQuery};
use cratb_store::{Db, StoreError};
use time::macros::date;

/// The places of a small network in Isère, and one hospital in Brittany.
struct Places {
    chu: i64,
    voiron: i64,
    ehpad: i64,
    pharmacy: i64,
    cpts: i64,
    ght: i64,
    brest: i64,
    breton_ght: i64,
}

async fn places(db: &Db) -> Places {
    Places {
        chu: establishment(db, "38", 1, "CHU Grenoble Alpes", "CHU").await,
        voiron: establishment(db, "38", 2, "CH Voiron", "CH").await,
        ehpad: establishment(db, "38", 3, "EHPAD Les Tilleuls", "EHPAD").await,
        pharmacy: establishment(db, "38", 4, "Pharmacie du Centre", "PHARMACIE").await,
        cpts: territory(db, "CPTS", "CPTS du Grésivaudan", &["38"]).await,
        ght: territory(db, "GHT", "GHT Alpes Dauphiné", &["38"]).await,
        brest: establishment(db, "29", 1, "CHU Brest", "CHU").await,
        breton_ght: territory(db, "GHT", "GHT Brest", &["29"]).await,
    }
}

fn team_input(name: &str, host: i64, reg: &str, departments: &[&str]) -> TeamInput {
    TeamInput {
        name: Some(name.into()),
        host_establishment_id: Some(host),
        sectors: Some(vec!["ES".into(), "EMS".into()]),
        departments: Some(departments.iter().map(|d| d.to_string()).collect()),
        email: Some("ema@chu.test".into()),
        hours: Some("9 h – 17 h".into()),
        region: Some(reg.into()),
        ..Default::default()
    }
}

fn team(input: &TeamInput) -> NewTeam {
    NewTeam::validate(input, None).unwrap()
}

async fn create_team(db: &Db, access: &RegionAccess, t: &NewTeam) -> cratb_store::Result<i64> {
    let mut tx = db.begin().await.unwrap();
    let r = network::create_team(&mut tx, access, t).await;
    if r.is_ok() {
        tx.commit().await.unwrap();
    }
    r
}

fn member(professional: i64, discipline: &str, fte: &str) -> NewMember {
    NewMember::validate(&MemberInput {
        professional_id: Some(professional),
        discipline: Some(discipline.into()),
        fte: Some(fte.into()),
    })
    .unwrap()
}

fn convention(
    team: i64,
    establishment: Option<i64>,
    cpts: Option<i64>,
    status: &str,
) -> NewConvention {
    NewConvention::validate(&ConventionInput {
        team_id: Some(team),
        establishment_id: establishment,
        cpts_id: cpts,
        services: Some(vec!["advice".into(), "audits".into()]),
        status: Some(status.into()),
        signed_on: (status == "signed").then(|| "01/01/2025".into()),
        expires_on: Some("2027-12-31".into()),
        notes: None,
    })
    .unwrap()
}

fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {text}\n%%EOF\n").into_bytes()
}

#[tokio::test]
async fn teams_are_created_and_updated_within_their_region() {
    let db = fresh().await;
    let p = places(&db).await;
    let ara = scope(ARA);

    let mut with_ght = team_input("EMA Grenoble", p.chu, ARA, &["38", "73"]);
    with_ght.ght_id = Some(p.ght);
    let id = create_team(&db, &access(ARA), &team(&with_ght))
        .await
        .unwrap();
    let view = network::get_team(&db, &ara, id).await.unwrap();
    assert_eq!(
        (
            view.team.name.as_str(),
            view.team.host_name.as_str(),
            view.team.ght_name.as_deref(),
            view.team.sectors.as_str(),
            view.departments.clone(),
            view.team.email.as_deref()
        ),
        (
            "EMA Grenoble",
            "CHU Grenoble Alpes",
            Some("GHT Alpes Dauphiné"),
            "ES,EMS",
            vec!["38".to_string(), "73".to_string()],
            Some("ema@chu.test")
        )
    );
    // No member yet: every required discipline is missing.
    assert_eq!(
        view.missing_disciplines,
        ["infectiologist", "pharmacist", "microbiologist", "nurse"]
    );

    // Refused: a team of another region, a host or GHT of another region, a name taken.
    let r = create_team(
        &db,
        &access(ARA),
        &team(&team_input("EMA Brest", p.brest, BZH, &["29"])),
    )
    .await;
    assert!(matches!(r, Err(StoreError::Invalid("region"))), "{r:?}");
    let r = create_team(
        &db,
        &access(ARA),
        &team(&team_input("EMA hôte breton", p.brest, ARA, &["38"])),
    )
    .await;
    assert!(
        matches!(r, Err(StoreError::Invalid("host_establishment_id"))),
        "{r:?}"
    );
    let mut breton_ght = team_input("EMA GHT breton", p.chu, ARA, &["38"]);
    breton_ght.ght_id = Some(p.breton_ght);
    let r = create_team(&db, &access(ARA), &team(&breton_ght)).await;
    assert!(matches!(r, Err(StoreError::Invalid("ght_id"))), "{r:?}");
    let r = create_team(
        &db,
        &access(ARA),
        &team(&team_input("EMA Grenoble", p.voiron, ARA, &["38"])),
    )
    .await;
    assert!(matches!(r, Err(StoreError::Conflict("name"))), "{r:?}");
    // The same name in another region is another team.
    let breton = create_team(
        &db,
        &access(BZH),
        &team(&team_input("EMA Grenoble", p.brest, BZH, &["29"])),
    )
    .await
    .unwrap();

    // Update: renamed, moved host, one department fewer; its region is kept.
    let mut tx = db.begin().await.unwrap();
    network::update_team(
        &mut tx,
        &access(ARA),
        id,
        &team(&team_input("EMA Nord-Isère", p.voiron, ARA, &["38"])),
    )
    .await
    .unwrap();
    let r = network::update_team(
        &mut tx,
        &access(ARA),
        breton,
        &team(&team_input("Prise", p.chu, ARA, &["38"])),
    )
    .await;
    assert!(not_found(r));
    let r = network::update_team(
        &mut tx,
        &access(ARA),
        id,
        &team(&team_input("EMA déplacée", p.brest, BZH, &["29"])),
    )
    .await;
    assert!(matches!(r, Err(StoreError::Invalid("region"))), "{r:?}");
    tx.commit().await.unwrap();
    let view = network::get_team(&db, &ara, id).await.unwrap();
    assert_eq!(
        (
            view.team.name.as_str(),
            view.team.host_name.as_str(),
            view.team.ght_id,
            view.departments.clone()
        ),
        ("EMA Nord-Isère", "CH Voiron", None, vec!["38".to_string()])
    );

    assert!(not_found(network::get_team(&db, &ara, breton).await));
    let listed = network::list_teams(&db, &ara).await.unwrap();
    assert_eq!(listed.iter().map(|t| t.team.id).collect::<Vec<_>>(), [id]);
    assert_eq!(
        network::list_teams(&db, &Scope::National)
            .await
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn members_are_professionals_of_the_teams_region() {
    let db = fresh().await;
    let p = places(&db).await;
    let ara = scope(ARA);
    let id = create_team(
        &db,
        &access(ARA),
        &team(&team_input("EMA Grenoble", p.chu, ARA, &["38"])),
    )
    .await
    .unwrap();
    let breton_team = create_team(
        &db,
        &access(BZH),
        &team(&team_input("EMA Brest", p.brest, BZH, &["29"])),
    )
    .await
    .unwrap();
    let alice = professional(&db, &professional_input("Durand", "Alice", ARA)).await;
    let bruno = professional(&db, &professional_input("Bernard", "Bruno", ARA)).await;
    let yann = professional(&db, &professional_input("Le Gall", "Yann", BZH)).await;

    let mut tx = db.begin().await.unwrap();
    network::set_member(
        &mut tx,
        &access(ARA),
        id,
        &member(alice, "infectiologist", "0,5"),
    )
    .await
    .unwrap();
    network::set_member(
        &mut tx,
        &access(ARA),
        id,
        &member(bruno, "pharmacist", "0.3"),
    )
    .await
    .unwrap();
    // Set again: the discipline and FTE change, no second membership.
    network::set_member(
        &mut tx,
        &access(ARA),
        id,
        &member(alice, "infectiologist", "0.8"),
    )
    .await
    .unwrap();
    let r = network::set_member(&mut tx, &access(ARA), id, &member(yann, "nurse", "1")).await;
    assert!(
        matches!(r, Err(StoreError::Invalid("professional_id"))),
        "{r:?}"
    );
    assert!(not_found(
        network::set_member(
            &mut tx,
            &access(ARA),
            breton_team,
            &member(alice, "nurse", "1")
        )
        .await
    ));
    tx.commit().await.unwrap();

    let view = network::get_team(&db, &ara, id).await.unwrap();
    assert_eq!(
        view.members
            .iter()
            .map(|m| (m.professional_id, m.discipline.as_str(), m.fte))
            .collect::<Vec<_>>(),
        [(bruno, "pharmacist", 0.3), (alice, "infectiologist", 0.8)]
    );
    assert!((view.fte() - 1.1).abs() < 1e-9);
    assert_eq!(view.missing_disciplines, ["microbiologist", "nurse"]);
    assert_eq!(
        cratb_store::directory::teams_of(&db, alice).await.unwrap(),
        [(id, "EMA Grenoble".to_string())]
    );
    assert_eq!(
        network::teams_of_email(&db, "Alice.Durand@chu.test")
            .await
            .unwrap(),
        [id]
    );

    let mut tx = db.begin().await.unwrap();
    network::remove_member(&mut tx, &access(ARA), id, bruno)
        .await
        .unwrap();
    assert!(not_found(
        network::remove_member(&mut tx, &access(ARA), id, bruno).await
    ));
    assert!(not_found(
        network::remove_member(&mut tx, &access(ARA), breton_team, alice).await
    ));
    tx.commit().await.unwrap();
    let view = network::get_team(&db, &ara, id).await.unwrap();
    assert_eq!(
        view.members
            .iter()
            .map(|m| m.professional_id)
            .collect::<Vec<_>>(),
        [alice]
    );
}

#[tokio::test]
async fn conventions_bind_a_team_to_a_partner_of_its_region_with_their_pdf() {
    let db = fresh().await;
    let p = places(&db).await;
    let ara = scope(ARA);
    let team_id = create_team(
        &db,
        &access(ARA),
        &team(&team_input("EMA Grenoble", p.chu, ARA, &["38"])),
    )
    .await
    .unwrap();
    let breton_team = create_team(
        &db,
        &access(BZH),
        &team(&team_input("EMA Brest", p.brest, BZH, &["29"])),
    )
    .await
    .unwrap();

    // Only a PDF is kept, whatever its name says; its name loses its folders.
    assert!(Document::check("convention.pdf", b"PK\x03\x04".to_vec()).is_err());
    let scan = Document::check("C:\\scans\\convention signée.pdf", pdf("v1")).unwrap();
    assert_eq!(scan.filename, "convention signée.pdf");

    let mut tx = db.begin().await.unwrap();
    let signed = network::create_convention(
        &mut tx,
        &access(ARA),
        &convention(team_id, Some(p.voiron), None, "signed"),
        Some(&scan),
        "coordination@cratb.test",
    )
    .await
    .unwrap();
    let draft = network::create_convention(
        &mut tx,
        &access(ARA),
        &convention(team_id, None, Some(p.cpts), "draft"),
        None,
        "coordination@cratb.test",
    )
    .await
    .unwrap();
    // Refused: a pharmacy (primary care signs through its CPTS), another region's hospital, a
    // GHT given as a CPTS, another region's team.
    for (c, field) in [
        (
            convention(team_id, Some(p.pharmacy), None, "draft"),
            "establishment_id",
        ),
        (
            convention(team_id, Some(p.brest), None, "draft"),
            "establishment_id",
        ),
        (convention(team_id, None, Some(p.ght), "draft"), "cpts_id"),
        (
            convention(breton_team, Some(p.voiron), None, "draft"),
            "team_id",
        ),
    ] {
        let r = network::create_convention(&mut tx, &access(ARA), &c, None, "x").await;
        assert!(
            matches!(r, Err(StoreError::Invalid(f)) if f == field),
            "{field}: {r:?}"
        );
    }
    tx.commit().await.unwrap();

    let c = network::get_convention(&db, &ara, signed).await.unwrap();
    assert_eq!(
        (
            c.partner_name.as_str(),
            c.partner_sector.as_str(),
            c.scope.as_str(),
            c.status.as_str(),
            c.signed_on,
            c.expires_on,
            c.document_name.as_deref(),
            c.document_size
        ),
        (
            "CH Voiron",
            "ES",
            "advice,audits",
            "signed",
            Some(date!(2025 - 01 - 01)),
            Some(date!(2027 - 12 - 31)),
            Some("convention signée.pdf"),
            Some(pdf("v1").len() as i64)
        )
    );
    let c = network::get_convention(&db, &ara, draft).await.unwrap();
    assert_eq!(
        (
            c.partner_name.as_str(),
            c.partner_sector.as_str(),
            c.document_name
        ),
        ("CPTS du Grésivaudan", "VILLE", None)
    );
    assert_eq!(
        network::document(&db, &ara, signed).await.unwrap(),
        ("convention signée.pdf".to_string(), pdf("v1"))
    );
    assert!(not_found(network::document(&db, &ara, draft).await));
    // Another region's account sees neither the convention nor its PDF.
    assert!(not_found(
        network::get_convention(&db, &scope(BZH), signed).await
    ));
    assert!(not_found(network::document(&db, &scope(BZH), signed).await));

    // Updated without a PDF: the old one stays; with one: replaced.
    let mut tx = db.begin().await.unwrap();
    let mut renewed = convention(team_id, Some(p.voiron), None, "signed");
    renewed.notes = "renouvelée".into();
    assert_eq!(
        network::update_convention(&mut tx, &access(ARA), signed, &renewed, None, "x")
            .await
            .unwrap(),
        ARA
    );
    assert_eq!(
        network::document(&db, &ara, signed).await.unwrap().1,
        pdf("v1"),
        "read outside the transaction, the committed PDF"
    );
    let v2 = Document::check("avenant.pdf", pdf("v2")).unwrap();
    network::update_convention(&mut tx, &access(ARA), signed, &renewed, Some(&v2), "x")
        .await
        .unwrap();
    assert!(not_found(
        network::update_convention(&mut tx, &access(BZH), signed, &renewed, None, "x").await
    ));
    tx.commit().await.unwrap();
    assert_eq!(
        network::document(&db, &ara, signed).await.unwrap(),
        ("avenant.pdf".to_string(), pdf("v2"))
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM convention_documents").await,
        1
    );
    assert_eq!(
        network::get_convention(&db, &ara, signed)
            .await
            .unwrap()
            .notes,
        "renouvelée"
    );

    // The list by effective status: a signed convention past its end reads as expired.
    let ids = |status: Option<&str>, today: time::Date| {
        let db = db.clone();
        let ara = ara.clone();
        let q = ConventionQuery {
            status: status.map(Into::into),
            ..Default::default()
        };
        async move {
            network::list_conventions(&db, &ara, &q, today)
                .await
                .unwrap()
                .iter()
                .map(|c| c.id)
                .collect::<Vec<_>>()
        }
    };
    let in_2026 = date!(2026 - 06 - 01);
    let in_2028 = date!(2028 - 01 - 01);
    assert_eq!(ids(None, in_2026).await.len(), 2);
    assert_eq!(ids(Some("signed"), in_2026).await, [signed]);
    assert!(ids(Some("expired"), in_2026).await.is_empty());
    assert!(ids(Some("signed"), in_2028).await.is_empty());
    assert_eq!(ids(Some("expired"), in_2028).await, [signed]);
    assert_eq!(ids(Some("draft"), in_2028).await, [draft]);
    let expiring = ConventionQuery {
        expiring_within: Some(60),
        ..Default::default()
    };
    assert_eq!(
        network::list_conventions(&db, &ara, &expiring, date!(2027 - 11 - 15))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        network::list_conventions(&db, &scope(BZH), &ConventionQuery::default(), in_2026)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn coverage_counts_signed_conventions_in_force_and_host_establishments() {
    let db = fresh().await;
    let p = places(&db).await;
    let team_id = create_team(
        &db,
        &access(ARA),
        &team(&team_input("EMA Grenoble", p.chu, ARA, &["38"])),
    )
    .await
    .unwrap();
    let mut tx = db.begin().await.unwrap();
    for c in [
        convention(team_id, Some(p.voiron), None, "signed"),
        convention(team_id, None, Some(p.cpts), "signed"),
        convention(team_id, Some(p.ehpad), None, "draft"),
    ] {
        network::create_convention(&mut tx, &access(ARA), &c, None, "x")
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();

    let covered = |c: &Coverage| {
        let mut v: Vec<(String, bool)> = c
            .units
            .iter()
            .map(|u| (u.name.clone(), u.covered))
            .collect();
        v.sort();
        v
    };
    let now = network::coverage(&db, &access(ARA), date!(2026 - 06 - 01))
        .await
        .unwrap();
    assert_eq!(
        covered(&now),
        [
            ("CH Voiron".to_string(), true),
            ("CHU Grenoble Alpes".to_string(), true),
            ("CPTS du Grésivaudan".to_string(), true),
            ("EHPAD Les Tilleuls".to_string(), false),
        ],
        "the host is covered, a draft is not, a pharmacy is not counted"
    );
    let isere_es = now
        .cells
        .iter()
        .find(|c| c.department_code == "38" && c.sector == "ES")
        .unwrap();
    assert_eq!(
        (
            isere_es.units,
            isere_es.covered,
            isere_es.capacity,
            isere_es.capacity_covered
        ),
        (2, 2, 240, 240)
    );
    // Every department of the region has its cells, covered or not.
    assert_eq!(now.cells.len(), geo::departments_of(ARA).count() * 3);
    // Once the conventions have run out, only the host remains covered.
    let later = network::coverage(&db, &access(ARA), date!(2028 - 01 - 01))
        .await
        .unwrap();
    assert_eq!(
        covered(&later)
            .into_iter()
            .filter(|u| u.1)
            .map(|u| u.0)
            .collect::<Vec<_>>(),
        ["CHU Grenoble Alpes"]
    );
    // Another region's coverage holds none of these.
    let breton = network::coverage(&db, &access(BZH), date!(2026 - 06 - 01))
        .await
        .unwrap();
    assert_eq!(covered(&breton), [("CHU Brest".to_string(), false)]);
}

#[tokio::test]
async fn the_public_lookup_shows_only_what_members_consented_to() {
    let db = fresh().await;
    let p = places(&db).await;
    let id = create_team(
        &db,
        &access(ARA),
        &team(&team_input("EMA Grenoble", p.chu, ARA, &["38", "73"])),
    )
    .await
    .unwrap();
    // Alice consents to her name and e-mail, not her phone; Bruno to nothing.
    let mut alice = professional_input("Durand", "Alice", ARA);
    alice.phone = Some("04 76 76 75 75".into());
    alice.public_name = Some(true);
    alice.public_email = Some(true);
    let alice = professional(&db, &alice).await;
    let mut bruno = professional_input("Bernard", "Bruno", ARA);
    bruno.phone = Some("04 76 76 76 76".into());
    bruno.public_email = Some(true);
    bruno.public_phone = Some(true);
    let bruno = professional(&db, &bruno).await;
    let mut tx = db.begin().await.unwrap();
    network::set_member(
        &mut tx,
        &access(ARA),
        id,
        &member(alice, "infectiologist", "0.5"),
    )
    .await
    .unwrap();
    network::set_member(
        &mut tx,
        &access(ARA),
        id,
        &member(bruno, "pharmacist", "0.5"),
    )
    .await
    .unwrap();
    let centre = Centre::validate(
        &region(ARA),
        &CentreInput {
            name: Some("CRAtb Auvergne-Rhône-Alpes".into()),
            email: Some("contact@crtab-ara.test".into()),
            website: Some("https://crtab-ara.test".into()),
            ..Default::default()
        },
    )
    .unwrap();
    network::set_centre(&mut tx, &access(ARA), &centre)
        .await
        .unwrap();
    let breton_centre = Centre {
        region_code: BZH.into(),
        ..centre.clone()
    };
    assert!(matches!(
        network::set_centre(&mut tx, &access(ARA), &breton_centre).await,
        Err(StoreError::Invalid("region"))
    ));
    tx.commit().await.unwrap();

    let places = network::places_for(&db, "Isère").await.unwrap();
    assert_eq!(places.iter().map(|d| d.code).collect::<Vec<_>>(), ["38"]);
    let by_postcode = network::places_for(&db, "73000").await.unwrap();
    assert_eq!(by_postcode[0].code, "73");
    let by_commune = network::places_for(&db, "commune 38").await.unwrap();
    assert_eq!(by_commune[0].code, "38");

    let answer = network::public_answer(&db, places[0]).await.unwrap();
    assert_eq!(
        answer.centre.as_ref().map(|c| c.name.as_str()),
        Some("CRAtb Auvergne-Rhône-Alpes")
    );
    assert_eq!(answer.teams.len(), 1);
    let t = &answer.teams[0];
    assert_eq!(t.name, "EMA Grenoble");
    assert_eq!(t.members.len(), 1, "Bruno did not consent to his name");
    let m = &t.members[0];
    assert_eq!(
        (
            m.name.as_str(),
            m.discipline.as_str(),
            m.email.as_deref(),
            m.phone.as_deref()
        ),
        (
            "Alice Durand",
            "infectiologist",
            Some("alice.durand@chu.test"),
            None
        )
    );
    // What is public serialises without anything else of the member.
    let json = serde_json::to_string(&answer).unwrap();
    assert!(
        !json.contains("bruno") && !json.contains("Bernard"),
        "{json}"
    );
    assert!(
        !json.contains("76 75") && !json.contains("476767575"),
        "{json}"
    );

    // A department the team serves elsewhere in the region; one it does not serve.
    let savoie = geo::department("73").unwrap();
    assert_eq!(
        network::public_answer(&db, savoie)
            .await
            .unwrap()
            .teams
            .len(),
        1
    );
    let finistere = geo::department("29").unwrap();
    let breton = network::public_answer(&db, finistere).await.unwrap();
    assert!(breton.teams.is_empty() && breton.centre.is_none());
}
