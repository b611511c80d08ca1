//! The directory of professionals: every write keeps a version of the whole entry, RPPS
//! numbers are unique, an entry is read and changed within its region only; and the sheet
//! import, planned row by row (new, update, duplicate, invalid) then committed whole or not at
//! all.

mod common;

use common::*;
use cratb_directory::import::{Mode, Verdict, guess, read_sheet};
use cratb_directory::professionals::{
    DirectoryQuery, NewProfessional, ProfessionalInput, Snapshot, place_errors,
};
use cratb_domain::{RegionAccess, Rpps, Scope};
use cratb_store::directory::import::{self, CommitError};
use cratb_store::directory::{self};
use cratb_store::{Db, PageRequest, StoreError};

/// The access to region `reg`'s rows.
fn access(reg: &str) -> RegionAccess {
    Scope::National.access(reg).unwrap()
}

fn rpps(n: u32) -> String {
    Rpps::from_body(&format!("10{n:08}"))
        .unwrap()
        .as_str()
        .to_owned()
}

fn checked(input: &ProfessionalInput) -> NewProfessional {
    NewProfessional::validate(input, None).unwrap()
}

async fn ids(db: &Db, scope: &Scope, q: DirectoryQuery) -> Vec<i64> {
    directory::list(db, scope, &q, PageRequest::new(None, None))
        .await
        .unwrap()
        .items
        .iter()
        .map(|p| p.id)
        .collect()
}

#[tokio::test]
async fn every_write_keeps_a_version_of_the_entry() {
    let db = fresh().await;
    let chu = finess("38", 1);
    establishment(&db, "38", 1, "CHU Grenoble", "CHU").await;
    let ara = scope(ARA);
    let mut input = professional_input("Durand", "Alice", ARA);
    input.rpps = Some(rpps(1));

    let mut tx = db.begin().await.unwrap();
    let id = directory::create(
        &mut tx,
        &access(ARA),
        &checked(&input),
        "secretariat@cratb.test",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let p = directory::get(&db, &ara, id).await.unwrap();
    assert_eq!(
        (
            p.last_name.as_str(),
            p.profession.as_str(),
            p.rpps.as_deref(),
            p.email.as_deref(),
            p.establishments.as_str()
        ),
        (
            "Durand",
            "infectiologist",
            Some(rpps(1).as_str()),
            Some("alice.durand@chu.test"),
            ""
        )
    );
    assert!(
        !p.is_stale(cratb_store::now()),
        "a new entry counts as confirmed"
    );

    // Two changes: the establishment, then the e-mail with a note.
    input.establishments = Some(vec![chu.clone()]);
    input.network_roles = Some(vec!["ema_member".into()]);
    let mut tx = db.begin().await.unwrap();
    let summary = directory::update(
        &mut tx,
        &access(ARA),
        id,
        &checked(&input),
        "coordination@cratb.test",
        None,
    )
    .await
    .unwrap();
    assert_eq!(summary, "modifié : rôles, établissements");
    input.email = Some("a.durand@chu.test".into());
    let noted = directory::update(
        &mut tx,
        &access(ARA),
        id,
        &checked(&input),
        "coordination@cratb.test",
        Some("nouvelle adresse"),
    )
    .await
    .unwrap();
    assert_eq!(noted, "nouvelle adresse");
    tx.commit().await.unwrap();

    let p = directory::get(&db, &ara, id).await.unwrap();
    assert_eq!(
        (
            p.email.as_deref(),
            p.establishments.as_str(),
            p.network_roles.as_str()
        ),
        (Some("a.durand@chu.test"), chu.as_str(), "ema_member")
    );
    let workplaces = directory::workplaces(&db, id).await.unwrap();
    assert_eq!(workplaces[0].name, "CHU Grenoble");

    let history = directory::history(&db, &ara, id).await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|v| (v.version, v.actor.as_str(), v.summary.as_str()))
            .collect::<Vec<_>>(),
        [
            (3, "coordination@cratb.test", "nouvelle adresse"),
            (
                2,
                "coordination@cratb.test",
                "modifié : rôles, établissements"
            ),
            (1, "secretariat@cratb.test", "création"),
        ]
    );
    // Each version holds the whole entry as it was then.
    let first = history[2].snapshot().unwrap();
    let last = history[0].snapshot().unwrap();
    assert_eq!(first.email.as_deref(), Some("alice.durand@chu.test"));
    assert!(first.establishments.is_empty());
    assert_eq!(last.email.as_deref(), Some("a.durand@chu.test"));
    assert_eq!(last.establishments, [chu]);
    assert_eq!(last, Snapshot::of(&p));
}

