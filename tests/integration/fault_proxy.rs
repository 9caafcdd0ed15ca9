//! A fault-injecting HTTP proxy on loopback, between trailctl and the emulator: every request is
//! forwarded to the emulator unless a rule says otherwise, and every request is counted by its
//! AWS operation. Rules fail chosen calls the way AWS fails them: throttling (`400
//! ThrottlingException`), a server error (`500`), or a connection closed without an answer. A
//! rule picks its calls by operation (substring), lets the first `skip` through, then fails
//! `times` of them; `seeded` rules fail a share of all calls, deterministically for a seed. A
//! rule can also let a call through with its tags dropped, as a service that ignores them.
//! Bounded: it serves only 127.0.0.1 and stops with the test binary.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// What a failing call gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// `400 ThrottlingException` (JSON and query protocols), which the SDK retries.
    Throttle,
    /// `500 InternalFailure`.
    ServerError,
    /// The connection closed after the request, with no answer.
    Reset,
    /// No answer at all, until the client goes away (a test kills it meanwhile: a crash at this
    /// call, with the call not made).
    Hang,
    /// The call is made with its tags dropped (the query protocols' `Tags.member.N.*`), as a
    /// service that ignores the tags of a create call; the answer is the emulator's.
    DropTags,
}

#[derive(Debug, Clone)]
pub struct Rule {
    /// A substring of the operation (`DescribeTrails`, `S3:PUT`), `*` for every call, or
    /// `WRITE` for every call that is not a read.
    pub op: &'static str,
    pub skip: usize,
    pub times: usize,
    pub fault: Fault,
}

impl Rule {
    /// Fails every matching call after the first `skip`.
    pub fn after(op: &'static str, skip: usize, fault: Fault) -> Rule {
        Rule {
            op,
            skip,
            times: usize::MAX,
            fault,
        }
    }
}

#[derive(Default)]
struct State {
    rules: Vec<(Rule, usize)>,
    /// Requests seen per operation.
    counts: HashMap<String, usize>,
    /// `(per mille, seed)`: fail that share of all calls, by a hash of the seed and the call.
    seeded: Option<(Vec<(u32, Fault)>, u64)>,
    seen: u64,
    /// Faults injected so far.
    injected: usize,
    /// Every operation, in the order the calls came.
    log: Vec<String>,
}

pub struct FaultProxy {
    pub endpoint: String,
    state: Arc<Mutex<State>>,
}

impl FaultProxy {
    pub fn start(upstream: &str) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the fault proxy");
        let endpoint = format!("http://{}", listener.local_addr().expect("proxy address"));
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let (state, upstream) = (shared.clone(), upstream.clone());
                std::thread::spawn(move || serve(conn, &upstream, &state));
            }
        });
        FaultProxy { endpoint, state }
    }

    pub fn rule(&self, rule: Rule) {
        self.lock().rules.push((rule, 0));
    }

    /// Fails `per_mille` of all calls with each fault, chosen by a hash of `seed` and the call's
    /// number: the same seed fails the same calls of the same sequence.
    pub fn seeded(&self, faults: Vec<(u32, Fault)>, seed: u64) {
        self.lock().seeded = Some((faults, seed));
    }

    pub fn clear(&self) {
        let mut s = self.lock();
        s.rules.clear();
        s.seeded = None;
    }

    /// Requests seen whose operation contains `op`.
    pub fn count(&self, op: &str) -> usize {
        self.lock()
            .counts
            .iter()
            .filter(|(k, _)| k.contains(op))
            .map(|(_, n)| n)
            .sum()
    }

    /// The writes seen, in order.
    pub fn writes(&self) -> Vec<String> {
        self.lock()
            .log
            .iter()
            .filter(|op| is_write(op))
            .cloned()
            .collect()
    }

    /// How many calls were failed so far.
    pub fn injected(&self) -> usize {
        self.lock().injected
    }

    pub fn reset_counts(&self) {
        self.lock().counts.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

struct Request {
    head: Vec<u8>,
    body: Vec<u8>,
    op: String,
}

/// The AWS operation of a request: the JSON protocols' `X-Amz-Target`, the query protocols'
/// `Action=`, else S3's method and path.
fn operation(head: &str, body: &[u8]) -> String {
    let mut lines = head.lines();
    let start = lines.next().unwrap_or_default();
    for l in lines {
        if let Some((k, v)) = l.split_once(':')
            && k.eq_ignore_ascii_case("x-amz-target")
        {
            return v.trim().rsplit('.').next().unwrap_or_default().to_owned();
        }
    }
    let body = String::from_utf8_lossy(body);
    if let Some(action) = body.split('&').find_map(|kv| kv.strip_prefix("Action=")) {
        return action.to_owned();
    }
    format!("S3:{start}")
}

fn read_request(r: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut head = Vec::new();
    loop {
        let mut line = Vec::new();
        if r.read_until(b'\n', &mut line).ok()? == 0 {
            return None;
        }
        let end = line == b"\r\n";
        head.extend_from_slice(&line);
        if end {
            break;
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let length = header(&text, "content-length")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    r.read_exact(&mut body).ok()?;
    let op = operation(&text, &body);
    Some(Request { head, body, op })
}

fn header(head: &str, name: &str) -> Option<String> {
    head.lines().skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_owned())
    })
}

