//! gRPC over the frontend's stdin/stdout.
//!
//! BuildKit starts the frontend with two pipes (`frontend/gateway/gateway.go`, `newPipe`):
//! stdin carries the daemon's HTTP/2 frames to us, stdout ours to it. The daemon serves
//! cleartext HTTP/2 with prior knowledge, so the client speaks h2 at once (no TLS, no
//! upgrade). Nothing else may ever be written to stdout.

use std::io;
use std::os::fd::{FromRawFd, OwnedFd};
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::unix::pipe;
use tonic::transport::{Channel, Endpoint, Uri};
use tower::service_fn;

/// Largest gRPC message we send or accept: BuildKit's own limit (16 MiB,
/// `grpcclient/client.go`); Docker 20.10's daemon accepts at most 4 MiB.
pub const MAX_MESSAGE_BYTES: usize = 16 << 20;

/// stdin (read) and stdout (write) as one bidirectional stream.
struct Stdio {
    reader: pipe::Receiver,
    writer: pipe::Sender,
}

impl AsyncRead for Stdio {
    fn poll_read(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.reader).poll_read(context, buffer)
    }
}

impl AsyncWrite for Stdio {
    fn poll_write(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.writer).poll_write(context, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.writer).poll_flush(context)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.writer).poll_shutdown(context)
    }
}

/// Opens the HTTP/2 channel to the daemon on fds 0 and 1.
///
/// Errors: stdin/stdout are not pipes (the frontend was not started by BuildKit), or the
/// HTTP/2 handshake failed.
pub async fn connect() -> io::Result<Channel> {
    // SAFETY: fds 0 and 1 are open for the life of the process and nothing else uses them:
    // logging goes to stderr.
    let (stdin, stdout) = unsafe { (OwnedFd::from_raw_fd(0), OwnedFd::from_raw_fd(1)) };
    let stdio = Stdio {
        reader: pipe::Receiver::from_owned_fd(stdin)?,
        writer: pipe::Sender::from_owned_fd(stdout)?,
    };
    // The connector is called once; a second call (a reconnect) has no pipe left to offer.
    let slot = Mutex::new(Some(stdio));
    let connector = service_fn(move |_: Uri| {
        let stdio = slot.lock().ok().and_then(|mut slot| slot.take());
        async move {
            stdio.map(TokioIo::new).ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::BrokenPipe,
                    "the BuildKit connection on stdin/stdout is closed",
                )
            })
        }
    });
    Endpoint::from_static("http://localhost")
        .connect_with_connector(connector)
        .await
        .map_err(|error| io::Error::other(format!("HTTP/2 connection to BuildKit failed: {error}")))
}
