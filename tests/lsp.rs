//! `healthlint server` driven by a scripted client over its standard input and output, as an
//! editor drives it: initialize (with the position encoding negotiated), open, change, save,
//! diagnostics, hover, code actions, shutdown and exit; and the messages that must never stop
//! it (malformed JSON, unknown methods, documents it does not know, a broken or changed
//! configuration, a file deleted under an open buffer).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Long enough for a loaded machine; a passing test never waits this long.
const PATIENCE: Duration = Duration::from_secs(30);

struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    /// Messages read while waiting for another.
    seen: Vec<Value>,
    next_id: i64,
}

impl Client {
    /// Starts the server in `dir` (its working directory, where no config is expected to
    /// matter) with rule pages written under `dir` instead of the user's cache.
    fn start(dir: &Path, args: &[&str]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_healthlint"))
            .arg("server")
            .args(args)
            .current_dir(dir)
            .env("XDG_CACHE_HOME", dir.join(".cache"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server starts");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, messages) = mpsc::channel();
        std::thread::spawn(move || loop {
            let mut length = None;
            loop {
                let mut line = String::new();
                if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(n) = line.strip_prefix("Content-Length: ") {
                    length = Some(n.parse::<usize>().unwrap());
                }
            }
            let mut body = vec![0; length.expect("every frame has a Content-Length")];
            stdout.read_exact(&mut body).unwrap();
            if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                return;
            }
        });
        Client {
            child,
            stdin,
            messages,
            seen: Vec::new(),
            next_id: 0,
        }
    }

    /// Starts a server and initializes it with `capabilities` and `options` (debounce 0 so
    /// that every change is checked at once), rooted at `dir`.
    fn initialized(dir: &Path, capabilities: Value, options: Value) -> (Client, Value) {
        let mut client = Client::start(dir, &[]);
        let mut init = json!({"debounceMs": 0});
        init.as_object_mut()
            .unwrap()
            .extend(options.as_object().cloned().unwrap_or_default());
        let reply = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(dir),
                "capabilities": capabilities,
                "initializationOptions": init,
            }),
        );
        client.notify("initialized", json!({}));
        (client, reply)
    }

    fn raw(&mut self, body: &[u8]) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(body).unwrap();
        self.stdin.flush().unwrap();
    }

    fn send(&mut self, mut message: Value) {
        message["jsonrpc"] = json!("2.0");
        self.raw(message.to_string().as_bytes());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"method": method, "params": params}));
    }

    /// Sends a request and returns the whole reply (`result` or `error`).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"id": id, "method": method, "params": params}));
        self.wait(|m| m["id"] == id && m.get("method").is_none())
    }

    /// The first message, read now or earlier, that `wanted` accepts (it is used up).
    fn wait(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.seen.iter().position(&wanted) {
            return self.seen.remove(i);
        }
        let deadline = Instant::now() + PATIENCE;
        loop {
            match self
                .messages
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(m) if wanted(&m) => return m,
                Ok(m) => self.seen.push(m),
                Err(RecvTimeoutError::Timeout) => panic!("no such message; seen: {:#?}", self.seen),
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the server stopped; seen: {:#?}", self.seen)
                }
            }
        }
    }

    /// The next diagnostics published for `uri` (at `version`, when given).
    fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Vec<Value> {
        let m = self.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && version.is_none_or(|v| m["params"]["version"] == v)
        });
        m["params"]["diagnostics"].as_array().unwrap().clone()
    }

    fn open(&mut self, uri: &str, language: &str, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        );
        self.diagnostics(uri, Some(1))
    }

    /// Ends the session as an editor does; the exit code must be 0.
    fn shutdown(mut self) {
        let reply = self.request("shutdown", Value::Null);
        assert_eq!(reply["result"], Value::Null, "{reply}");
        self.notify("exit", Value::Null);
        let status = wait_exit(&mut self.child);
        assert_eq!(status, Some(0));
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_exit(child: &mut Child) -> Option<i32> {
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("the server did not exit");
}

/// A server rooted at a new folder and initialized with `options`, and the URI of the file
/// `name` in that folder.
fn session(name: &str, options: Value) -> (tempfile::TempDir, String, Client) {
    let dir = tempfile::tempdir().unwrap();
    let doc = uri(&dir.path().join(name));
    let (client, _) = Client::initialized(dir.path(), json!({}), options);
    (dir, doc, client)
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// `(code, start line, start character, end character)` of each diagnostic.
fn places(diagnostics: &[Value]) -> Vec<(String, u64, u64, u64)> {
    diagnostics
        .iter()
        .map(|d| {
            let r = &d["range"];
            (
                d["code"].as_str().unwrap_or("").to_string(),
                r["start"]["line"].as_u64().unwrap(),
                r["start"]["character"].as_u64().unwrap(),
                r["end"]["character"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    places(diagnostics).into_iter().map(|p| p.0).collect()
}

/// A line with an emoji before the flagged words: UTF-16 counts it as 2 units, UTF-8 as 4
/// bytes, code points as 1.
const EMOJI_ARTICLE: &str = "# Knee care\n\n😀 Our balm is 100% safe for everyone.\n";

#[test]
fn positions_are_in_the_negotiated_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let doc = uri(&dir.path().join("knee.md"));
    let start = "😀 Our balm is ".len();
    let cases = [
        (json!({}), "utf-16", 2 + " Our balm is ".len()),
        (
            json!({"general": {"positionEncodings": ["utf-16", "utf-8"]}}),
            "utf-8",
            start,
        ),
        (
            json!({"general": {"positionEncodings": ["utf-32"]}}),
            "utf-16",
            2 + " Our balm is ".len(),
        ),
    ];
    for (capabilities, encoding, character) in cases {
        let (mut client, reply) = Client::initialized(dir.path(), capabilities, json!({}));
        assert_eq!(
            reply["result"]["capabilities"]["positionEncoding"],
            encoding
        );
        let found = client.open(&doc, "markdown", EMOJI_ARTICLE);
        let safe = places(&found)
            .into_iter()
            .find(|p| p.0 == "HL501")
            .unwrap_or_else(|| panic!("no HL501 in {found:#?}"));
        let width = "100% safe".len() as u64;
        assert_eq!(
            safe,
            (
                "HL501".into(),
                2,
                character as u64,
                character as u64 + width
            )
        );
        client.shutdown();
    }
}

#[test]
fn diagnostics_follow_open_change_and_save_with_their_details() {
    let (_dir, doc, mut client) = session("knee.md", json!({}));
    let found = client.open(&doc, "markdown", EMOJI_ARTICLE);
    let safe = found.iter().find(|d| d["code"] == "HL501").unwrap();
    assert_eq!(safe["severity"], 2, "a warning");
    assert_eq!(safe["source"], "healthlint");
    assert!(safe["message"]
        .as_str()
        .unwrap()
        .contains("\"100% safe\"\nhelp: "));
    let href = safe["codeDescription"]["href"].as_str().unwrap();
    let page = href.strip_prefix("file://").unwrap();
    assert!(page.ends_with("/HL501.md"), "{href}");
    let text = std::fs::read_to_string(page).unwrap();
    assert!(text.contains("# HL501 risk-free-claim"), "{text}");

    // An incremental change that takes the claim out (line 2, after the emoji, in UTF-16).
    let from = 2 + " Our balm is ".len();
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": doc, "version": 2},
            "contentChanges": [{
                "range": {"start": {"line": 2, "character": from}, "end": {"line": 2, "character": from + 9}},
                "text": "gentle"
            }]
        }),
    );
    let after = client.diagnostics(&doc, Some(2));
    assert!(!codes(&after).contains(&"HL501".to_string()), "{after:#?}");

    // A whole-text change, then a save: checked again, with the text's CRLF line ends.
    let crlf = "# Knee care\r\n\r\nThis is a miracle cure.\r\n";
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 3}, "contentChanges": [{"text": crlf}]}),
    );
    let found = client.diagnostics(&doc, Some(3));
    let cure = places(&found).into_iter().find(|p| p.0 == "HL502").unwrap();
    assert_eq!(cure, ("HL502".into(), 2, 10, 22));
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": doc}}),
    );
    assert_eq!(places(&client.diagnostics(&doc, Some(3))), places(&found));

    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": doc}}),
    );
    assert!(client.diagnostics(&doc, None).is_empty());
    client.shutdown();
}

