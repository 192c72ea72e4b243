//! A small fake Discord (REST + gateway) on 127.0.0.1: enough for serenity and poise to run
//! the real bot against it, record everything the bot sends, and let a test dispatch events.
#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::{broadcast, Notify};

/// Sent through the dispatch channel to make every session close.
const DROP: &str = "__drop__";

pub const APP_ID: u64 = 900_000_000_000_000_001;
pub const BOT_ID: u64 = 900_000_000_000_000_002;

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// The JSON body, or a multipart body's `payload_json` part.
    pub body: Value,
    /// The whole body as text (attachments included).
    pub raw: String,
    pub at: std::time::Instant,
}

#[derive(Clone)]
pub struct FakeDiscord {
    inner: Arc<Inner>,
}

struct Inner {
    addr: Mutex<Option<SocketAddr>>,
    requests: Mutex<Vec<Recorded>>,
    gateway_frames: Mutex<Vec<Value>>,
    messages: Mutex<HashMap<u64, Value>>,
    /// Who reacts to a message with an emoji: (message, emoji) to user ids, as
    /// `GET .../reactions/{emoji}` lists them.
    reactions: Mutex<HashMap<(u64, String), Vec<u64>>>,
    forbidden_channels: Mutex<HashSet<u64>>,
    /// Faults to answer the next message creates with, in order: (status, retry_after, global).
    faults: Mutex<std::collections::VecDeque<(u16, f64, bool)>>,
    /// A delay before answering the next message create (which is stored at once, as Discord
    /// would have it even if the client never hears back).
    create_delay: Mutex<Option<Duration>>,
    /// When set, Discord's global limit is enforced too: 50 requests a second, a global 429 past it.
    global_limit: AtomicBool,
    recent: Mutex<std::collections::VecDeque<std::time::Instant>>,
    /// When 429s were answered.
    limited: Mutex<Vec<std::time::Instant>>,
    /// Message creates per channel in the current 5-second window.
    channel_window: Mutex<HashMap<String, Vec<std::time::Instant>>>,
    next_id: AtomicU64,
    seq: AtomicU64,
    /// The shard count this application runs with; a session identifying with another count is
    /// closed with 4010 (invalid shard), as Discord does.
    shard_count: AtomicU64,
    changed: Notify,
    /// Frames for the gateway sessions, with the server they concern (sessions take only the
    /// servers of their own shard, as Discord routes them).
    dispatch: broadcast::Sender<(Option<u64>, String)>,
}

impl FakeDiscord {
    pub async fn start() -> FakeDiscord {
        let (dispatch, _) = broadcast::channel(1024);
        let fake = FakeDiscord {
            inner: Arc::new(Inner {
                addr: Mutex::new(None),
                requests: Mutex::new(Vec::new()),
                gateway_frames: Mutex::new(Vec::new()),
                messages: Mutex::new(HashMap::new()),
                reactions: Mutex::new(HashMap::new()),
                forbidden_channels: Mutex::new(HashSet::new()),
                faults: Mutex::new(Default::default()),
                create_delay: Mutex::new(None),
                global_limit: AtomicBool::new(false),
                recent: Mutex::new(Default::default()),
                limited: Mutex::new(Vec::new()),
                channel_window: Mutex::new(HashMap::new()),
                next_id: AtomicU64::new(1_100_000_000_000_000_000),
                seq: AtomicU64::new(1),
                shard_count: AtomicU64::new(1),
                changed: Notify::new(),
                dispatch,
            }),
        };
        let app = Router::new()
            .route("/ws", get(gateway))
            .fallback(rest)
            .with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        *fake.inner.addr.lock().unwrap() = Some(listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        fake
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.inner.addr.lock().unwrap().unwrap())
    }

    pub fn new_id(&self) -> u64 {
        self.inner.next_id.fetch_add(1, Ordering::SeqCst)
    }

    /// The next message create answers `status` (500, 429, ...); for 429, with `retry_after`
    /// seconds, globally or for the route.
    pub fn inject_fault(&self, status: u16, retry_after: f64, global: bool) {
        self.inner
            .faults
            .lock()
            .unwrap()
            .push_back((status, retry_after, global));
    }

    /// Enforce Discord's global limit (50 requests a second per bot; interaction callbacks exempt).
    pub fn enforce_global_limit(&self) {
        self.inner.global_limit.store(true, Ordering::SeqCst);
    }