#[tokio::test]
async fn an_rpps_number_names_one_professional() {
    let db = fresh().await;
    let mut alice = professional_input("Durand", "Alice", ARA);
    alice.rpps = Some(rpps(1));
    let first = professional(&db, &alice).await;
    let bruno = professional(&db, &professional_input("Bernard", "Bruno", ARA)).await;

    // Even filed in another region, the same RPPS number is a conflict.
    let mut yann = professional_input("Le Gall", "Yann", BZH);
    yann.rpps = Some(rpps(1));
    let mut tx = db.begin().await.unwrap();
    let r = directory::create(&mut tx, &access(BZH), &checked(&yann), "test").await;
    assert!(matches!(r, Err(StoreError::Conflict("rpps"))), "{r:?}");
    drop(tx);
    let mut bruno_input = professional_input("Bernard", "Bruno", ARA);
    bruno_input.rpps = Some(rpps(1));
    let mut tx = db.begin().await.unwrap();
    let r = directory::update(
        &mut tx,
        &access(ARA),
        bruno,
        &checked(&bruno_input),
        "test",
        None,
    )
    .await;
    assert!(matches!(r, Err(StoreError::Conflict("rpps"))), "{r:?}");
    drop(tx);
    // Nothing of the refused writes remains, not even a version.
    assert_eq!(count(&db, "SELECT COUNT(*) FROM professionals").await, 2);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM professional_versions").await,
        2
    );
    let p = directory::get(&db, &Scope::National, first).await.unwrap();
    assert_eq!(p.rpps, Some(rpps(1)));
    assert!(
        directory::get(&db, &Scope::National, bruno)
            .await
            .unwrap()
            .rpps
            .is_none()
    );
}

