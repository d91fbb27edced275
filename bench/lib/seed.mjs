// Fill a HOME's database with N messages (10 per conversation) through the real store code (compiled dist),
// for the search figures. Words follow a skewed (Zipf-like) distribution over an invented vocabulary, so some
// words are in a large share of all messages (the "common word" case) and 2-letter prefixes match widely.
// Usage: node bench/lib/seed.mjs <home> <messages>  → prints {"ms":…, "common":…, "rare":…}
import { join } from 'node:path';
import { openDatabase } from '../../dist/cowork/server/db/database.js';
import { ConversationStore } from '../../dist/cowork/server/stores/conversations.js';

const [home, total] = [process.argv[2], Number(process.argv[3])];
const { db } = openDatabase(join(home, '.anton', 'cowork', 'cowork.db'));
const store = new ConversationStore(db);
let seed = 42;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const syllables = ['ka', 'ro', 'mi', 'te', 'su', 'na', 'lo', 'pe', 'ri', 'do', 'an', 'th', 'el', 'or', 'is'];
const vocab = Array.from({ length: 8000 }, () => Array.from({ length: 2 + Math.floor(rnd() * 3) }, () => syllables[Math.floor(rnd() * syllables.length)]).join(''));
const word = () => vocab[Math.floor(Math.pow(rnd(), 3) * vocab.length)];
const sentence = (n) => Array.from({ length: n }, word).join(' ');
const t0 = performance.now();
const perConversation = 10;
const batch = db.transaction((from, to) => {
  for (let c = from; c < to; c++) {
    const id = `20260101_000000_${c.toString(16).padStart(6, '0')}`;
    store.ensure(id, 'general');
    const history = Array.from({ length: perConversation }, (_, i) =>
      i % 2 ? { role: 'assistant', content: [{ type: 'text', text: sentence(30) }] } : { role: 'user', content: sentence(12) },
    );
    store.saveHistory(id, history, 0, null);
  }
});
const conversations = Math.ceil(total / perConversation);
for (let c = 0; c < conversations; c += 1000) batch(c, Math.min(conversations, c + 1000));
// A live server indexes saved text within a second or so, then merges the index's segments: the seeded state is that one.
store.textIndex.all();
store.textIndex.mergeAll();
db.pragma('wal_checkpoint(TRUNCATE)');
db.close();
console.log(JSON.stringify({ ms: performance.now() - t0, common: vocab[0], rare: vocab[vocab.length - 1] }));
