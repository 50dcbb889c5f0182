// Drives the web chat page in headless Chromium (playwright-core, the
// system's browser) as a person would: type, submit, watch the answer stream
// in, continue the conversation, stop an answer, clear the history. Each shown
// answer must equal the reply fetched directly from the server with the same
// settings (greedy, so it is reproducible).
// argv: pageUrl chromiumPath. Prints `RESULT <json>` and exits 0, or exits 1.
const assert = require("node:assert/strict");
const { chromium } = require("playwright-core");

const [pageUrl, chromiumPath] = process.argv.slice(2);
const origin = new URL(pageUrl).origin;
const greedy = { max_new_tokens: 8, temperature: 0 };

// The reply the server streams for this request, concatenated.
async function direct(messages, settings) {
  const response = await fetch(new URL("api/chat", pageUrl), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ messages, ...settings }),
  });
  assert.equal(response.status, 200);
  let text = "", finish = null;
  for (const frame of (await response.text()).split("\n\n")) {
    if (!frame.startsWith("data: ")) continue;
    const event = JSON.parse(frame.slice(6));
    assert.equal(event.error, undefined, event.error);
    if (event.text !== undefined) text += event.text;
    if (event.finish_reason) finish = event.finish_reason;
  }
  assert.ok(finish, "the direct request did not finish");
  return text;
}

async function answerAt(page, index, state) {
  const answer = page.locator(".message.assistant").nth(index);
  await answer.and(page.locator(`[data-state="${state}"]`)).waitFor({ timeout: 60000 });
  return answer.textContent();
}

async function main() {
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true });
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  page.on("request", (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith("data:")) problems.push("request outside the server: " + r.url());
  });
  try {
    await page.goto(pageUrl);
    await page.locator('body[data-ready="1"]').waitFor({ timeout: 30000 });
    assert.equal(await page.title(), "LLaMA Factory Web Demo");
    // The controls start at the YAML's generating arguments.
    const config = await (await fetch(new URL("api/config", pageUrl))).json();
    assert.equal(Number(await page.inputValue("#max_new_tokens")), config.max_new_tokens);
    assert.equal(Number(await page.inputValue("#top_p")), config.top_p);
    assert.equal(Number(await page.inputValue("#temperature")), config.temperature);

    await page.fill("#max_new_tokens", String(greedy.max_new_tokens));
    await page.fill("#temperature", String(greedy.temperature));
    await page.fill("#query", "hello");
    await page.click("#submit");
    const first = await answerAt(page, 0, "done");
    assert.ok(first.length > 0, "empty answer");
    const history = [{ role: "user", content: "hello" }];
    assert.equal(first, await direct(history, { ...greedy, top_p: config.top_p, system: "" }));

    // A second turn, sent with Enter, carries the history; markup stays text.
    const markup = "<b>bold</b> & <script>x()</script>";
    await page.fill("#system", "You are terse.");
    await page.fill("#query", markup);
    await page.press("#query", "Enter");
    const second = await answerAt(page, 1, "done");
    assert.equal(await page.locator(".message.user").nth(1).textContent(), markup);
    assert.equal(await page.locator("#chatbot b, #chatbot script").count(), 0);
    history.push({ role: "assistant", content: first }, { role: "user", content: markup });
    assert.equal(second, await direct(history, { ...greedy, top_p: config.top_p, system: "You are terse." }));

    // Stop ends a long answer where it is; the page is ready again. The tiny
    // model can write 2000 tokens faster than the page is polled, so the
    // download is throttled to keep the answer arriving while Stop is pressed.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions",
                   { offline: false, latency: 0, downloadThroughput: 2048, uploadThroughput: -1 });
    await page.fill("#max_new_tokens", "2000");
    await page.fill("#query", "a long story please");
    await page.click("#submit");
    await page.locator(".message.assistant").nth(2).filter({ hasText: /\S/ }).waitFor({ timeout: 60000 });
    assert.equal(await page.textContent("#submit"), "Stop");
    await page.click("#submit");
    await answerAt(page, 2, "stopped");
    assert.equal(await page.textContent("#submit"), "Submit");
    await cdp.send("Network.emulateNetworkConditions",
                   { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

    await page.click("#clear");
    assert.equal(await page.locator("#chatbot .message").count(), 0);
    assert.deepEqual(problems, []);
    console.log("RESULT " + JSON.stringify({ first, second }));
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
