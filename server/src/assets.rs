//! Static files. Hashed build outputs under `/pkg` are immutable: cached for a year and
//! served precompressed (brotli/gzip files written by `cargo leptos build --release -P`).
//! The service worker must always be revalidated so updates reach installed apps.

use crate::AppState;
use crate::config::Config;
use axum::Router;
use axum::http::{HeaderValue, header};
use tower::ServiceBuilder;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

pub fn router(config: &Config) -> Router<AppState> {
    let root = std::path::Path::new(&config.site_root);
    let pkg = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ))
        .service(
            ServeDir::new(root.join(&config.site_pkg_dir))
                .precompressed_br()
                .precompressed_gzip(),
        );
    let sw = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .service(ServeFile::new(root.join("sw.js")));
    let static_dir = |dir: &str| {
        ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::if_not_present(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ))
            .service(
                ServeDir::new(root.join(dir))
                    .precompressed_br()
                    .precompressed_gzip(),
            )
    };
    Router::new()
        .nest_service(&format!("/{}", config.site_pkg_dir), pkg)
        .nest_service("/icons", static_dir("icons"))
        .route_service("/sw.js", sw)
}
