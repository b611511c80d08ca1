//! Choropleth maps of departments, drawn as SVG by the server: no script, readable by a screen
//! reader (each department carries its name and value in a `<title>`), printable.
//!
//! The outlines are the metropolitan departments of IGN Admin Express, simplified, from the
//! france-geojson project (Licence Ouverte), embedded compressed; pages that show a map credit
//! "IGN – Admin Express". Overseas departments are not in this file: their regions get no map
//! (the tables still say everything).

use std::fmt::Write;
use std::io::Read;
use std::sync::OnceLock;

/// The outlines as shipped (GeoJSON, gzip).
const GEOJSON_GZ: &[u8] = include_bytes!("../data/departements.geojson.gz");

/// One department's outline: rings of (longitude, latitude).
struct Outline {
    code: String,
    rings: Vec<Vec<(f64, f64)>>,
}

fn outlines() -> &'static [Outline] {
    static CELL: OnceLock<Vec<Outline>> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut text = String::new();
        flate2::read::GzDecoder::new(GEOJSON_GZ)
            .read_to_string(&mut text)
            .expect("the embedded outlines are gzip");
        let doc: serde_json::Value = serde_json::from_str(&text).expect("embedded GeoJSON");
        let ring = |r: &serde_json::Value| -> Vec<(f64, f64)> {
            r.as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
                .collect()
        };
        doc["features"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| {
                let g = &f["geometry"];
                let polygons: Vec<&serde_json::Value> = match g["type"].as_str() {
                    Some("Polygon") => vec![&g["coordinates"]],
                    _ => g["coordinates"].as_array().into_iter().flatten().collect(),
                };
                Outline {
                    code: f["properties"]["code"].as_str().unwrap_or("").to_owned(),
                    rings: polygons
                        .into_iter()
                        .flat_map(|p| p.as_array().into_iter().flatten().map(ring))
                        .collect(),
                }
            })
            .collect()
    })
}

/// What the map shows for one department.
pub struct Shade {
    pub code: String,
    /// Hover text and accessible name (`Isère : 72 % couvert`).
    pub title: String,
    /// Fill colour (`#2b8cbe`).
    pub fill: &'static str,
    /// Where a click leads, if anywhere.
    pub href: Option<String>,
}

/// A five-step sequential scale (ColorBrewer PuBu, colour-blind safe) for a share in percent;
/// grey when there is nothing to measure.
pub fn share_colour(share: Option<f64>) -> &'static str {
    match share {
        None => "#e5e7eb",
        Some(s) if s < 20.0 => "#f1eef6",
        Some(s) if s < 40.0 => "#bdc9e1",
        Some(s) if s < 60.0 => "#74a9cf",
        Some(s) if s < 80.0 => "#2b8cbe",
        Some(_) => "#045a8d",
    }
}

/// The legend of [`share_colour`]: (colour, label).
pub fn share_legend() -> [(&'static str, &'static str); 6] {
    [
        ("#f1eef6", "< 20 %"),
        ("#bdc9e1", "20–40 %"),
        ("#74a9cf", "40–60 %"),
        ("#2b8cbe", "60–80 %"),
        ("#045a8d", "≥ 80 %"),
        ("#e5e7eb", "—"),
    ]
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An SVG map of the given departments, fitted to their extent, `width` pixels wide; `None`
/// when none of them has an outline (overseas).
pub fn departments_svg(shades: &[Shade], width: f64, label: &str) -> Option<String> {
    let all = outlines();
    let chosen: Vec<(&Outline, &Shade)> = shades
        .iter()
        .filter_map(|s| all.iter().find(|o| o.code == s.code).map(|o| (o, s)))
        .collect();
    if chosen.is_empty() {
        return None;
    }
    // Equirectangular projection with the longitude shrunk by the cosine of the mean latitude:
    // at the scale of a region, indistinguishable from Lambert-93.
    let points = || chosen.iter().flat_map(|(o, _)| o.rings.iter().flatten());
    let (mut min_x, mut max_x, mut min_y, mut max_y) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    let mut lat_sum = 0.0;
    let mut n = 0.0;
    for &(_, lat) in points() {
        lat_sum += lat;
        n += 1.0;
    }
    let k = (lat_sum / n).to_radians().cos();
    for &(lon, lat) in points() {
        min_x = min_x.min(lon * k);
        max_x = max_x.max(lon * k);
        min_y = min_y.min(-lat);
        max_y = max_y.max(-lat);
    }
    let scale = width / (max_x - min_x).max(1e-9);
    let height = ((max_y - min_y) * scale).ceil();
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" aria-label=\"{}\" class=\"map\">",
        escape(label)
    );
    for (o, s) in chosen {
        let mut d = String::new();
        for ring in &o.rings {
            for (i, &(lon, lat)) in ring.iter().enumerate() {
                let x = (lon * k - min_x) * scale;
                let y = (-lat - min_y) * scale;
                let _ = write!(d, "{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" });
            }
            d.push('Z');
        }
        let path = format!(
            "<path d=\"{d}\" fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"1\" data-code=\"{}\"><title>{}</title></path>",
            s.fill,
            escape(&s.code),
            escape(&s.title)
        );
        match &s.href {
            Some(h) => {
                let _ = write!(svg, "<a href=\"{}\">{path}</a>", escape(h));
            }
            None => svg.push_str(&path),
        }
    }
    svg.push_str("</svg>");
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metropolitan_department_has_an_outline() {
        let codes: Vec<&str> = outlines().iter().map(|o| o.code.as_str()).collect();
        assert_eq!(codes.len(), 96);
        for d in cratb_domain::DEPARTMENTS
            .iter()
            .filter(|d| d.code.len() == 2)
        {
            assert!(codes.contains(&d.code), "no outline for {}", d.code);
        }
    }

    #[test]
    fn a_region_map_has_one_shape_per_department_and_overseas_has_none() {
        let shades: Vec<Shade> = cratb_domain::geo::departments_of("53")
            .map(|d| Shade {
                code: d.code.into(),
                title: format!("{} : 50 %", d.name),
                fill: share_colour(Some(50.0)),
                href: None,
            })
            .collect();
        let svg = departments_svg(&shades, 600.0, "Bretagne").unwrap();
        assert_eq!(svg.matches("<path").count(), 4);
        assert!(svg.contains("Côtes-d'Armor : 50 %"));
        assert!(svg.contains("#74a9cf"));
        let overseas = [Shade {
            code: "974".into(),
            title: String::new(),
            fill: share_colour(None),
            href: None,
        }];
        assert!(departments_svg(&overseas, 600.0, "La Réunion").is_none());
    }

    #[test]
    fn the_scale_has_five_steps_and_grey_for_nothing() {
        assert_eq!(share_colour(None), "#e5e7eb");
        assert_eq!(share_colour(Some(0.0)), "#f1eef6");
        assert_eq!(share_colour(Some(79.9)), "#2b8cbe");
        assert_eq!(share_colour(Some(100.0)), "#045a8d");
    }
}