/// The next response of `up`: status line and headers, then the body by its length or chunks
/// (none for a `HEAD` request, a 204 or a 304).
fn read_response(up: &mut BufReader<TcpStream>, head_request: bool) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let mut line = Vec::new();
        if up.read_until(b'\n', &mut line).ok()? == 0 {
            return None;
        }
        let end = line == b"\r\n";
        out.extend_from_slice(&line);
        if end {
            break;
        }
    }
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text.split(' ').nth(1).unwrap_or_default();
    if head_request || status == "204" || status == "304" {
        return Some(out);
    }
    if header(&text, "transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        loop {
            let mut size = Vec::new();
            up.read_until(b'\n', &mut size).ok()?;
            out.extend_from_slice(&size);
            let n = usize::from_str_radix(String::from_utf8_lossy(&size).trim(), 16).ok()?;
            let mut chunk = vec![0; n + 2];
            up.read_exact(&mut chunk).ok()?;
            out.extend_from_slice(&chunk);
            if n == 0 {
                return Some(out);
            }
        }
    }
    let length = header(&text, "content-length")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    up.read_exact(&mut body).ok()?;
    out.extend_from_slice(&body);
    Some(out)
}

/// The `op` of a rule that matches every write.
pub const WRITE: &str = "WRITE";

/// Whether an operation changes something: anything but the reads (`Describe*`, `Get*`,
/// `List*`, S3's `GET` and `HEAD`). STS `AssumeRole` and `GetCallerIdentity` are reads here.
pub fn is_write(op: &str) -> bool {
    let read = [
        "Describe",
        "Get",
        "List",
        "Head",
        "S3:GET ",
        "S3:HEAD ",
        "AssumeRole",
    ];
    !read.iter().any(|r| op.starts_with(r))
}

/// What happens to the request now: `None` forwards it.
fn decide(state: &Mutex<State>, op: &str) -> Option<Fault> {
    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
    s.log.push(op.to_owned());
    let fault = choose(&mut s, op);
    if fault.is_some() {
        s.injected += 1;
    }
    fault
}

