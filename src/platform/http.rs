//! The plain (non-page) routes and their table type, operational endpoints for load
//! balancers and orchestrators, and the one shape of a download.

use super::state::AppState;
use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use serde_json::json;
use std::convert::Infallible;

/// A route the app serves besides its pages and server functions. Each feature lists its own
/// (`routes()`); the composition root (`crate::server`) builds the router from the lists, and
/// the route-walking test (tests/api/route_walk.rs) walks them, so a route added to a list is
/// walked as every kind of visitor without anyone listing it twice.
pub struct PlainRoute {
    pub method: ::http::Method,
    pub path: &'static str,
    pub handler: axum::routing::MethodRouter<AppState>,
    /// An upload: its body may take minutes to arrive on a weak network (`UPLOAD_TIME`).
    pub upload: bool,
    /// Called by another company's server (a gateway's notification, an SMS provider's
    /// reply): it never carries a session and never starts one (`session::resolve`).
    pub server_to_server: bool,
}

/// How long an upload may take: its body may arrive slowly (10 MB over a 1 Mbit/s phone
/// connection take 80 seconds). Every other request has `Config::request_secs`.
pub const UPLOAD_TIME: std::time::Duration = std::time::Duration::from_secs(15 * 60);

impl PlainRoute {
    pub fn get<H, T>(path: &'static str, handler: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        Self {
            method: ::http::Method::GET,
            path,
            handler: axum::routing::get(handler),
            upload: false,
            server_to_server: false,
        }
    }

    /// An upload: axum's 2 MB default body limit lifted (the handler enforces its own as the
    /// body streams in), and `UPLOAD_TIME` instead of `REQUEST_TIME`.
    pub fn upload(mut self) -> Self {
        self.handler = self
            .handler
            .layer(axum::extract::DefaultBodyLimit::disable());
        self.upload = true;
        self
    }

    pub fn post<H, T>(path: &'static str, handler: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        Self {
            method: ::http::Method::POST,
            path,
            handler: axum::routing::post(handler),
            upload: false,
            server_to_server: false,
        }
    }

    /// Called by another company's server, never by a person's browser.
    pub fn server_to_server(mut self) -> Self {
        self.server_to_server = true;
        self
    }
}

/// The platform's own routes: health, language switch, the vignette keys' public set, the
/// icon browsers ask for, and the development mailbox (off unless configured).
pub fn routes() -> Vec<PlainRoute> {
    use super::{dev_mailbox, locale, pwa, signing};
    vec![
        PlainRoute::get("/healthz", healthz),
        PlainRoute::get("/readyz", readyz),
        PlainRoute::get("/lang/{code}", locale::switch),
        PlainRoute::get(signing::KEYS_PATH, signing::key_set_handler),
        PlainRoute::get("/favicon.ico", pwa::favicon),
        PlainRoute::get(dev_mailbox::PATH, dev_mailbox::list),
        PlainRoute::get(dev_mailbox::SHOW_PATH, dev_mailbox::show),
    ]
}

/// The process is alive and serving HTTP. Touches nothing else, so a slow database never makes
/// an orchestrator kill a healthy process.
pub async fn healthz() -> impl IntoResponse {
    (StatusCode::OK, Json(json!({ "status": "ok" })))
}

/// The app server can take traffic: the database answers and all migrations are applied.
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.check_ready().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "not_ready" })),
            )
        }
    }
}

/// A file to download (a vignette's PDF, a staff report, an import template): its type, the
/// name the browser saves it under, and never kept by a cache (most are personal records).
pub fn attachment(
    content_type: &'static str,
    file_name: &str,
    body: impl Into<axum::body::Body>,
) -> axum::response::Response {
    use axum::http::header;
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        body.into(),
    )
        .into_response()
}

/// A file posted in a multipart form.
pub struct Upload {
    /// The name the sender's device gave it (untrusted: for display only).
    pub file_name: Option<String>,
    pub bytes: Vec<u8>,
}

/// Why no file could be read from a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UploadError {
    /// Not a multipart form (or a malformed one).
    NotAForm,
    /// The file, or the whole body, is over the limit.
    TooLarge,
}