#[test]
fn changes_are_checked_after_the_quiet_time_only() {
    let (_dir, doc, mut client) = session("knee.md", json!({"debounceMs": 500}));
    client.open(&doc, "markdown", "# Knee care\n\nRest.\n");
    for version in 2..=5 {
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": doc, "version": version},
                   "contentChanges": [{"text": format!("# Knee care\n\nRest {version}. A miracle cure.\n")}]}),
        );
    }
    let found = client.wait(|m| m["method"] == "textDocument/publishDiagnostics");
    assert_eq!(found["params"]["version"], 5, "{found}");
    assert!(codes(found["params"]["diagnostics"].as_array().unwrap()).contains(&"HL502".into()));
    assert!(
        !client
            .seen
            .iter()
            .any(|m| m["method"] == "textDocument/publishDiagnostics"),
        "only the last version is checked: {:#?}",
        client.seen
    );
    client.shutdown();
}

#[test]
fn hover_on_a_finding_prints_what_explain_prints() {
    let (dir, doc, mut client) = session("knee.md", json!({}));
    client.open(&doc, "markdown", EMOJI_ARTICLE);
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": doc}, "position": {"line": 2, "character": 20}}),
    );
    let explain = Command::new(env!("CARGO_BIN_EXE_healthlint"))
        .args(["explain", "HL501"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let value = &hover["result"]["contents"]["value"];
    assert_eq!(
        value.as_str().unwrap(),
        String::from_utf8(explain.stdout).unwrap()
    );
    let start = 2 + " Our balm is ".len();
    assert_eq!(
        hover["result"]["range"]["start"],
        json!({"line": 2, "character": start})
    );
    // Away from any finding: no hover.
    let none = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": doc}, "position": {"line": 1, "character": 0}}),
    );
    assert_eq!(none["result"], Value::Null, "{none}");
    client.shutdown();
}

