#include "serve/webchat_page.h"

namespace lf::serve {

namespace {

// Model text is only ever inserted as text nodes (never as HTML), so an answer
// containing markup is shown, not run.
constexpr std::string_view kPage = R"page(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>LLaMA Factory Web Demo</title>
<style>
  :root { --accent: #f97316; --line: #d4d4d8; --muted: #71717a; --bg: #fafafa; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.5 system-ui, sans-serif; color: #18181b; background: var(--bg); }
  header { padding: 12px 20px; border-bottom: 1px solid var(--line); background: #fff; }
  h1 { margin: 0; font-size: 20px; }
  #model { margin: 0; color: var(--muted); font-size: 13px; }
  main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(220px, 1fr); gap: 16px; padding: 16px 20px; }
  @media (max-width: 760px) { main { grid-template-columns: 1fr; } }
  #chatbot { height: 60vh; overflow-y: auto; padding: 12px; border: 1px solid var(--line); border-radius: 8px;
             background: #fff; display: flex; flex-direction: column; gap: 10px; }
  .message { max-width: 85%; padding: 8px 12px; border-radius: 10px; white-space: pre-wrap; overflow-wrap: anywhere; }
  .message.user { align-self: flex-end; background: #ffedd5; }
  .message.assistant { align-self: flex-start; background: #f4f4f5; }
  .message.assistant[data-state="streaming"]::after { content: "\25CF"; margin-left: 4px; color: var(--accent); }
  .message .error { display: block; color: #b91c1c; }
  textarea, input[type=number] { width: 100%; font: inherit; padding: 6px 8px; border: 1px solid var(--line);
                                 border-radius: 6px; }
  #query { margin-top: 12px; resize: vertical; }
  .buttons { display: flex; gap: 8px; margin-top: 8px; }
  button { flex: 1; font: inherit; padding: 8px; border: 1px solid var(--line); border-radius: 6px;
           background: #fff; cursor: pointer; }
  button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
  button:disabled { opacity: .5; cursor: default; }
  details { border: 1px solid var(--line); border-radius: 8px; background: #fff; padding: 8px 12px; align-self: start; }
  summary { cursor: pointer; font-weight: 600; }
  .control { display: block; margin-top: 12px; }
  .control span { display: block; font-size: 13px; color: var(--muted); }
  .slider { display: grid; grid-template-columns: 1fr 84px; gap: 8px; align-items: center; }
  .hint { font-size: 12px; color: var(--muted); }
</style>
</head>
<body data-ready="0" data-busy="0">
<header>
  <h1 id="title">LLaMA Factory Web Demo</h1>
  <p id="model"></p>
</header>
<main>
  <section>
    <div id="chatbot" role="log" aria-live="polite" aria-label="Chatbot"></div>
    <textarea id="query" rows="4" placeholder="Input... (Enter sends, Shift+Enter starts a new line)"
              aria-label="Input"></textarea>
    <div class="buttons">
      <button id="submit" class="primary" disabled>Submit</button>
      <button id="clear">Clear history</button>
    </div>
  </section>
  <details id="settings" open>
    <summary>Settings</summary>
    <label class="control"><span>System prompt</span>
      <textarea id="system" rows="3" placeholder="The template's default when empty"></textarea></label>
    <label class="control"><span>Maximum new tokens</span>
      <span class="slider"><input id="max_new_tokens_range" type="range" min="8" max="8192" step="1">
        <input id="max_new_tokens" type="number" min="1" max="8192" step="1"></span></label>
    <label class="control"><span>Top-p</span>
      <span class="slider"><input id="top_p_range" type="range" min="0.01" max="1" step="0.01">
        <input id="top_p" type="number" min="0.01" max="1" step="0.01"></span></label>
    <label class="control"><span>Temperature</span>
      <span class="slider"><input id="temperature_range" type="range" min="0" max="1.5" step="0.01">
        <input id="temperature" type="number" min="0" max="1.5" step="0.01"></span></label>
    <p class="hint">Temperature 0 answers greedily (the same answer every time).</p>
  </details>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const turns = [];  // finished turns: {role, content}
let controller = null;  // the answer in flight, for the Stop button

// Each setting is a slider paired with a number box, like Gradio's sliders.
for (const name of ["max_new_tokens", "top_p", "temperature"]) {
  const box = $(name), range = $(name + "_range");
  range.addEventListener("input", () => { box.value = range.value; });
  box.addEventListener("input", () => { range.value = box.value; });
}

function setSetting(name, value) {
  $(name).value = value;
  $(name + "_range").value = value;
}

function bubble(role, text) {
  const div = document.createElement("div");
  div.className = "message " + role;
  div.dataset.role = role;
  div.textContent = text;
  $("chatbot").appendChild(div);
  div.scrollIntoView({ block: "end" });
  return div;
}

function setBusy(busy) {
  controller = busy ? new AbortController() : null;
  $("submit").textContent = busy ? "Stop" : "Submit";
  $("clear").disabled = busy;
  document.body.dataset.busy = busy ? "1" : "0";
}

function settings() {
  return {
    system: $("system").value,
    max_new_tokens: Number($("max_new_tokens").value),
    top_p: Number($("top_p").value),
    temperature: Number($("temperature").value),
  };
}

// The payloads of a server-sent-event stream, as they arrive.
async function* events(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of frame.split("\n")) {
        if (line.startsWith("data: ")) yield JSON.parse(line.slice(6));
      }
    }
  }
}

async function send() {
  const query = $("query").value;
  if (!query.trim()) return;
  $("query").value = "";
  bubble("user", query);
  const answer = bubble("assistant", "");
  answer.dataset.state = "streaming";
  const messages = turns.concat([{ role: "user", content: query }]);
  setBusy(true);
  let text = "", failure = null, finish = null;
  try {
    const response = await fetch("api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ messages, ...settings() }),
      signal: controller.signal,
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(body.error || "HTTP " + response.status);
    }
    for await (const event of events(response)) {
      if (event.error) throw new Error(event.error);
      if (typeof event.text === "string") {
        text += event.text;
        answer.append(event.text);
        answer.scrollIntoView({ block: "end" });
      }
      if (event.finish_reason) finish = event.finish_reason;
    }
    if (!finish) throw new Error("the server ended the answer early");
  } catch (e) {
    if (e.name !== "AbortError") failure = e.message;
  }
  setBusy(false);
  if (failure) {
    // A failed turn is not kept, so the next message starts from the history before it.
    const note = document.createElement("span");
    note.className = "error";
    note.textContent = "Error: " + failure;
    answer.appendChild(note);
    answer.dataset.state = "error";
    return;
  }
  turns.push({ role: "user", content: query }, { role: "assistant", content: text });
  answer.dataset.state = finish ? "done" : "stopped";
}

$("submit").addEventListener("click", () => {
  if (controller) controller.abort();
  else send();
});
$("query").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    if (!controller) send();
  }
});
$("clear").addEventListener("click", () => {
  turns.length = 0;
  $("chatbot").replaceChildren();
});

fetch("api/config").then((r) => r.json()).then((config) => {
  document.title = config.title;
  $("title").textContent = config.title;
  $("model").textContent = config.model;
  for (const id of ["max_new_tokens", "max_new_tokens_range"]) $(id).max = config.max_new_tokens_limit;
  setSetting("max_new_tokens", config.max_new_tokens);
  setSetting("top_p", config.top_p);
  setSetting("temperature", config.temperature);
  $("submit").disabled = false;
  document.body.dataset.ready = "1";
}).catch((e) => {
  bubble("assistant", "").appendChild(document.createTextNode("Error: cannot reach the server (" + e.message + ")"));
});
</script>
</body>
</html>
)page";

}  // namespace

std::string_view webchat_page() { return kPage; }

}  // namespace lf::serve