    pub fn delay_next_create(&self, delay: Duration) {
        *self.inner.create_delay.lock().unwrap() = Some(delay);
    }

    pub fn forbid_channel(&self, channel: u64) {
        self.inner.forbidden_channels.lock().unwrap().insert(channel);
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.inner.requests.lock().unwrap().clone()
    }

    pub fn gateway_frames(&self) -> Vec<Value> {
        self.inner.gateway_frames.lock().unwrap().clone()
    }

    /// How many requests were recorded, without copying them.
    pub fn request_count(&self) -> usize {
        self.inner.requests.lock().unwrap().len()
    }

    /// When each interaction callback arrived, by path, without copying the bodies.
    pub fn callback_times(&self) -> HashMap<String, std::time::Instant> {
        let requests = self.inner.requests.lock().unwrap();
        requests
            .iter()
            .filter(|r| r.path.ends_with("/callback"))
            .map(|r| (r.path.clone(), r.at))
            .collect()
    }

    /// Messages created (and kept) so far.
    pub fn message_count(&self) -> usize {
        self.inner.messages.lock().unwrap().len()
    }

    /// How many message creates were answered 429 at or after `since`.
    pub fn rate_limited_after(&self, since: std::time::Instant) -> usize {
        self.inner
            .limited
            .lock()
            .unwrap()
            .iter()
            .filter(|t| **t >= since)
            .count()
    }

    /// The message a "Posted: <link>" answer links to, and the post id its vote buttons carry.
    pub fn posted(&self, answer: &str) -> (Value, String) {
        let id: u64 = answer
            .rsplit('/')
            .next()
            .unwrap()
            .trim()
            .parse()
            .expect("a message link");
        let message = self.message(id).expect("the fake stored the post");
        let custom_id = message["components"][0]["components"][0]["custom_id"]
            .as_str()
            .expect("vote buttons");
        let post = custom_id.split(':').nth(1).expect("vote:<post>:<choice>").to_string();
        (message, post)
    }

    /// Messages created in `channel` (and kept), oldest first.
    /// Sets who reacts to `message` with `emoji`, with no gateway event: reactions made while
    /// the bot was away.
    pub fn set_reactors(&self, message: u64, emoji: &str, users: &[u64]) {
        let mut users = users.to_vec();
        users.sort_unstable();
        self.inner
            .reactions
            .lock()
            .unwrap()
            .insert((message, emoji.to_string()), users);
    }