/// Applies LSP text edits (UTF-16 positions, no two on one place) to `text`.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let character = p["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        for (i, c) in text[start..].char_indices() {
            if units >= character || c == '\n' {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (start, end, new) in edits {
        out.replace_range(start..end, new);
    }
    out
}

#[test]
fn code_actions_suppress_in_each_formats_comment_form_and_the_comment_works() {
    let dir = tempfile::tempdir().unwrap();
    let (mut client, _) = Client::initialized(dir.path(), json!({}), json!({}));
    let cases = [
        (
            "knee.md",
            "markdown",
            "<!-- healthlint-disable-next-line HL501 -->\n",
        ),
        (
            "knee.mdx",
            "mdx",
            "{/* healthlint-disable-next-line HL501 */}\n",
        ),
        // In plain text a blank line keeps the comment out of the paragraph it is above.
        (
            "knee.txt",
            "plaintext",
            "<!-- healthlint-disable-next-line HL501 -->\n\n",
        ),
    ];
    for (name, language, comment) in cases {
        let doc = uri(&dir.path().join(name));
        let before = client.open(&doc, language, EMOJI_ARTICLE);
        assert!(
            codes(&before).contains(&"HL501".to_string()),
            "{name}: {before:#?}"
        );
        let reply = client.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": doc},
                   "range": {"start": {"line": 2, "character": 18}, "end": {"line": 2, "character": 18}},
                   "context": {"diagnostics": []}}),
        );
        let actions = reply["result"].as_array().unwrap();
        let titles: Vec<&str> = actions
            .iter()
            .map(|a| a["title"].as_str().unwrap())
            .collect();
        assert_eq!(
            titles,
            ["Suppress HL501 on this line", "Suppress HL501 in this file"],
            "{name}"
        );
        assert_eq!(actions[0]["kind"], "quickfix");
        assert_eq!(actions[0]["diagnostics"][0]["code"], "HL501");
        let edits = actions[0]["edit"]["changes"][&doc].as_array().unwrap();
        let fixed = apply(EMOJI_ARTICLE, edits);
        assert_eq!(
            fixed,
            EMOJI_ARTICLE.replace("😀", &format!("{comment}😀")),
            "{name}"
        );
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": doc, "version": 2}, "contentChanges": [{"text": fixed}]}),
        );
        let after = client.diagnostics(&doc, Some(2));
        let mut expected = codes(&before);
        expected.retain(|c| c != "HL501");
        assert_eq!(
            codes(&after),
            expected,
            "{name}: the comment silences HL501 only"
        );
    }
    client.shutdown();
}

#[test]
fn an_unused_suppression_is_removed_by_its_fix() {
    let (_dir, doc, mut client) = session("knee.md", json!({}));
    let text = "# Knee care\n\n<!-- healthlint-disable-next-line HL501, HL502 -->\nOur balm is 100% safe.\n";
    let found = client.open(&doc, "markdown", text);
    let unused = found.iter().find(|d| d["code"] == "HL003").unwrap().clone();
    let reply = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": doc}, "range": unused["range"], "context": {"diagnostics": [unused]}}),
    );
    let action = &reply["result"][0];
    assert_eq!(action["title"], "Remove the unused suppression of `HL502`");
    assert_eq!(action["isPreferred"], true);
    let fixed = apply(text, action["edit"]["changes"][&doc].as_array().unwrap());
    assert_eq!(fixed, text.replace(", HL502", ""));
    client.shutdown();
}