#[tokio::test]
async fn an_entry_is_read_and_changed_within_its_region_only() {
    let db = fresh().await;
    establishment(&db, "29", 1, "CHU Brest", "CHU").await;
    let breton_ght = territory(&db, "GHT", "GHT Brest", &["29"]).await;
    let ours = professional(&db, &professional_input("Durand", "Alice", ARA)).await;
    let mut nurse = professional_input("Bernard", "Bruno", ARA);
    nurse.profession = Some("nurse".into());
    let second = professional(&db, &nurse).await;
    let theirs = professional(&db, &professional_input("Le Gall", "Yann", BZH)).await;
    let ara = scope(ARA);

    assert!(not_found(directory::get(&db, &ara, theirs).await));
    assert!(not_found(directory::history(&db, &ara, theirs).await));
    assert_eq!(
        ids(&db, &ara, DirectoryQuery::default()).await,
        [second, ours]
    );
    assert_eq!(
        ids(&db, &Scope::National, DirectoryQuery::default()).await,
        [second, ours, theirs]
    );
    assert_eq!(
        directory::all(&db, &scope(BZH))
            .await
            .unwrap()
            .iter()
            .map(|p| p.id)
            .collect::<Vec<_>>(),
        [theirs]
    );
    let q = |q: Option<&str>, profession: Option<&str>| DirectoryQuery {
        q: q.map(Into::into),
        profession: profession.map(Into::into),
        ..Default::default()
    };
    assert_eq!(ids(&db, &ara, q(Some("alice"), None)).await, [ours]);
    assert_eq!(ids(&db, &ara, q(None, Some("nurse"))).await, [second]);
    assert!(ids(&db, &ara, q(Some("yann"), None)).await.is_empty());

    let mut tx = db.begin().await.unwrap();
    // Another region's entry: not found, whether updated or confirmed.
    let r = directory::update(
        &mut tx,
        &access(ARA),
        theirs,
        &checked(&professional_input("Pris", "Par Grenoble", BZH)),
        "test",
        None,
    )
    .await;
    assert!(not_found(r));
    assert!(not_found(
        directory::confirm(&mut tx, &access(ARA), theirs, cratb_store::now()).await
    ));
    // Filing someone in another region, or linking them to its establishment or GHT: refused.
    let r = directory::create(
        &mut tx,
        &access(ARA),
        &checked(&professional_input("Kerouac", "Anne", BZH)),
        "test",
    )
    .await;
    assert!(matches!(r, Err(StoreError::Invalid("region"))), "{r:?}");
    let mut elsewhere = professional_input("Durand", "Alice", ARA);
    elsewhere.territory_id = Some(breton_ght);
    let r = directory::update(
        &mut tx,
        &access(ARA),
        ours,
        &checked(&elsewhere),
        "test",
        None,
    )
    .await;
    assert!(
        matches!(r, Err(StoreError::Invalid("territory_id"))),
        "{r:?}"
    );
    tx.commit().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    let mut breton_workplace = professional_input("Durand", "Alice", ARA);
    breton_workplace.establishments = Some(vec![finess("29", 1)]);
    let checked_input = checked(&breton_workplace);
    let (unknown, territory_ok) = directory::unknown_places(&db, &checked_input)
        .await
        .unwrap();
    let errors = place_errors(&unknown, territory_ok);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].field, "establishments");
    let r = directory::update(&mut tx, &access(ARA), ours, &checked_input, "test", None).await;
    assert!(
        matches!(r, Err(StoreError::Invalid("establishments"))),
        "{r:?}"
    );
    drop(tx);
    assert_eq!(directory::history(&db, &ara, ours).await.unwrap().len(), 1);
    assert_eq!(
        directory::get(&db, &scope(BZH), theirs)
            .await
            .unwrap()
            .last_name,
        "Le Gall"
    );
}

