//! The wire: takes bytes from the client (`Content-Length` framed JSON-RPC, as LSP defines it)
//! and hands on [`Message`]s; takes the server's replies and writes them framed. A reader
//! thread and a writer thread do the I/O, so that the main loop only ever waits on channels.
//!
//! `lsp-server`'s own stdio transport stops reading at the first malformed message, which
//! would end the server; this one answers it instead and reads on: a body that is not JSON
//! gets a parse error (-32700), JSON that is not a request, response or notification an
//! invalid-request error (-32600, with the request's `id` when it has a usable one), and a
//! frame with no `Content-Length` or an absurd one a parse error, its body skipped where its
//! length is known. Only the end of the input (or a read error) ends the reader.

use std::io::{self, BufRead, Read, Write};
use std::thread;

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{ErrorCode, Message};
use serde_json::{json, Value};

/// A larger body is refused (and skipped): a document is at most 64 MiB, and JSON escaping
/// can double it.
const MAX_BODY: usize = 160 * 1024 * 1024;

/// The channels of a running transport, and the writer thread to wait for at the end so that
/// the last replies are flushed.
pub(crate) struct Transport {
    pub incoming: Receiver<Message>,
    pub outgoing: Sender<String>,
    pub writer: thread::JoinHandle<()>,
}

/// Starts the reader and writer threads over `input` and `output`.
pub fn start(
    input: impl BufRead + Send + 'static,
    output: impl Write + Send + 'static,
) -> io::Result<Transport> {
    let (in_tx, incoming) = crossbeam_channel::unbounded();
    let (outgoing, out_rx) = crossbeam_channel::unbounded::<String>();
    let writer = thread::Builder::new()
        .name("healthlint-lsp-writer".into())
        .spawn(move || write_frames(output, out_rx))?;
    let errors = outgoing.clone();
    thread::Builder::new()
        .name("healthlint-lsp-reader".into())
        .spawn(move || read_frames(input, in_tx, errors))?;
    Ok(Transport {
        incoming,
        outgoing,
        writer,
    })
}

/// Serialises a message into the body the writer frames.
pub fn body(message: &Message) -> String {
    #[derive(serde::Serialize)]
    struct JsonRpc<'a> {
        jsonrpc: &'static str,
        #[serde(flatten)]
        message: &'a Message,
    }
    // Serialising plain data into a string cannot fail.
    serde_json::to_string(&JsonRpc {
        jsonrpc: "2.0",
        message,
    })
    .unwrap_or_default()
}

fn write_frames(output: impl Write, bodies: Receiver<String>) {
    let mut output = io::BufWriter::new(output);
    for body in bodies {
        if body.is_empty() {
            // The server is done: everything sent before this is written.
            return;
        }
        let written = write!(output, "Content-Length: {}\r\n\r\n{body}", body.len())
            .and_then(|()| output.flush());
        if written.is_err() {
            // The client is gone; the main loop learns it when the input ends.
            return;
        }
    }
}

/// What one frame held.
enum Frame {
    Body(Vec<u8>),
    /// A frame that could not be read as one, and why.
    Bad(String),
}

fn read_frames(mut input: impl BufRead, messages: Sender<Message>, errors: Sender<String>) {
    loop {
        let frame = match read_frame(&mut input) {
            Ok(Some(frame)) => frame,
            // The end of the input, or a read error: the client is gone.
            Ok(None) | Err(_) => return,
        };
        let reply = match frame {
            Frame::Bad(why) => Some(error(Value::Null, ErrorCode::ParseError, &why)),
            Frame::Body(bytes) => match parse(&bytes) {
                Ok(message) => {
                    if messages.send(message).is_err() {
                        return;
                    }
                    None
                }
                Err(reply) => Some(reply),
            },
        };
        if let Some(reply) = reply {
            if errors.send(reply).is_err() {
                return;
            }
        }
    }
}

/// A body as a message, or the error reply it gets.
fn parse(bytes: &[u8]) -> Result<Message, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        error(
            Value::Null,
            ErrorCode::ParseError,
            &format!("the message is not JSON: {e}"),
        )
    })?;
    let id = match value.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    let shape_ok = value
        .get("method")
        .is_none_or(|m| m.is_string() && value.get("result").is_none());
    let message = shape_ok
        .then(|| serde_json::from_value::<Message>(value).ok())
        .flatten();
    message.ok_or_else(|| {
        error(
            id,
            ErrorCode::InvalidRequest,
            "the message is not a JSON-RPC request, response or notification",
        )
    })
}

/// An error reply, as a body; `id` is null when the request's id could not be read.
pub fn error(id: Value, code: ErrorCode, message: &str) -> String {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code as i32, "message": message}})
        .to_string()
}

/// Reads one frame: headers up to an empty line, then `Content-Length` bytes. `None` at the
/// end of the input.
fn read_frame(input: &mut impl BufRead) -> io::Result<Option<Frame>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut seen_header = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if seen_header {
                break;
            }
            // Blank lines between frames carry nothing.
            continue;
        }
        seen_header = true;
        if let Some((name, value)) = text.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = Some(
                    value
                        .trim()
                        .parse::<usize>()
                        .map_err(|_| format!("invalid Content-Length `{}`", value.trim())),
                );
            }
        }
    }
    let length = match length {
        None => return Ok(Some(Frame::Bad("no Content-Length header".into()))),
        Some(Err(why)) => return Ok(Some(Frame::Bad(why))),
        Some(Ok(n)) => n,
    };
    if length > MAX_BODY {
        io::copy(&mut Read::take(&mut *input, length as u64), &mut io::sink())?;
        return Ok(Some(Frame::Bad(format!(
            "a message of {length} bytes is over the {MAX_BODY}-byte limit"
        ))));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    Ok(Some(Frame::Body(body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &str) -> Vec<Result<String, String>> {
        let mut input = io::Cursor::new(input.as_bytes().to_vec());
        let mut out = Vec::new();
        while let Some(frame) = read_frame(&mut input).unwrap() {
            out.push(match frame {
                Frame::Body(b) => Ok(String::from_utf8(b).unwrap()),
                Frame::Bad(why) => Err(why),
            });
        }
        out
    }

    #[test]
    fn frames_are_read_by_length_and_bad_headers_are_reported() {
        let input = "Content-Length: 2\r\n\r\n{}content-length: 3\r\nContent-Type: x\r\n\r\n[1]\
                     X-Other: 1\r\n\r\nContent-Length: many\r\n\r\n";
        assert_eq!(
            frames(input),
            [
                Ok("{}".to_string()),
                Ok("[1]".to_string()),
                Err("no Content-Length header".to_string()),
                Err("invalid Content-Length `many`".to_string()),
            ]
        );
    }

    #[test]
    fn bodies_that_are_no_message_get_error_replies_with_their_id() {
        let reply = parse(b"{\"jsonrpc\": \"2.0\", \"id\": 4, \"method\": 7}").unwrap_err();
        let reply: Value = serde_json::from_str(&reply).unwrap();
        assert_eq!(reply["id"], 4);
        assert_eq!(reply["error"]["code"], -32600);
        let reply: Value = serde_json::from_str(&parse(b"{nope").unwrap_err()).unwrap();
        assert_eq!(reply["id"], Value::Null);
        assert_eq!(reply["error"]["code"], -32700);
        let ok = parse(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"shutdown\"}").unwrap();
        assert!(matches!(ok, Message::Request(r) if r.method == "shutdown"));
    }
}
