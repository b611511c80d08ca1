//! End to end, on the real binary: `cratb migrate` and `cratb demo` make a database (a fresh
//! SQLite file, or a fresh PostgreSQL database when `CRATB_TEST_DATABASE_URL` is set), `cratb
//! serve` runs as a child process, a coordinator logs in over HTTP with the account `cratb
//! demo` printed and sends every hostile file of `cratb-sheet/tests/hostile/` to every import
//! route. Each is refused with a 4xx and its message; the server is still up afterwards and
//! its peak resident memory (`VmHWM`) stayed under 1 GiB.

#[path = "../../cratb-sheet/tests/hostile/mod.rs"]
mod hostile;

mod common;

use common::{COORD, Client, Server, cratb, demo_password, fresh_database};
/// The bound of issue 12: any single import under 1 GiB resident.
const MEMORY_BOUND: u64 = 1 << 30;

/// Fixtures whose refusal depends on the route: a route reads the header first and may
/// refuse its columns before the sheet reader sees the rest.
const ROUTE_SPECIFIC: [&str; 3] = [
    "header-only.csv",
    "header-only.xlsx",
    "rows-out-of-order.xlsx",
];

/// A page route that imports a file: its path, the file fields the file is sent in, and the
/// form's other fields.
struct PageRoute {
    path: &'static str,
    files: &'static [&'static str],
    fields: &'static [(&'static str, &'static str)],
}

const PAGE_ROUTES: [PageRoute; 6] = [
    PageRoute {
        path: "/directory/import",
        files: &["file"],
        fields: &[],
    },
    PageRoute {
        path: "/resistance/imports",
        files: &["file"],
        fields: &[],
    },
    PageRoute {
        path: "/consumption/imports",
        files: &["consumption", "denominators"],
        fields: &[("ddd_edition", "2025")],
    },
    PageRoute {
        path: "/consumption/ddd",
        files: &["file"],
        fields: &[("edition", "Édition piégée")],
    },
    PageRoute {
        path: "/consumption/primary-care/imports",
        files: &["file"],
        fields: &[("kind", "dispensations")],
    },
    PageRoute {
        path: "/consumption/primary-care/imports",
        files: &["file"],
        fields: &[("kind", "populations")],
    },
];

#[tokio::test(flavor = "multi_thread")]
async fn every_import_route_refuses_every_hostile_file_and_the_server_stays_up() {
    let database = fresh_database().await;
    cratb(&["migrate", "--database", &database]);
    let accounts = cratb(&["demo", "--database", &database]);
    let password = demo_password(&accounts, COORD);
    let server = Server::start(&database).await;
    let coord = server.login(COORD, &password).await;
    let api = coord.bearer(&coord.new_api_token("e2e", true).await);

    // Two senders, each over half of the routes: as many as the server's import slots.
    let fixtures = std::sync::Arc::new(hostile::all());
    let mut senders = Vec::new();
    for half in [0, 1] {
        let (fixtures, coord, api) = (fixtures.clone(), coord.clone(), api.clone());
        senders.push(tokio::spawn(async move {
            let routes = PAGE_ROUTES
                .iter()
                .enumerate()
                .filter(|(i, _)| i % 2 == half);
            for (_, route) in routes {
                for f in fixtures.iter() {
                    send_to_page(&coord, route, f).await;
                }
            }
            if half == 1 {
                for f in fixtures.iter() {
                    send_to_api(&api, f).await;
                }
            }
        }));
    }
    for sender in senders {
        if let Err(e) = sender.await {
            panic!("{e}\n{}", server.log());
        }
    }

    let res = coord.get("/healthz").send().await.unwrap();
    assert_eq!(res.status(), 200, "the server is still up");
    let peak = server.peak_resident();
    eprintln!(
        "peak resident memory of cratb serve: {} MiB ({} requests)",
        peak >> 20,
        fixtures.len() * (PAGE_ROUTES.len() + 1)
    );
    assert!(peak < MEMORY_BOUND, "peak resident {} MiB", peak >> 20);
}

/// Sends a hostile file to a page route: a 4xx with the fixture's message.
async fn send_to_page(client: &Client, route: &PageRoute, f: &hostile::Fixture) {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in route.fields {
        form = form.text(*name, *value);
    }
    for name in route.files {
        form = form.part(
            *name,
            reqwest::multipart::Part::bytes(f.bytes.clone()).file_name(f.name),
        );
    }
    let res = client
        .post_multipart(route.path, form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{} to {}: {e}", f.name, route.path));
    let status = res.status();
    let body = res.text().await.unwrap();
    let what = format!("{} to {} {:?}", f.name, route.path, route.fields);
    assert!(status.is_client_error(), "{what}: {status}");
    let message = f.refused_with.replace('\'', "&#39;");
    assert!(
        ROUTE_SPECIFIC.contains(&f.name) || body.contains(&message),
        "{what}: « {message} » not in the page"
    );
}

/// Sends a hostile file to the API's isolate import: a 4xx problem with the fixture's message.
async fn send_to_api(api: &Client, f: &hostile::Fixture) {
    let res = api
        .post("/api/v1/isolates/imports")
        .header("content-type", "application/octet-stream")
        .body(f.bytes.clone())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{} to the API: {e}", f.name));
    let status = res.status();
    let body = res.text().await.unwrap();
    assert!(status.is_client_error(), "{} to the API: {status}", f.name);
    // An empty body is refused by the route itself, before any reading.
    let message = match f.name {
        "empty.csv" => "le corps de la requête doit contenir le fichier",
        _ => f.refused_with,
    };
    assert!(
        ROUTE_SPECIFIC.contains(&f.name) || body.contains(message),
        "{} to the API: « {message} » not in {body}",
        f.name
    );
}
