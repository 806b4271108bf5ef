//! Implicit TLS (SMTPS) over a TCP stream we opened ourselves, so it can have TCP_NODELAY.
//!
//! lettre's own `connect_tokio1(.., Some(tls), ..)` opens the socket inside and never sets
//! NODELAY: Nagle then holds the end-of-data dot until the server's delayed ACK, 40 ms a
//! message (research notes §1; the fix, lettre PR #1159, is merged but not released). Instead
//! we connect, set NODELAY, let lettre's (deprecated but public) `AsyncNetworkStream` do the
//! TLS handshake with its rustls configuration, and hand the encrypted stream back to lettre
//! through this adapter, which turns its futures-io traits into tokio's. One cost: lettre's
//! `is_encrypted()` reports `false` for the adapter, which nothing in this crate asks.

#![allow(deprecated)] // AsyncNetworkStream: "not meant to be made public", yet the only handle on lettre's TLS.

use futures_io::{AsyncRead as FuturesRead, AsyncWrite as FuturesWrite};
use lettre::transport::smtp::client::{AsyncNetworkStream, AsyncTokioStream, TlsParameters};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// lettre's TLS stream, seen through tokio's IO traits.
#[derive(Debug)]
pub(crate) struct TlsOverTcp(AsyncNetworkStream);

impl TlsOverTcp {
    /// Runs the TLS handshake on `tcp`.
    pub(crate) async fn handshake(
        tcp: TcpStream,
        tls: TlsParameters,
    ) -> Result<Self, lettre::transport::smtp::Error> {
        let mut stream = AsyncNetworkStream::use_existing_tokio1(Box::new(tcp));
        stream.upgrade_tls(tls).await?;
        Ok(TlsOverTcp(stream))
    }
}

impl AsyncRead for TlsOverTcp {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let unfilled = buf.initialize_unfilled();
        match Pin::new(&mut self.0).poll_read(cx, unfilled) {
            Poll::Ready(Ok(n)) => {
                buf.advance(n);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncWrite for TlsOverTcp {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_close(cx)
    }
}

impl AsyncTokioStream for TlsOverTcp {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.peer_addr()
    }
}
