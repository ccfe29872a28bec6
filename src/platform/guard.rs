//! A check every request passes, as a plain `tower` layer: it looks at the request and either
//! answers it itself (a refusal, a redirect) or lets it on, and may then adjust the response.
//!
//! Why not `axum::middleware::from_fn`: each such layer boxes the rest of the stack and its
//! future on every request, and clones the services below it (issue 23: a purchase is eight
//! requests through every layer). A `Guard` is a function call before the inner service and
//! one after, with nothing allocated. Checks that wait on something (the session's read, the
//! time limit) stay `from_fn`.

use axum::{
    body::{Body, Bytes, HttpBody},
    extract::Request,
    response::Response,
};
use std::{
    convert::Infallible,
    future::Future,
    ops::ControlFlow,
    pin::Pin,
    task::{Context, Poll},
};

/// What a guard does with a request.
pub trait Check: Clone + Send + Sync + 'static {
    /// What the response's step needs to know about the request.
    type Carry: Send + 'static;

    /// Lets the request on (possibly changed), keeping what `after` needs, or answers it
    /// (`Break`).
    fn before(&self, req: &mut Request) -> ControlFlow<Response, Self::Carry>;

    /// Adjusts the response of a request `before` let on. Nothing by default.
    fn after(_carry: Self::Carry, _res: &mut Response) {}
}

/// The layer of a `Check`, for `tower::ServiceBuilder`.
#[derive(Clone)]
pub struct Guard<C>(pub C);

impl<C: Check, S> tower::Layer<S> for Guard<C> {
    type Service = Guarded<C, S>;

    fn layer(&self, inner: S) -> Self::Service {
        Guarded {
            check: self.0.clone(),
            inner,
        }
    }
}

#[derive(Clone)]
pub struct Guarded<C, S> {
    check: C,
    inner: S,
}

impl<C, S, B> tower::Service<Request> for Guarded<C, S>
where
    C: Check,
    S: tower::Service<Request, Response = http::Response<B>, Error = Infallible>,
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = GuardFuture<C, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        match self.check.before(&mut req) {
            ControlFlow::Continue(carry) => GuardFuture::Inner {
                future: self.inner.call(req),
                carry: Some(carry),
            },
            ControlFlow::Break(answer) => GuardFuture::Answered {
                answer: Some(answer),
            },
        }
    }
}

pin_project_lite::pin_project! {
    /// The inner service's response, adjusted; or the guard's own answer.
    #[project = GuardProjection]
    pub enum GuardFuture<C: Check, F> {
        Inner { #[pin] future: F, carry: Option<C::Carry> },
        Answered { answer: Option<Response> },
    }
}

impl<C: Check, F, B> Future for GuardFuture<C, F>
where
    F: Future<Output = Result<http::Response<B>, Infallible>>,
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            GuardProjection::Inner { future, carry } => {
                let Ok(res) = std::task::ready!(future.poll(cx));
                // Boxes the body only if it is not already one (`Body::new` looks first).
                let mut res = res.map(Body::new);
                if let Some(carry) = carry.take() {
                    C::after(carry, &mut res);
                }
                Poll::Ready(Ok(res))
            }
            GuardProjection::Answered { answer } => match answer.take() {
                Some(answer) => Poll::Ready(Ok(answer)),
                // Polled again after it answered: a bug in the caller, answered as a fault.
                None => Poll::Ready(Ok(super::plain_pages::unavailable_response())),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::{Service, ServiceExt};

    /// Refuses `/no`, lets anything else on and marks its response with the path's length.
    #[derive(Clone)]
    struct Mark;

    impl Check for Mark {
        type Carry = usize;
        fn before(&self, req: &mut Request) -> ControlFlow<Response, usize> {
            if req.uri().path() == "/no" {
                return ControlFlow::Break(
                    Response::builder().status(403).body(Body::empty()).unwrap(),
                );
            }
            req.headers_mut()
                .insert("seen", http::HeaderValue::from_static("yes"));
            ControlFlow::Continue(req.uri().path().len())
        }
        fn after(carry: usize, res: &mut Response) {
            res.headers_mut().insert("length", carry.into());
        }
    }

    fn inner() -> impl tower::Service<
        Request,
        Response = Response,
        Error = Infallible,
        Future = impl Future<Output = Result<Response, Infallible>> + Send,
    > + Clone {
        tower::service_fn(|req: Request| async move {
            // The inner service sees what `before` changed.
            let seen = req.headers().contains_key("seen");
            Ok::<_, Infallible>(
                Response::builder()
                    .status(if seen { 200 } else { 500 })
                    .body(Body::empty())
                    .unwrap(),
            )
        })
    }

    fn get(path: &str) -> Request {
        Request::builder().uri(path).body(Body::empty()).unwrap()
    }

    #[tokio::test]
    async fn a_guard_answers_or_lets_on_and_adjusts_the_response() {
        let mut service = tower::Layer::layer(&Guard(Mark), inner());
        let res = service
            .ready()
            .await
            .unwrap()
            .call(get("/yes"))
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["length"], "4");
        let res = service
            .ready()
            .await
            .unwrap()
            .call(get("/no"))
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        assert!(!res.headers().contains_key("length"));
    }
}