#[tokio::test]
async fn confirming_an_entry_takes_it_off_the_stale_list() {
    let db = fresh().await;
    let id = professional(&db, &professional_input("Durand", "Alice", ARA)).await;
    let ara = scope(ARA);
    let stale = DirectoryQuery {
        stale: Some(true),
        ..Default::default()
    };
    assert!(ids(&db, &ara, stale.clone()).await.is_empty());

    // Last checked 400 days ago: stale.
    let long_ago = cratb_store::now() - time::Duration::days(400);
    let mut tx = db.begin().await.unwrap();
    assert_eq!(
        directory::confirm(&mut tx, &access(ARA), id, long_ago)
            .await
            .unwrap(),
        ARA
    );
    tx.commit().await.unwrap();
    assert_eq!(ids(&db, &ara, stale.clone()).await, [id]);
    assert!(
        directory::get(&db, &ara, id)
            .await
            .unwrap()
            .is_stale(cratb_store::now())
    );

    let mut tx = db.begin().await.unwrap();
    directory::confirm(&mut tx, &access(ARA), id, cratb_store::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(ids(&db, &ara, stale).await.is_empty());
    let p = directory::get(&db, &ara, id).await.unwrap();
    assert!(!p.is_stale(cratb_store::now()));
    // A confirmation changes no field: no new version.
    assert_eq!(directory::history(&db, &ara, id).await.unwrap().len(), 1);
}

/// A directory sheet as people send it (`;`-separated, French headers).
fn sheet(rows: &[&str]) -> cratb_store::tabular::Table {
    let text = format!(
        "Nom;Prénom;Profession;RPPS;E-mail;Établissements\n{}\n",
        rows.join("\n")
    );
    read_sheet(text.as_bytes()).unwrap()
}

#[tokio::test]
async fn the_sheet_import_classifies_each_row_then_writes_the_valid_ones() {
    let db = fresh().await;
    let chu = finess("38", 1);
    establishment(&db, "38", 1, "CHU Grenoble", "CHU").await;
    let mut alice = professional_input("Durand", "Alice", ARA);
    alice.rpps = Some(rpps(1));
    let alice = professional(&db, &alice).await;
    let bruno = professional(&db, &professional_input("Bernard", "Bruno", ARA)).await;
    // Someone of another region, of the same name as a row: not the same entry.
    professional(&db, &professional_input("Chevalier", "Claire", BZH)).await;
    let ara = scope(ARA);

    let table = sheet(&[
        // Alice gains an establishment: an update, found by her RPPS.
        &format!(
            "Durand;Alice;infectiologue;{};alice.durand@chu.test;{chu}",
            rpps(1)
        ),
        // Bruno as he is: a duplicate of his entry (found by name and e-mail).
        "Bernard;Bruno;Infectiologue;;bruno.bernard@chu.test;",
        // Someone new, then the same person again further down.
        &format!(
            "Chevalier;Claire;pharmacien;{};claire.chevalier@chu.test;{chu}",
            rpps(2)
        ),
        &format!(
            "Chevalier;Claire;pharmacien;{};claire.chevalier@chu.test;",
            rpps(2)
        ),
        // No last name and a bad e-mail; a FINESS unknown in the region.
        ";Denis;infectiologue;;pas-un-mail;",
        &format!(
            "Dupont;Eve;infectiologue;;eve.dupont@chu.test;{}",
            finess("38", 999)
        ),
    ]);
    let mapping = guess(&table.header);
    assert!(mapping.iter().take(5).all(Option::is_some), "{mapping:?}");
    let plan = import::plan(&db, &access(ARA), &table, &mapping)
        .await
        .unwrap();
    let verdicts: Vec<(usize, &str)> = plan
        .rows
        .iter()
        .map(|r| {
            (
                r.line,
                match &r.verdict {
                    Verdict::New => "new",
                    Verdict::Update { id } if *id == alice => "update alice",
                    Verdict::Update { .. } => "update someone else",
                    Verdict::Duplicate { .. } => "duplicate",
                    Verdict::Invalid { .. } => "invalid",
                },
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            (2, "update alice"),
            (3, "duplicate"),
            (4, "new"),
            (5, "duplicate"),
            (6, "invalid"),
            (7, "invalid"),
        ]
    );
    let Verdict::Invalid { reasons } = &plan.rows[4].verdict else {
        unreachable!()
    };
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[0].contains("« Nom »"), "{reasons:?}");
    let Verdict::Invalid { reasons } = &plan.rows[5].verdict else {
        unreachable!()
    };
    assert!(
        reasons[0].contains("aucun établissement de la région"),
        "{reasons:?}"
    );
    let counts = plan.counts();
    assert_eq!(
        (counts.new, counts.update, counts.duplicate, counts.invalid),
        (1, 1, 2, 2)
    );

    // All or nothing: two invalid rows, nothing written.
    let r = import::commit(
        &db,
        &access(ARA),
        &plan,
        Mode::AllOrNothing,
        "secretariat@cratb.test",
        "annuaire.csv",
        None,
    )
    .await;
    assert!(matches!(r, Err(CommitError::Invalid(2))), "{r:?}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM professionals").await, 3);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM professional_versions").await,
        3
    );
    // Another region's scope cannot commit into this one.
    // (The access to a region is had from a scope that reaches it only.)
    assert!(scope(BZH).access(ARA).is_none());

    // The valid rows only.
    let report = import::commit(
        &db,
        &access(ARA),
        &plan,
        Mode::ValidOnly,
        "secretariat@cratb.test",
        "annuaire.csv",
        None,
    )
    .await
    .unwrap();
    assert_eq!((report.created, report.updated), (1, 1));
    assert_eq!(
        report.skipped.iter().map(|s| s.0).collect::<Vec<_>>(),
        [3, 5, 6, 7]
    );
    let a = directory::get(&db, &ara, alice).await.unwrap();
    assert_eq!(a.establishments, chu);
    let history = directory::history(&db, &ara, alice).await.unwrap();
    assert_eq!(
        (history[0].version, history[0].summary.as_str()),
        (2, "import « annuaire.csv »")
    );
    assert_eq!(directory::history(&db, &ara, bruno).await.unwrap().len(), 1);
    let claire = directory::list(
        &db,
        &ara,
        &DirectoryQuery {
            q: Some("claire".into()),
            ..Default::default()
        },
        PageRequest::new(None, None),
    )
    .await
    .unwrap()
    .items;
    assert_eq!(claire.len(), 1);
    assert_eq!(
        (
            claire[0].profession.as_str(),
            claire[0].rpps.as_deref(),
            claire[0].establishments.as_str()
        ),
        ("pharmacist", Some(rpps(2).as_str()), chu.as_str())
    );
    assert_eq!(
        directory::history(&db, &ara, claire[0].id).await.unwrap()[0].version,
        1
    );

    // The same sheet again: what was written is now a duplicate.
    let again = import::plan(&db, &access(ARA), &table, &mapping)
        .await
        .unwrap();
    let c = again.counts();
    assert_eq!((c.new, c.update, c.duplicate, c.invalid), (0, 0, 4, 2));
}

