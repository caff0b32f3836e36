// Accord's page: plain fetch for servers and channels, one WebSocket for the open channel.
const $ = (selector) => document.querySelector(selector);
let server = null;
let channel = null;
let socket = null;

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body && JSON.stringify(body),
  });
  const data = await res.json();
  if (!res.ok) throw new Error(data.error || res.statusText);
  return data;
}

// list fills ul with one button per item; the current one is highlighted.
function list(ul, items, label, pick, current) {
  ul.replaceChildren(...items.map((item) => {
    const button = document.createElement("button");
    button.textContent = label(item);
    if (current && current.id === item.id) button.className = "current";
    button.onclick = () => pick(item).catch(report);
    const li = document.createElement("li");
    li.append(button);
    return li;
  }));
}

async function loadServers() {
  list($("#servers"), await api("GET", "/api/servers"), (s) => s.name, pickServer, server);
}

async function pickServer(s) {
  server = s;
  await loadServers();
  await loadChannels();
}

async function loadChannels() {
  const channels = await api("GET", `/servers/${server.id}/channels`);
  list($("#channels"), channels, (c) => "#" + c.name, pickChannel, channel);
}

// pickChannel opens the channel's WebSocket; the channel sends its recent history first.
async function pickChannel(c) {
  channel = c;
  await loadChannels();
  if (socket) socket.close();
  $("#messages").replaceChildren();
  $("#title").textContent = `${server.name} #${c.name}`;
  const name = $("#me").value.trim() || "guest";
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/servers/${server.id}/channels/${c.id}/connect?name=${encodeURIComponent(name)}`);
  socket.onmessage = (event) => {
    const m = JSON.parse(event.data);
    if (m.type === "history") m.messages.forEach(show);
    if (m.type === "message") show(m.message);
    if (m.type === "presence") $("#members").textContent = "Here: " + m.members.join(", ");
    if (m.type === "error") report(new Error(m.error));
  };
  socket.onclose = () => { $("#members").textContent = "Disconnected."; };
}

function show(m) {
  const who = document.createElement("b");
  who.textContent = m.author;
  const li = document.createElement("li");
  li.append(who, " ", m.text); // text nodes: a message is never HTML
  $("#messages").append(li);
  li.scrollIntoView();
}

function report(err) {
  $("#status").textContent = err.message;
}

// onSubmit runs fn with the form's input value and clears it on success.
function onSubmit(selector, fn) {
  $(selector).onsubmit = async (event) => {
    event.preventDefault();
    const input = event.target.querySelector("input");
    const value = input.value.trim();
    if (!value) return;
    try {
      await fn(value);
      input.value = "";
      report({ message: "" });
    } catch (err) {
      report(err);
    }
  };
}

onSubmit("#new-server", async (name) => pickServer(await api("POST", "/api/servers", { name })));
onSubmit("#new-channel", async (name) => {
  if (!server) throw new Error("Pick a server first.");
  await pickChannel(await api("POST", `/servers/${server.id}/channels`, { name }));
});
onSubmit("#compose", async (text) => {
  if (!socket || socket.readyState !== WebSocket.OPEN) throw new Error("Join a channel first.");
  socket.send(JSON.stringify({ text }));
});

loadServers().catch(report);