#[test]
fn nothing_a_client_sends_stops_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let doc = uri(&dir.path().join("knee.md"));
    let mut client = Client::start(dir.path(), &[]);
    // Before `initialize`: refused, not fatal.
    let early = client.request("textDocument/hover", json!({}));
    assert_eq!(early["error"]["code"], -32002, "{early}");
    client.request("initialize", json!({"processId": null, "capabilities": {}, "initializationOptions": {"debounceMs": 0, "colour": 1}}));
    client.notify("initialized", json!({}));
    let warning = client.wait(|m| m["method"] == "window/logMessage");
    assert!(
        warning["params"]["message"]
            .as_str()
            .unwrap()
            .contains("`colour`"),
        "{warning}"
    );

    client.raw(b"{this is not json");
    let reply = client.wait(|m| m["error"]["code"] == -32700);
    assert_eq!(reply["id"], Value::Null);
    client.raw(br#"{"jsonrpc": "2.0", "id": 7, "method": 42}"#);
    let reply = client.wait(|m| m["id"] == 7);
    assert_eq!(reply["error"]["code"], -32600, "{reply}");
    client.raw(b"[1, 2]");
    client.wait(|m| m["error"]["code"] == -32600 && m["id"] == Value::Null);
    // A frame without a length, then a good one.
    write!(client.stdin, "Content-Type: text/plain\r\n\r\n").unwrap();
    client.wait(|m| m["error"]["code"] == -32700);

    let unknown = client.request("textDocument/completion", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    let bad = client.request("textDocument/hover", json!({"textDocument": 3}));
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    let again = client.request("initialize", json!({"capabilities": {}}));
    assert_eq!(again["error"]["code"], -32600, "{again}");

    // Documents the server does not know: answered with nothing.
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": doc}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(hover["result"], Value::Null, "{hover}");
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": doc}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": []}}),
    );
    assert_eq!(actions["result"], json!([]), "{actions}");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 9}, "contentChanges": [{"text": "x"}]}),
    );
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": doc}}),
    );
    client.notify("textDocument/didOpen", json!({"textDocument": 5}));
    client.notify("no/such/notification", json!({}));

    // A change whose range is past the end of the text is clamped, not fatal.
    client.open(&doc, "markdown", "# Knee care\n");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 2},
               "contentChanges": [{"range": {"start": {"line": 40, "character": 3}, "end": {"line": 2, "character": 0}}, "text": "\nA miracle cure.\n"}]}),
    );
    assert_eq!(codes(&client.diagnostics(&doc, Some(2))), ["HL502"]);

    // Still answering.
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": doc}, "position": {"line": 2, "character": 3}}),
    );
    assert!(hover["result"]["contents"]["value"]
        .as_str()
        .unwrap()
        .starts_with("HL502"));
    // After `shutdown`, requests are refused until `exit`.
    client.request("shutdown", Value::Null);
    let late = client.request("textDocument/hover", json!({}));
    assert_eq!(late["error"]["code"], -32600, "{late}");
    client.notify("exit", Value::Null);
    assert_eq!(wait_exit(&mut client.child), Some(0));
}

#[test]
fn exit_without_shutdown_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let (mut client, _) = Client::initialized(dir.path(), json!({}), json!({}));
    client.notify("exit", Value::Null);
    assert_eq!(wait_exit(&mut client.child), Some(1));
}

#[test]
fn configuration_comes_from_the_files_folder_and_reloads_when_it_changes() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("news")).unwrap();
    let config = site.join("healthlint.toml");
    std::fs::write(&config, "[rules]\nignore = [\"HL502\"]\n").unwrap();
    let text = "# Knee care\n\nA miracle cure. It is 100% safe.\n";
    // Started elsewhere: the config is found from the file's folder, not the server's.
    let (mut client, _) = Client::initialized(dir.path(), json!({}), json!({}));
    let doc = uri(&site.join("news/knee.md"));
    assert_eq!(codes(&client.open(&doc, "markdown", text)), ["HL501"]);

    std::fs::write(&config, "[rules]\nignore = [\"HL501\"]\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 2}]}),
    );
    assert_eq!(codes(&client.diagnostics(&doc, None)), ["HL502"]);

    // A broken config: the file is not checked, the diagnostic and a message say why.
    std::fs::write(&config, "[rules]\nignor = [\"HL501\"]\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 2}]}),
    );
    let found = client.diagnostics(&doc, None);
    assert_eq!(found.len(), 1, "{found:#?}");
    let message = found[0]["message"].as_str().unwrap();
    assert!(message.contains("ignor"), "{message}");
    let shown = client.wait(|m| m["method"] == "window/showMessage");
    assert!(shown["params"]["message"]
        .as_str()
        .unwrap()
        .contains("healthlint.toml"));

    // The file and its folder deleted under the open buffer: still checked from the buffer.
    std::fs::remove_dir_all(&site).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 3}, {"uri": doc, "type": 3}]}),
    );
    assert_eq!(codes(&client.diagnostics(&doc, None)), ["HL502", "HL501"]);
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": doc}}),
    );
    assert_eq!(codes(&client.diagnostics(&doc, None)), ["HL502", "HL501"]);
    client.shutdown();
}

