//! The yardstick for server throughput: a trivial axum handler returning a small HTML page,
//! measured in the same run as the portal's home page (`make bench`).
// A benchmark may unwrap: it measures, and stops at the first failure.
#![allow(clippy::unwrap_used)]

#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3301".into());
    let app = axum::Router::new().route(
        "/",
        axum::routing::get(|| async {
            axum::response::Html("<!DOCTYPE html><html lang=\"ar\" dir=\"rtl\"><title>t</title><h1>بوابة</h1></html>")
        }),
    );
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    axum::serve(listener, app).await.expect("serve");
}