fn choose(s: &mut State, op: &str) -> Option<Fault> {
    *s.counts.entry(op.to_owned()).or_default() += 1;
    s.seen += 1;
    let seen = s.seen;
    for (rule, matched) in &mut s.rules {
        let hit = match rule.op {
            "*" => true,
            WRITE => is_write(op),
            part => op.contains(part),
        };
        if hit {
            *matched += 1;
            if *matched > rule.skip && *matched - rule.skip <= rule.times {
                return Some(rule.fault);
            }
        }
    }
    if let Some((faults, seed)) = &s.seeded {
        // splitmix64 of (seed, call number): a fixed choice per call for a seed.
        let mut z = seed
            .wrapping_add(seen.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        let mut roll = ((z ^ (z >> 31)) % 1000) as u32;
        for (share, fault) in faults {
            if roll < *share {
                return Some(*fault);
            }
            roll -= share;
        }
    }
    None
}

/// The error as the request's protocol writes it: JSON (`X-Amz-Target`), query (`Action=`:
/// SNS, IAM, STS) or S3's REST errors (throttling there is `503 SlowDown`).
fn fault_response(fault: Fault, req: &Request) -> Option<Vec<u8>> {
    let head = String::from_utf8_lossy(&req.head);
    let json = header(&head, "x-amz-target").is_some();
    let s3 = req.op.starts_with("S3:");
    let (status, code) = match (fault, s3) {
        (Fault::Reset | Fault::Hang | Fault::DropTags, _) => return None,
        (Fault::Throttle, false) if json => ("400 Bad Request", "ThrottlingException"),
        (Fault::Throttle, false) => ("400 Bad Request", "Throttling"),
        (Fault::Throttle, true) => ("503 Slow Down", "SlowDown"),
        (Fault::ServerError, _) => ("500 Internal Server Error", "InternalError"),
    };
    let message = "injected by the fault proxy";
    let (kind, body) = if json {
        (
            "application/x-amz-json-1.1",
            format!(r#"{{"__type":"{code}","message":"{message}"}}"#),
        )
    } else if s3 {
        (
            "application/xml",
            format!(
                "<Error><Code>{code}</Code><Message>{message}</Message><RequestId>fault</RequestId></Error>"
            ),
        )
    } else {
        (
            "text/xml",
            format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>fault</RequestId></ErrorResponse>"
            ),
        )
    };
    Some(
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: {kind}\r\ncontent-length: {}\r\nx-amzn-requestid: fault\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

fn serve(client: TcpStream, upstream: &str, state: &Mutex<State>) {
    let Ok(mut writer) = client.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(client);
    while let Some(req) = read_request(&mut reader) {
        match decide(state, &req.op) {
            Some(Fault::Hang) => {
                // Hold the call until the client is gone (bounded: a minute).
                let _ = writer.set_read_timeout(Some(std::time::Duration::from_secs(60)));
                let mut byte = [0u8; 1];
                let _ = reader.get_mut().read(&mut byte);
                return;
            }
            Some(Fault::DropTags) => {
                if !forward(&without_tags(req), upstream, &mut writer) {
                    return;
                }
            }
            Some(fault) => match fault_response(fault, &req) {
                Some(answer) => {
                    if writer.write_all(&answer).is_err() {
                        return;
                    }
                }
                None => return,
            },
            None => {
                if !forward(&req, upstream, &mut writer) {
                    return;
                }
            }
        }
    }
}

/// Sends `req` to the emulator and its answer back; false when either side went away.
fn forward(req: &Request, upstream: &str, writer: &mut TcpStream) -> bool {
    let Ok(up) = TcpStream::connect(upstream) else {
        return false;
    };
    let Ok(mut up_w) = up.try_clone() else {
        return false;
    };
    if up_w.write_all(&req.head).is_err() || up_w.write_all(&req.body).is_err() {
        return false;
    }
    let mut up_r = BufReader::new(up);
    let Some(answer) = read_response(&mut up_r, req.head.starts_with(b"HEAD ")) else {
        return false;
    };
    writer.write_all(&answer).is_ok()
}

/// `req` with its form body's `Tags.member.N.Key`/`Value` parameters removed (and its
/// content-length set to match).
fn without_tags(req: Request) -> Request {
    let body = String::from_utf8_lossy(&req.body);
    let kept: Vec<&str> = body
        .split('&')
        .filter(|kv| !kv.starts_with("Tags.member."))
        .collect();
    let body = kept.join("&").into_bytes();
    let head = String::from_utf8_lossy(&req.head)
        .lines()
        .map(|l| match l.split_once(':') {
            Some((k, _)) if k.eq_ignore_ascii_case("content-length") => {
                format!("{k}: {}", body.len())
            }
            _ => l.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\r\n")
        + "\r\n";
    Request {
        head: head.into_bytes(),
        body,
        op: req.op,
    }
}