    pub fn messages_in(&self, channel: u64) -> Vec<Value> {
        let mut found: Vec<(u64, Value)> = self
            .inner
            .messages
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, m)| m["channel_id"].as_str().and_then(|c| c.parse::<u64>().ok()) == Some(channel))
            .map(|(id, m)| (*id, m.clone()))
            .collect();
        found.sort_by_key(|(id, _)| *id);
        found.into_iter().map(|(_, m)| m).collect()
    }

    pub fn message(&self, id: u64) -> Option<Value> {
        self.inner.messages.lock().unwrap().get(&id).cloned()
    }

    /// Waits until a recorded request satisfies `pred` and returns it.
    pub async fn wait_request(&self, what: &str, timeout: Duration, pred: impl Fn(&Recorded) -> bool) -> Recorded {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.inner.changed.notified();
            if let Some(r) = self.requests().into_iter().find(|r| pred(r)) {
                return r;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "timed out waiting for {what}; requests so far: {:#?}",
                    self.requests()
                        .iter()
                        .map(|r| format!("{} {}", r.method, r.path))
                        .collect::<Vec<_>>()
                );
            }
        }
    }

    /// Waits until the bot has identified on the gateway.
    /// Waits until the bot has identified on the gateway and registered its commands: ready
    /// for interactions.
    pub async fn wait_registered(&self, timeout: Duration) {
        self.wait_identified(timeout).await;
        self.wait_request("command registration", timeout, |r| {
            r.method == "PUT" && r.path == format!("/api/v10/applications/{APP_ID}/commands")
        })
        .await;
    }

    pub async fn wait_identified(&self, timeout: Duration) -> Value {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.inner.changed.notified();
            if let Some(f) = self.gateway_frames().into_iter().find(|f| f["op"] == 2) {
                return f;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("the bot never identified on the gateway");
            }
        }
    }

    /// Closes every gateway session, as a network drop would; the bot has to reconnect.
    pub fn drop_sessions(&self) {
        let _ = self.inner.dispatch.send((None, DROP.to_string()));
    }

    /// Gateway sessions opened so far.
    pub fn sessions_opened(&self) -> usize {
        self.gateway_frames()
            .iter()
            .filter(|f| f["op"] == 2 || f["op"] == 6)
            .count()
    }

    /// Sends a dispatch event to the gateway session of the server's shard (`data.guild_id`), or
    /// to every session for events without a server.
    pub fn dispatch(&self, event: &str, data: Value) {
        let guild = data["guild_id"].as_str().and_then(|g| g.parse().ok());
        let seq = self.inner.seq.fetch_add(1, Ordering::SeqCst);
        let frame = json!({"op": 0, "t": event, "s": seq, "d": data}).to_string();
        let _ = self.inner.dispatch.send((guild, frame));
    }

    /// Runs the application with `count` shards: `/gateway/bot` recommends it, and a session that
    /// identifies with another count is refused.
    pub fn set_shard_count(&self, count: u64) {
        self.inner.shard_count.store(count, Ordering::SeqCst);
    }

    /// The `[shard, count]` pairs sessions identified with, in order.
    pub fn identified_shards(&self) -> Vec<(u64, u64)> {
        self.gateway_frames()
            .iter()
            .filter(|f| f["op"] == 2)
            .map(|f| {
                let shard = &f["d"]["shard"];
                (shard[0].as_u64().unwrap_or(0), shard[1].as_u64().unwrap_or(1))
            })
            .collect()
    }

    fn record(&self, method: &Method, path: &str, body: &Bytes) -> Value {
        let raw = String::from_utf8_lossy(body).into_owned();
        let json = serde_json::from_slice(body).unwrap_or_else(|_| payload_json(&raw));
        let recorded = Recorded {
            method: method.to_string(),
            path: path.to_string(),
            body: json.clone(),
            raw,
            at: std::time::Instant::now(),
        };
        self.inner.requests.lock().unwrap().push(recorded);
        self.inner.changed.notify_waiters();
        json
    }

    fn message_object(&self, id: u64, channel: &str, body: &Value) -> Value {
        json!({
            "id": id.to_string(),
            "channel_id": channel,
            "author": user_object(BOT_ID, "claim-digest", true),
            "content": body.get("content").cloned().unwrap_or(json!("")),
            "timestamp": "2026-11-28T09:00:00.000000+00:00",
            "edited_timestamp": null,
            "tts": false,
            "mention_everyone": false,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds").cloned().unwrap_or(json!([])),
            "pinned": false,
            "type": 0,
            "nonce": body.get("nonce").cloned().unwrap_or(Value::Null),
            "components": body.get("components").cloned().unwrap_or(json!([])),
        })
    }
}

/// The `payload_json` part of a multipart body (messages with attachments), or Null.
fn payload_json(raw: &str) -> Value {
    let Some(at) = raw.find("name=\"payload_json\"") else {
        return Value::Null;
    };
    let rest = &raw[at..];
    let Some(start) = rest.find("\r\n\r\n") else {
        return Value::Null;
    };
    let body = &rest[start + 4..];
    let end = body.find("\r\n--").unwrap_or(body.len());
    serde_json::from_str(&body[..end]).unwrap_or(Value::Null)
}

pub fn user_object(id: u64, name: &str, bot: bool) -> Value {
    json!({"id": id.to_string(), "username": name, "discriminator": "0", "global_name": null, "avatar": null, "bot": bot})
}

