// Drives a running API server with the official OpenAI Node client and checks
// what an application would see. argv: baseURL apiKey; exits non-zero on the
// first failed check.
const assert = require("node:assert/strict");
const OpenAI = require("openai");

const [baseURL, apiKey] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 60000 });
const user = (content) => [{ role: "user", content }];

async function collect(stream) {
  let content = "", finish = null, first = null;
  for await (const chunk of stream) {
    if (first === null) first = chunk;
    const choice = chunk.choices[0];
    if (choice.delta && choice.delta.content) content += choice.delta.content;
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  return { content, finish, first };
}

async function main() {
  const models = await client.models.list();
  assert.equal(models.data[0].id, "served-name");

  const greedy = { model: "m", do_sample: false, max_tokens: 8 };
  const a = await client.chat.completions.create({ ...greedy, messages: user("hello") });
  assert.equal(a.object, "chat.completion");
  assert.equal(a.choices[0].message.role, "assistant");
  assert.equal(a.choices[0].finish_reason, "length");
  assert.equal(a.usage.total_tokens, a.usage.prompt_tokens + a.usage.completion_tokens);
  const again = await client.chat.completions.create({ ...greedy, messages: user("hello") });
  assert.equal(again.choices[0].message.content, a.choices[0].message.content);

  const s = await collect(await client.chat.completions.create({ ...greedy, messages: user("hello"), stream: true }));
  assert.equal(s.first.choices[0].delta.role, "assistant");
  assert.equal(s.content, a.choices[0].message.content);
  assert.equal(s.finish, "length");

  const text = a.choices[0].message.content;
  const stop = text.slice(Math.floor(text.length / 2), Math.floor(text.length / 2) + 3);
  const cut = await client.chat.completions.create({ ...greedy, messages: user("hello"), stop: [stop] });
  assert.equal(cut.choices[0].message.content, text.slice(0, text.indexOf(stop)));
  assert.equal(cut.choices[0].finish_reason, "stop");

  const several = await client.chat.completions.create({ model: "m", messages: user("hi"), n: 2, max_tokens: 4 });
  assert.deepEqual(several.choices.map((c) => c.index), [0, 1]);

  await assert.rejects(client.chat.completions.create({ model: "m", messages: [{ role: "assistant", content: "x" }] }),
                       (e) => e.status === 400 && /Invalid role/.test(e.message));
  const stranger = new OpenAI({ baseURL, apiKey: "wrong", maxRetries: 0 });
  await assert.rejects(stranger.models.list(), (e) => e.status === 401);

  // Simultaneous streams: each equals its own greedy answer.
  const prompts = Array.from({ length: 8 }, (_, i) => `prompt ${i} ${"!".repeat(i)}`);
  const sequential = [];
  for (const p of prompts) {
    sequential.push((await client.chat.completions.create({ ...greedy, messages: user(p) })).choices[0].message.content);
  }
  const parallel = await Promise.all(prompts.map(async (p) =>
    collect(await client.chat.completions.create({ ...greedy, messages: user(p), stream: true }))));
  parallel.forEach((r, i) => assert.equal(r.content, sequential[i], `stream ${i}`));
  console.log("openai client checks passed");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
