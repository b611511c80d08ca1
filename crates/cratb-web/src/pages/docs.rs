//! A readable page of the JSON API, rendered on the server from the OpenAPI document itself.

use super::{Layout, render};
use crate::api::ApiDoc;
use crate::auth::Auth;
use crate::i18n::Catalogue as _;
use askama::Template;
use axum::response::Response;
use serde_json::Value;
use utoipa::OpenApi;

pub struct Param {
    pub name: String,
    pub location: String,
    pub required: bool,
    pub description: String,
}

pub struct Endpoint {
    pub method: String,
    pub path: String,
    pub summary: String,
    pub params: Vec<Param>,
    pub body: Option<String>,
    pub responses: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "docs.html")]
struct DocsPage {
    l: Layout,
    endpoints: Vec<Endpoint>,
    version: String,
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or("").to_owned()
}

/// The endpoints of the OpenAPI document, in path order.
pub fn endpoints() -> Vec<Endpoint> {
    let doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or(Value::Null);
    let mut out = Vec::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            for method in ["get", "post", "put", "patch", "delete"] {
                let op = &item[method];
                if op.is_null() {
                    continue;
                }
                let params = op["parameters"]
                    .as_array()
                    .map(|ps| {
                        ps.iter()
                            .map(|p| Param {
                                name: text(&p["name"]),
                                location: text(&p["in"]),
                                required: p["required"].as_bool().unwrap_or(false),
                                description: text(&p["description"]),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let body = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                    .as_str()
                    .map(|r| r.rsplit('/').next().unwrap_or(r).to_owned());
                let responses = op["responses"]
                    .as_object()
                    .map(|rs| {
                        rs.iter()
                            .map(|(code, r)| (code.clone(), text(&r["description"])))
                            .collect()
                    })
                    .unwrap_or_default();
                let summary = [text(&op["summary"]), text(&op["description"])]
                    .into_iter()
                    .find(|s| !s.is_empty())
                    .unwrap_or_default();
                out.push(Endpoint {
                    method: method.to_uppercase(),
                    path: path.clone(),
                    summary,
                    params,
                    body,
                    responses,
                });
            }
        }
    }
    out
}

pub async fn api_docs(auth: Auth) -> Response {
    let version = ApiDoc::openapi().info.version;
    render(&DocsPage {
        l: Layout::new(&auth, auth.lang.tr().api_docs_title),
        endpoints: endpoints(),
        version,
    })
}
