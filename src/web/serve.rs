//! The bot's HTTP servers (the tally pages, `/metrics`) served by hyper with limits: a
//! deadline for each request's head and a cap on connections at once.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;

/// What a client may hold of one of the bot's HTTP servers. Without limits (as under
/// `axum::serve`, which gives hyper no timer) a client sending half a request, or nothing, keeps
/// its connection and a file descriptor forever, and enough of them leave none for the bot.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// How long a request's head may take to arrive whole, counted from when the server starts
    /// waiting for it: on a new connection and again after each answer on a kept-alive one, so
    /// this is also how long a connection may sit idle.
    pub header_read: Duration,
    /// Connections served at once; the next ones wait in the listen queue until one closes.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            // Ample for a browser's request over a slow link, and for it to reuse the connection
            // for the page's stylesheet and chart.
            header_read: Duration::from_secs(10),
            // Far below the usual 1,024 descriptors a process may open, which the bot shares.
            max_connections: 256,
        }
    }
}

/// Serves `router` on `listener` within `limits` until the process ends: the tally pages, and
/// `/metrics` with `/healthz`.
pub async fn serve_router(
    listener: tokio::net::TcpListener,
    router: Router,
    limits: ConnectionLimits,
) -> anyhow::Result<()> {
    use tower_service::Service as _;
    let mut routes = router.into_make_service_with_connect_info::<SocketAddr>();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(limits.header_read);
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    loop {
        // A slot first: at the cap, connections wait in the kernel's queue, not in this process.
        let slot = slots.clone().acquire_owned().await?;
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                if !matches!(
                    e.kind(),
                    std::io::ErrorKind::ConnectionAborted | std::io::ErrorKind::ConnectionReset
                ) {
                    // Out of descriptors, most likely: accepting again at once would spin.
                    tracing::warn!(error = %e, "an HTTP server of the bot cannot accept a connection");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                continue;
            }
        };
        let service = match routes.call(peer).await {
            Ok(service) => service,
            Err(never) => match never {},
        };
        let connection = http.serve_connection(
            hyper_util::rt::TokioIo::new(stream),
            hyper_util::service::TowerToHyperService::new(service),
        );
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "an HTTP connection ended with an error");
            }
            drop(slot);
        });
    }
}
