//! HTTP: JSON-RPC on `POST /`, neard's `GET /status` and `GET /health`,
//! CORS as neard's default (any origin), bodies up to [`MAX_BODY_BYTES`].

use crate::{rpc, Node, MAX_BODY_BYTES};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS};
use hyper::header::{ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_MAX_AGE, CONTENT_TYPE, ORIGIN, VARY};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use near_jsonrpc_primitives::errors::RpcError;
use near_jsonrpc_primitives::message::Message;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Listens on 127.0.0.1:`port` (`0`: a free port).
pub async fn bind(port: u16) -> std::io::Result<TcpListener> {
    TcpListener::bind(("127.0.0.1", port)).await
}

/// Serves `node` on `listener` until the task is dropped; each connection
/// on its own task, each request's chain work on the blocking pool.
pub async fn serve(node: Arc<Node>, listener: TcpListener) {
    if let Ok(addr) = listener.local_addr() {
        node.set_addr(addr);
    }
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let node = node.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| respond(node.clone(), req));
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

/// Produces an empty block every `every` (`--block-time`).
pub async fn produce_blocks(node: Arc<Node>, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let node = node.clone();
        let made = tokio::task::spawn_blocking(move || node.change(|chain| chain.fast_forward(1))).await;
        if let Ok(Err(e)) = made {
            eprintln!("local-node: cannot persist a produced block: {e:#}");
        }
    }
}

fn json_response(status: u16, message: &Message) -> Response<Full<Bytes>> {
    let body = serde_json::to_vec(message).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn empty(status: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}

/// neard (actix-cors, any origin) echoes the caller's origin.
fn cors(mut response: Response<Full<Bytes>>, origin: Option<HeaderValue>, preflight: bool) -> Response<Full<Bytes>> {
    let headers = response.headers_mut();
    headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin.unwrap_or(HeaderValue::from_static("*")));
    headers.insert(VARY, HeaderValue::from_static("Origin"));
    if preflight {
        headers.insert(ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST"));
        headers.insert(
            ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("authorization, accept, content-type, x-api-key"),
        );
        headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("3600"));
    }
    response
}

async fn on_chain(node: Arc<Node>, body: Bytes) -> Message {
    tokio::task::spawn_blocking(move || rpc::handle(&node, &body))
        .await
        .unwrap_or_else(|e| Message::error(RpcError::new_internal_error(None, format!("request handler failed: {e}"))))
}

fn too_large() -> Response<Full<Bytes>> {
    let error = RpcError::parse_error(format!("request body exceeds {MAX_BODY_BYTES} bytes"));
    json_response(413, &Message::error(error))
}

enum BodyError {
    TooLarge,
    Broken(hyper::Error),
}

/// Reads a body of at most [`MAX_BODY_BYTES`]. A larger one is read on (and
/// thrown away, up to 4x the limit) so the client gets the 413 instead of a
/// reset connection.
async fn read_body(mut body: Incoming) -> Result<Bytes, BodyError> {
    let mut out = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(BodyError::Broken)?;
        let Ok(data) = frame.into_data() else { continue };
        seen += data.len();
        if seen > 4 * MAX_BODY_BYTES {
            break;
        }
        if seen <= MAX_BODY_BYTES {
            out.extend_from_slice(&data);
        }
    }
    if seen > MAX_BODY_BYTES {
        return Err(BodyError::TooLarge);
    }
    Ok(Bytes::from(out))
}

async fn respond(node: Arc<Node>, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let origin = req.headers().get(ORIGIN).cloned();
    let response = match (req.method().clone(), req.uri().path()) {
        (Method::OPTIONS, _) => return Ok(cors(empty(StatusCode::OK), origin, true)),
        (Method::GET, "/status") => {
            let body = Bytes::from_static(br#"{"jsonrpc":"2.0","id":"status","method":"status","params":[]}"#);
            match on_chain(node, body).await {
                Message::Response(r) => match r.result {
                    Ok(v) => {
                        let mut response = Response::new(Full::new(Bytes::from(v.to_string())));
                        response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                        response
                    }
                    Err(_) => empty(StatusCode::INTERNAL_SERVER_ERROR),
                },
                _ => empty(StatusCode::INTERNAL_SERVER_ERROR),
            }
        }
        (Method::GET, "/health") => empty(StatusCode::OK),
        (Method::POST, "/") => match read_body(req.into_body()).await {
            Ok(body) => {
                let message = on_chain(node, body).await;
                json_response(rpc::http_status(&message), &message)
            }
            Err(BodyError::TooLarge) => too_large(),
            Err(BodyError::Broken(e)) => {
                json_response(400, &Message::error(RpcError::parse_error(format!("cannot read body: {e}"))))
            }
        },
        (_, "/") => empty(StatusCode::METHOD_NOT_ALLOWED),
        _ => empty(StatusCode::NOT_FOUND),
    };
    Ok(cors(response, origin, false))
}
