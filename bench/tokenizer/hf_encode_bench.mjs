// The Hugging Face tokenizers library (Node binding) on the text of
// bench_tokenizer: every string of the demo datasets, one document each.
// Usage: RAYON_NUM_THREADS=1 NODE_PATH=<build>/npm-cache/node_modules \
//          node hf_encode_bench.mjs TOKENIZER_JSON DATA_DIR
// Prints MB/s for one encode call per document and for encodeBatch.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(process.env.NODE_PATH + '/');
const { Tokenizer } = require('@anush008/tokenizers');
const [tokenizerPath, dataDir] = process.argv.slice(2);

const docs = [];
const collect = (v) => {
  if (typeof v === 'string') { if (v.length) docs.push(v); }
  else if (v && typeof v === 'object') Object.values(v).forEach(collect);
};
for (const name of ['alpaca_en_demo.json', 'alpaca_zh_demo.json', 'identity.json']) {
  const p = `${dataDir}/${name}`;
  if (existsSync(p)) collect(JSON.parse(readFileSync(p, 'utf8')));
}
const bytes = docs.reduce((n, d) => n + Buffer.byteLength(d, 'utf8'), 0);
const tok = Tokenizer.fromFile(tokenizerPath);

async function measure(label, pass) {
  await pass();  // warm the word cache, as the C++ benchmark's steady state
  let passes = 0;
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let elapsed = 0;
  while (elapsed < 3) {
    await pass();
    ++passes;
    elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  // CPU seconds of all threads (the binding encodes on a worker thread): the
  // per-core figure, robust to a busy machine; wall-clock MB/s beside it.
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  const mb = (bytes * passes) / 1e6;
  console.log(`${label}: ${(mb / cpu).toFixed(2)} MB/s per CPU second, ${(mb / elapsed).toFixed(2)} MB/s wall ` +
              `(${bytes} bytes, ${docs.length} docs, ${passes} passes)`);
}

await measure('encode per document', async () => { for (const d of docs) await tok.encode(d); });
await measure('encodeBatch', async () => { await tok.encodeBatch(docs); });