#[tokio::test]
async fn a_commit_that_fails_midway_writes_nothing() {
    let db = fresh().await;
    let table = sheet(&[
        &format!(
            "Fabre;Franck;infectiologue;{};franck.fabre@chu.test;",
            rpps(3)
        ),
        &format!(
            "Garnier;Gilles;infectiologue;{};gilles.garnier@chu.test;",
            rpps(4)
        ),
    ]);
    let mapping = guess(&table.header);
    let plan = import::plan(&db, &access(ARA), &table, &mapping)
        .await
        .unwrap();
    assert_eq!(plan.counts().new, 2);
    // Between the preview and the commit, the second RPPS is taken (here, in another region,
    // which the plan of this one does not see).
    let mut yann = professional_input("Le Gall", "Yann", BZH);
    yann.rpps = Some(rpps(4));
    professional(&db, &yann).await;

    let r = import::commit(
        &db,
        &access(ARA),
        &plan,
        Mode::ValidOnly,
        "secretariat@cratb.test",
        "annuaire.csv",
        None,
    )
    .await;
    assert!(
        matches!(r, Err(CommitError::Store(StoreError::Conflict("rpps")))),
        "{r:?}"
    );
    // Neither row, nor a version of either.
    assert_eq!(count(&db, "SELECT COUNT(*) FROM professionals").await, 1);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM professional_versions").await,
        1
    );
}

#[tokio::test]
async fn an_rpps_number_of_another_region_is_refused_at_its_line() {
    let db = fresh().await;
    let mut yann = professional_input("Le Gall", "Yann", BZH);
    yann.rpps = Some(rpps(4));
    professional(&db, &yann).await;
    let table = sheet(&[
        &format!(
            "Fabre;Franck;infectiologue;{};franck.fabre@chu.test;",
            rpps(3)
        ),
        &format!(
            "Garnier;Gilles;infectiologue;{};gilles.garnier@chu.test;",
            rpps(4)
        ),
    ]);
    let plan = import::plan(&db, &access(ARA), &table, &guess(&table.header))
        .await
        .unwrap();
    assert_eq!(plan.counts().new, 1);
    let refused = &plan.rows[1];
    assert_eq!(refused.line, 3);
    match &refused.verdict {
        Verdict::Invalid { reasons } => assert!(
            reasons[0].contains("colonne « RPPS »") && reasons[0].contains("autre région"),
            "{reasons:?}"
        ),
        v => panic!("expected the line refused, got {v:?}"),
    }
    // The valid row goes in; the other is reported, not a failure of the whole file.
    let report = import::commit(
        &db,
        &access(ARA),
        &plan,
        Mode::ValidOnly,
        "secretariat@cratb.test",
        "annuaire.csv",
        None,
    )
    .await
    .unwrap();
    assert_eq!((report.created, report.skipped.len()), (1, 1));
    assert_eq!(report.skipped[0].0, 3);
}