/// The article that says to avoid heat on a new sprain, which `heat.md` contradicts.
const ICE: &str = "# Sprained ankle\n\nFor a new ankle sprain, use ice in the first 48 hours. \
                   Never use heat in the first 48 hours.\n";

/// A server rooted at a folder holding `heat.md` (`heat`) and `ice.md` ([`ICE`]), and the two
/// files' URIs.
fn heat_and_ice(heat: &str) -> (tempfile::TempDir, Client, String, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("heat.md"), heat).unwrap();
    std::fs::write(dir.path().join("ice.md"), ICE).unwrap();
    let (client, _) = Client::initialized(dir.path(), json!({}), json!({}));
    let doc = uri(&dir.path().join("heat.md"));
    let other = uri(&dir.path().join("ice.md"));
    (dir, client, doc, other)
}

#[test]
fn a_workspace_pass_finds_conflicts_across_files_as_related_locations() {
    let heat = "# Ankle sprain\n\n😀 For a new ankle sprain, apply heat in the first 48 hours.\n";
    let (_dir, mut client, doc, other) = heat_and_ice(heat);
    client.open(&doc, "markdown", heat);
    // The pass runs in the background; the open file is published again with its findings.
    let found = loop {
        let found = client.diagnostics(&doc, None);
        if codes(&found).contains(&"HL401".to_string()) {
            break found;
        }
    };
    let cross = found.iter().find(|d| d["code"] == "HL401").unwrap();
    // On the emoji line, in UTF-16 units.
    let start = 2 + " For a new ankle sprain, apply ".len();
    assert_eq!(
        cross["range"]["start"],
        json!({"line": 2, "character": start})
    );
    let related = cross["relatedInformation"].as_array().unwrap();
    let elsewhere = related
        .iter()
        .find(|r| r["location"]["uri"] == other)
        .unwrap();
    let heat_there = ICE.find("heat in").unwrap() - ICE.find("For a new").unwrap();
    assert_eq!(
        elsewhere["location"]["range"]["start"],
        json!({"line": 2, "character": heat_there})
    );
    // The other file, not open, gets its own cross-document finding.
    let theirs = client.diagnostics(&other, None);
    assert_eq!(codes(&theirs), ["HL401"]);

    // Once the buffer differs from the disk, the pass's findings no longer apply to it.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 2}, "contentChanges": [{"text": "# Ankle sprain\n\nRest it.\n"}]}),
    );
    assert!(!codes(&client.diagnostics(&doc, Some(2))).contains(&"HL401".to_string()));
    client.shutdown();
}

#[test]
fn a_comment_that_silences_only_a_cross_document_finding_is_not_reported_unused() {
    let heat = "# Ankle sprain\n\n<!-- healthlint-disable-next-line HL401 -->\n\
                For a new ankle sprain, apply heat in the first 48 hours.\n";
    let (_dir, mut client, doc, other) = heat_and_ice(heat);
    // The file's own check cannot see the other file, so the comment first shows as unused;
    // once the workspace pass has compared the files, the document is published again.
    let mut found = client.open(&doc, "markdown", heat);
    assert_eq!(codes(&client.diagnostics(&other, None)), ["HL401"]);
    while codes(&found).contains(&"HL003".to_string()) {
        found = client.diagnostics(&doc, None);
    }
    assert!(!codes(&found).contains(&"HL401".to_string()), "{found:?}");

    // A comment that silences nothing stays reported.
    let unused = heat.replace("HL401", "HL502");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 2}, "contentChanges": [{"text": unused}]}),
    );
    assert!(codes(&client.diagnostics(&doc, Some(2))).contains(&"HL003".to_string()));
    client.shutdown();
}