async fn rest(State(fake): State<FakeDiscord>, method: Method, uri: Uri, body: Bytes) -> Response {
    let path = uri.path().to_string();
    let json_body = fake.record(&method, &path, &body);
    if fake.inner.global_limit.load(Ordering::SeqCst) && !path.ends_with("/callback") {
        let now = std::time::Instant::now();
        let mut recent = fake.inner.recent.lock().unwrap();
        while recent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
        {
            recent.pop_front();
        }
        if recent.len() >= 50 {
            let wait = 1.0 - now.duration_since(recent[0]).as_secs_f64();
            fake.inner.limited.lock().unwrap().push(now);
            let body = json!({"message": "You are being rate limited.", "retry_after": wait, "global": true});
            let mut response = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
            response
                .headers_mut()
                .insert("x-ratelimit-global", "true".parse().unwrap());
            return response;
        }
        recent.push_back(now);
    }
    let parts: Vec<&str> = path.trim_start_matches("/api/v10/").split('/').collect();
    let addr = fake.base_url().replace("http://", "ws://");
    match (method.as_str(), parts.as_slice()) {
        ("GET", ["gateway"]) => Json(json!({"url": format!("{addr}/ws")})).into_response(),
        ("GET", ["gateway", "bot"]) => Json(json!({
            "url": format!("{addr}/ws"), "shards": fake.inner.shard_count.load(Ordering::SeqCst),
            "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        }))
        .into_response(),
        ("PUT", ["applications", _, "commands"]) | ("PUT", ["applications", _, "guilds", _, "commands"]) => {
            let commands: Vec<Value> = json_body
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|mut c| {
                    c["id"] = json!(fake.new_id().to_string());
                    c["application_id"] = json!(APP_ID.to_string());
                    c["version"] = json!("1");
                    if c.get("type").is_none() {
                        c["type"] = json!(1);
                    }
                    c
                })
                .collect();
            Json(Value::Array(commands)).into_response()
        }
        ("POST", ["interactions", _, _, "callback"]) => match modal_problems(&json_body).as_slice() {
            [] => StatusCode::NO_CONTENT.into_response(),
            // Discord refuses a form it cannot show, as it refuses any invalid body.
            problems => (
                StatusCode::BAD_REQUEST,
                Json(json!({"code": 50035, "message": "Invalid Form Body", "errors": problems})),
            )
                .into_response(),
        },
        ("POST", ["webhooks", _, _])
        | ("PATCH", ["webhooks", _, _, "messages", _])
        | ("GET", ["webhooks", _, _, "messages", _]) => {
            let id = fake.new_id();
            Json(fake.message_object(id, "1", &json_body)).into_response()
        }
        ("GET", ["channels", _, "messages", message, "reactions", emoji]) => {
            // The emoji comes percent-encoded; `after` and `limit` page through the users by id.
            let emoji = url::form_urlencoded::parse(format!("e={emoji}").as_bytes())
                .next()
                .map(|(_, e)| e.into_owned())
                .unwrap_or_default();
            let query: HashMap<String, String> = url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
                .into_owned()
                .collect();
            let after: u64 = query.get("after").and_then(|a| a.parse().ok()).unwrap_or(0);
            let limit: usize = query.get("limit").and_then(|l| l.parse().ok()).unwrap_or(25);
            let key = (message.parse().unwrap_or(0), emoji);
            let users: Vec<Value> = fake
                .inner
                .reactions
                .lock()
                .unwrap()
                .get(&key)
                .map(|users| {
                    users
                        .iter()
                        .filter(|u| **u > after)
                        .take(limit)
                        .map(|u| user_object(*u, "member", false))
                        .collect()
                })
                .unwrap_or_default();
            Json(Value::Array(users)).into_response()
        }
        ("POST", ["channels", channel, "messages"]) => {
            if fake
                .inner
                .forbidden_channels
                .lock()
                .unwrap()
                .contains(&channel.parse().unwrap_or(0))
            {
                return (
                    StatusCode::FORBIDDEN,
                    Json(json!({"message": "Missing Access", "code": 50001})),
                )
                    .into_response();
            }
            if let Some((status, retry_after, global)) = fake.inner.faults.lock().unwrap().pop_front() {
                let status = StatusCode::from_u16(status).unwrap();
                let body =
                    json!({"message": "injected fault", "retry_after": retry_after, "global": global, "code": 0});
                let mut response = (status, Json(body)).into_response();
                if status == StatusCode::TOO_MANY_REQUESTS {
                    let headers = response.headers_mut();
                    headers.insert("retry-after", retry_after.ceil().to_string().parse().unwrap());
                    if global {
                        headers.insert("x-ratelimit-global", "true".parse().unwrap());
                    }
                }
                return response;
            }
            // Discord's commonly seen bucket: 5 messages per 5 seconds per channel.
            let remaining = {
                let mut windows = fake.inner.channel_window.lock().unwrap();
                let window = windows.entry(channel.to_string()).or_default();
                let now = std::time::Instant::now();
                window.retain(|t| now.duration_since(*t) < Duration::from_secs(5));
                if window.len() >= 5 {
                    fake.inner.limited.lock().unwrap().push(now);
                    let wait = 5.0 - now.duration_since(window[0]).as_secs_f64();
                    let body = json!({"message": "You are being rate limited.", "retry_after": wait, "global": false});
                    return (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
                }
                window.push(now);
                5 - window.len()
            };
            let id = fake.new_id();
            let message = fake.message_object(id, channel, &json_body);
            fake.inner.messages.lock().unwrap().insert(id, message.clone());
            let delay = fake.inner.create_delay.lock().unwrap().take();
            if let Some(delay) = delay {
                tokio::time::sleep(delay).await;
            }
            let mut response = Json(message).into_response();
            let headers = response.headers_mut();
            headers.insert("x-ratelimit-limit", "5".parse().unwrap());
            headers.insert("x-ratelimit-remaining", remaining.to_string().parse().unwrap());
            headers.insert("x-ratelimit-reset-after", "5".parse().unwrap());
            headers.insert("x-ratelimit-bucket", "channel-messages".parse().unwrap());
            response
        }
        ("GET", ["channels", channel, "messages"]) => {
            let messages: Vec<Value> = fake
                .inner
                .messages
                .lock()
                .unwrap()
                .values()
                .filter(|m| m["channel_id"] == *channel)
                .cloned()
                .collect();
            Json(Value::Array(messages)).into_response()
        }
        ("PATCH", ["channels", channel, "messages", message]) => {
            // As Discord does: fields the edit leaves out keep their values.
            let id: u64 = message.parse().unwrap_or(0);
            let mut messages = fake.inner.messages.lock().unwrap();
            let mut updated = messages
                .get(&id)
                .cloned()
                .unwrap_or_else(|| fake.message_object(id, channel, &json!({})));
            for field in ["content", "embeds", "components"] {
                if let Some(value) = json_body.get(field) {
                    updated[field] = value.clone();
                }
            }
            messages.insert(id, updated.clone());
            Json(updated).into_response()
        }
        ("GET", ["channels", _, "messages", message]) => match fake.message(message.parse().unwrap_or(0)) {
            Some(m) => Json(m).into_response(),
            None => (
                StatusCode::NOT_FOUND,
                Json(json!({"message": "Unknown Message", "code": 10008})),
            )
                .into_response(),
        },
        ("POST", ["channels", channel, "messages", _, "threads"]) => Json(json!({
            "id": fake.new_id().to_string(), "type": 11, "guild_id": "1", "parent_id": channel,
            "name": json_body.get("name").cloned().unwrap_or(json!("thread")),
        }))
        .into_response(),
        _ => (StatusCode::NOT_FOUND, Json(json!({"message": "not faked", "code": 0}))).into_response(),
    }
}

async fn gateway(State(fake): State<FakeDiscord>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| session(fake, socket))
}

async fn session(fake: FakeDiscord, socket: WebSocket) {
    let (mut tx, mut rx) = socket.split();
    let mut dispatches = fake.inner.dispatch.subscribe();
    let hello = json!({"op": 10, "d": {"heartbeat_interval": 45000}}).to_string();
    if tx.send(WsMessage::Text(hello.into())).await.is_err() {
        return;
    }
    let ws_url = fake.base_url().replace("http://", "ws://") + "/ws";
    // Which shard this session is, from its IDENTIFY; a resumed session keeps its own.
    let mut shard: (u64, u64) = (0, 1);
    loop {
        tokio::select! {
            incoming = rx.next() => {
                let Some(Ok(WsMessage::Text(text))) = incoming else { break };
                let frame: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                fake.inner.gateway_frames.lock().unwrap().push(frame.clone());
                fake.inner.changed.notify_waiters();
                if frame["op"] == 2 {
                    if let (Some(id), Some(count)) = (frame["d"]["shard"][0].as_u64(), frame["d"]["shard"][1].as_u64()) {
                        shard = (id, count.max(1));
                    }
                    if shard.1 != fake.inner.shard_count.load(Ordering::SeqCst) || shard.0 >= shard.1 {
                        let frame = axum::extract::ws::CloseFrame { code: 4010, reason: "invalid shard".into() };
                        let _ = tx.send(WsMessage::Close(Some(frame))).await;
                        break;
                    }
                }
                let reply = match frame["op"].as_u64() {
                    Some(1) => Some(json!({"op": 11})),
                    Some(2) => Some(json!({"op": 0, "t": "READY", "s": fake.inner.seq.fetch_add(1, Ordering::SeqCst), "d": {
                        "v": 10,
                        "user": user_object(BOT_ID, "claim-digest", true),
                        "guilds": [],
                        "session_id": "fake-session",
                        "resume_gateway_url": ws_url,
                        "application": {"id": APP_ID.to_string(), "flags": 0},
                        "shard": [shard.0, shard.1],
                    }})),
                    Some(6) => Some(json!({"op": 0, "t": "RESUMED", "s": fake.inner.seq.fetch_add(1, Ordering::SeqCst), "d": {}})),
                    _ => None,
                };
                if let Some(reply) = reply {
                    if tx.send(WsMessage::Text(reply.to_string().into())).await.is_err() {
                        break;
                    }
                }
            }
            outgoing = dispatches.recv() => {
                let Ok((guild, frame)) = outgoing else { break };
                // Discord's rule: a server's events go to shard (server_id >> 22) % shard_count.
                if guild.is_some_and(|g| (g >> 22) % shard.1 != shard.0) {
                    continue;
                }
                if frame == DROP {
                    // 4000 ("unknown error") asks the client to reconnect and resume.
                    let frame = axum::extract::ws::CloseFrame { code: 4000, reason: "dropped by the test".into() };
                    let _ = tx.send(WsMessage::Close(Some(frame))).await;
                    break;
                }
                if tx.send(WsMessage::Text(frame.into())).await.is_err() {
                    break;
                }
            }
        }
    }
}

/// What is wrong with a form (interaction callback type 9, MODAL) by Discord's schema
/// (`ModalInteractionCallbackRequestData`, `TextInputComponentForModalRequest`): nothing for
/// any other callback.
pub fn modal_problems(callback: &Value) -> Vec<String> {
    if callback["type"] != 9 {
        return Vec::new();
    }
    let data = &callback["data"];
    let mut out = Vec::new();
    let len = |v: &Value| v.as_str().map(|s| s.chars().count());
    let mut check = |what: &str, value: &Value, min: usize, max: usize, required: bool| match len(value) {
        Some(n) if n < min || n > max => out.push(format!("{what} has {n} characters ({min}..={max})")),
        None if required => out.push(format!("{what} is missing")),
        _ => {}
    };
    check("custom_id", &data["custom_id"], 1, 100, true);
    check("title", &data["title"], 1, 45, true);
    let rows = data["components"].as_array().cloned().unwrap_or_default();
    let mut problems = Vec::new();
    if rows.is_empty() || rows.len() > 5 {
        problems.push(format!("{} rows (1..=5)", rows.len()));
    }
    for (r, row) in rows.iter().enumerate() {
        let inputs = row["components"].as_array().cloned().unwrap_or_default();
        if row["type"] != 1 || inputs.len() != 1 {
            problems.push(format!("row {r} is not one action row holding one text input"));
        }
        for input in &inputs {
            if input["type"] != 4 || !matches!(input["style"].as_u64(), Some(1 | 2)) {
                problems.push(format!("row {r}: not a text input with a style"));
            }
            check(&format!("row {r} custom_id"), &input["custom_id"], 1, 100, true);
            check(&format!("row {r} label"), &input["label"], 1, 45, true);
            check(&format!("row {r} value"), &input["value"], 0, 4000, false);
            check(&format!("row {r} placeholder"), &input["placeholder"], 0, 100, false);
            if let Some(max) = input["max_length"].as_u64() {
                if !(1..=4000).contains(&max) {
                    problems.push(format!("row {r}: max_length {max}"));
                }
            }
        }
    }
    out.extend(problems);
    out
}

/// Members of a test server.
#[derive(Clone, Copy)]
pub struct Member {
    pub id: u64,
    pub name: &'static str,
    /// Discord's permission bit set, as a decimal string (32 = Manage Server).
    pub permissions: &'static str,
}

fn member_object(m: Member) -> Value {
    json!({
        "user": user_object(m.id, m.name, false),
        "roles": [],
        "joined_at": "2025-01-01T00:00:00.000000+00:00",
        "deaf": false, "mute": false, "flags": 0, "pending": false,
        "permissions": m.permissions,
    })
}

/// The members the end-to-end tests use: a moderator (Manage Server) and three members.
pub const MOD: Member = Member {
    id: 501,
    name: "moderator",
    permissions: "32",
};
pub const ALICE: Member = Member {
    id: 601,
    name: "alice",
    permissions: "0",
};
pub const BOB: Member = Member {
    id: 602,
    name: "bob",
    permissions: "0",
};
pub const CAROL: Member = Member {
    id: 603,
    name: "carol",
    permissions: "0",
};

/// Where an interaction comes from: a member in a channel of a server, with a client locale.
#[derive(Clone, Copy)]
pub struct At {
    pub guild: u64,
    pub channel: u64,
    pub member: Member,
    pub locale: &'static str,
}

fn interaction_base(fake: &FakeDiscord, kind: u8, at: At) -> (u64, Value) {
    let At {
        guild,
        channel,
        member,
        locale,
    } = at;
    let id = fake.new_id();
    let body = json!({
        "type": kind,
        "id": id.to_string(),
        "application_id": APP_ID.to_string(),
        "token": format!("token-{id}"),
        "version": 1,
        "channel_id": channel.to_string(),
        "guild_id": guild.to_string(),
        "guild_locale": locale,
        "locale": locale,
        "entitlements": [],
        "attachment_size_limit": 8388608,
        "app_permissions": "2147483647",
        "authorizing_integration_owners": {},
        "member": member_object(member),
    });
    (id, body)
}

impl FakeDiscord {
    /// Dispatches a slash command; returns the interaction id (its callback is
    /// `POST /interactions/{id}/token-{id}/callback`).
    pub fn slash(&self, at: At, name: &str, options: Value, resolved: Value) -> u64 {
        let (id, mut body) = interaction_base(self, 2, at);
        body["data"] =
            json!({"id": self.new_id().to_string(), "name": name, "type": 1, "options": options, "resolved": resolved});
        self.dispatch("INTERACTION_CREATE", body);
        id
    }

    /// Dispatches a button click on `message` (a message object the fake stored).
    pub fn click(&self, at: At, message: Value, custom_id: &str) -> u64 {
        let (id, mut body) = interaction_base(self, 3, at);
        body["message"] = message;
        body["data"] = json!({"custom_id": custom_id, "component_type": 2});
        self.dispatch("INTERACTION_CREATE", body);
        id
    }

    /// Dispatches the submission of a form (modal) the bot opened: interaction type 5
    /// (MODAL_SUBMIT), its `data` the form's `custom_id` and one action row per text input
    /// (`custom_id` and `value`), as Discord sends them. `message` is the message whose button
    /// opened the form, when one did.
    pub fn submit(&self, at: At, message: Option<Value>, custom_id: &str, fields: &[(&str, &str)]) -> u64 {
        let (id, mut body) = interaction_base(self, 5, at);
        if let Some(message) = message {
            body["message"] = message;
        }
        let rows: Vec<Value> = fields
            .iter()
            .enumerate()
            .map(|(n, (field, value))| {
                json!({"type": 1, "id": 2 * n + 1, "components": [
                    {"type": 4, "id": 2 * n + 2, "custom_id": field, "value": value}
                ]})
            })
            .collect();
        body["data"] = json!({"custom_id": custom_id, "components": rows});
        self.dispatch("INTERACTION_CREATE", body);
        id
    }

    /// The bot's first response to an interaction, whole: its `type` (4 a message, 5 a deferral,
    /// 7 an update of the clicked message, 9 a form) and its `data`.
    pub async fn callback(&self, interaction: u64, timeout: Duration) -> Value {
        let callback = format!("/api/v10/interactions/{interaction}/token-{interaction}/callback");
        self.wait_request("an interaction callback", timeout, |r| r.path == callback)
            .await
            .body
    }

    /// A message as Discord would hand it back on a click: what a callback (`data`) drew.
    pub fn as_message(&self, channel: u64, data: &Value) -> Value {
        self.message_object(self.new_id(), &channel.to_string(), data)
    }

    /// The bot's answer to an interaction: the callback body, or (after a deferral) the edit.
    pub async fn answer(&self, interaction: u64, timeout: Duration) -> Value {
        let callback = format!("/api/v10/interactions/{interaction}/token-{interaction}/callback");
        let first = self
            .wait_request("an interaction callback", timeout, |r| r.path == callback)
            .await;
        if first.body["type"] == 5 {
            let edit = format!("/api/v10/webhooks/{APP_ID}/token-{interaction}/messages/@original");
            let followup = format!("/api/v10/webhooks/{APP_ID}/token-{interaction}");
            return self
                .wait_request("a deferred answer", timeout, |r| r.path == edit || r.path == followup)
                .await
                .body;
        }
        first.body["data"].clone()
    }
}