/// The first file in the multipart form's field `field`, read chunk by chunk as it arrives
/// and refused past `max` bytes; the whole body is cut off 64 KiB above that, whatever its
/// other fields, so nothing larger is ever held in memory. `None` when the form has no such
/// field, or the field is empty (a form sent with no file chosen has an empty, nameless part).
pub async fn read_upload(
    req: axum::extract::Request,
    state: &AppState,
    field: &str,
    max: usize,
) -> Result<Option<Upload>, UploadError> {
    use axum::extract::FromRequest;
    // Only a multipart body is read as one (a malformed boundary is refused here, not inside
    // the parser).
    let multipart = req
        .headers()
        .get(::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data; boundary="));
    if !multipart {
        return Err(UploadError::NotAForm);
    }
    // The other fields and the multipart framing are small: 64 KiB is plenty for them.
    let req =
        req.map(|body| axum::body::Body::new(http_body_util::Limited::new(body, max + 64 * 1024)));
    let mut form = axum::extract::Multipart::from_request(req, state)
        .await
        .map_err(|_| UploadError::NotAForm)?;
    let mut file = None;
    loop {
        let mut part = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Err(UploadError::TooLarge),
        };
        if part.name() != Some(field) || file.is_some() {
            continue;
        }
        let file_name = part
            .file_name()
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        let mut bytes = Vec::new();
        loop {
            match part.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > max {
                        return Err(UploadError::TooLarge);
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(_) => return Err(UploadError::TooLarge),
            }
        }
        if file_name.is_some() || !bytes.is_empty() {
            file = Some(Upload { file_name, bytes });
        }
    }
    Ok(file)
}

/// A layer: the time limit of a request, `UPLOAD_TIME` for the routes in `uploads` (matched
/// route patterns: the layer runs after routing), `request` for every other. A request that
/// has not produced its response in time gets a 503. A plain `tower` layer, not `from_fn`:
/// nothing is boxed or cloned per request (see `guard`).
#[derive(Clone)]
pub struct TimeLimit {
    pub uploads: std::sync::Arc<[&'static str]>,
    pub request: std::time::Duration,
}

impl<S> tower::Layer<S> for TimeLimit {
    type Service = TimeLimited<S>;

    fn layer(&self, inner: S) -> TimeLimited<S> {
        TimeLimited {
            limit: self.clone(),
            inner,
        }
    }
}

#[derive(Clone)]
pub struct TimeLimited<S> {
    limit: TimeLimit,
    inner: S,
}

impl<S, B> tower::Service<axum::extract::Request> for TimeLimited<S>
where
    S: tower::Service<axum::extract::Request, Response = http::Response<B>, Error = Infallible>,
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = axum::response::Response;
    type Error = Infallible;
    type Future = TimeLimitFuture<S::Future>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: axum::extract::Request) -> Self::Future {
        let upload = req
            .extensions()
            .get::<axum::extract::MatchedPath>()
            .is_some_and(|m| self.limit.uploads.contains(&m.as_str()));
        let limit = if upload {
            UPLOAD_TIME
        } else {
            self.limit.request
        };
        TimeLimitFuture {
            future: tokio::time::timeout(limit, self.inner.call(req)),
            limit,
        }
    }
}

pin_project_lite::pin_project! {
    pub struct TimeLimitFuture<F> {
        #[pin]
        future: tokio::time::Timeout<F>,
        limit: std::time::Duration,
    }
}

impl<F, B> std::future::Future for TimeLimitFuture<F>
where
    F: std::future::Future<Output = Result<http::Response<B>, Infallible>>,
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Output = Result<axum::response::Response, Infallible>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let this = self.project();
        match std::task::ready!(this.future.poll(cx)) {
            Ok(Ok(res)) => std::task::Poll::Ready(Ok(res.map(axum::body::Body::new))),
            Err(_) => {
                let limit = *this.limit;
                tracing::warn!(?limit, "a request took too long: answered 503");
                std::task::Poll::Ready(Ok(super::plain_pages::unavailable_response()))
            }
        }
    }
}
