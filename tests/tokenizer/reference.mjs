// Prints what the Hugging Face tokenizers library (Node binding) makes of a
// corpus, as the expected values of the C++ tokenizer tests.
// Usage: node reference.mjs TOKENIZER_JSON CORPUS_JSON  (NODE_PATH: node_modules)
// Corpus entries are strings or {"hex": "..."} byte strings (possibly invalid
// UTF-8, which Buffer.toString turns into U+FFFD per maximal subpart).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(process.env.NODE_PATH + '/');
const { Tokenizer } = require('@anush008/tokenizers');

const [tokenizerPath, corpusPath] = process.argv.slice(2);
const tok = Tokenizer.fromFile(tokenizerPath);
const corpus = JSON.parse(readFileSync(corpusPath, 'utf8')).map((e) =>
  typeof e === 'string' ? e : Buffer.from(e.hex.replace(/\s+/g, ''), 'hex').toString('utf8'));

const out = { plain: [], special: [], decoded: [], decoded_skip: [] };
for (const text of corpus) {
  const plain = (await tok.encode(text, null, { addSpecialTokens: false })).getIds();
  out.plain.push(plain);
  out.special.push((await tok.encode(text, null, { addSpecialTokens: true })).getIds());
  out.decoded.push(await tok.decode(plain, false));
  out.decoded_skip.push(await tok.decode(plain, true));
}
process.stdout.write(JSON.stringify(out));
