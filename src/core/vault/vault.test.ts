import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataVault, VAULT_KEEP, scrubSecrets } from './vault.js';
import { makeTempHome } from '../../testing/temp-home.js';

test('records are AES-256-GCM encrypted at rest, 0600 in a 0700 folder; the key file is 0600', (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const v = new DataVault(join(home, 'vault'), join(home, 'vault.key'));
  v.save('postgres', 'prod', { host: 'db.internal', password: 'hunter2-super-secret' }, ['password']);
  const files = readdirSync(join(home, 'vault'));
  assert.equal(files.length, 1);
  const raw = readFileSync(join(home, 'vault', files[0]), 'utf8');
  assert.ok(!raw.includes('hunter2') && !raw.includes('db.internal'), 'no plaintext on disk');
  assert.equal(JSON.parse(raw).alg, 'aes-256-gcm');
  assert.equal(statSync(join(home, 'vault', files[0])).mode & 0o777, 0o600);
  assert.equal(statSync(join(home, 'vault')).mode & 0o777, 0o700);
  assert.equal(statSync(join(home, 'vault.key')).mode & 0o777, 0o600);
  assert.equal(new DataVault(join(home, 'vault'), join(home, 'vault.key')).get('postgres', 'prod')!.fields.password, 'hunter2-super-secret');
});

test('tampering or swapping files is detected; the keep-sentinel keeps stored secrets; env names and scrubbing', (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const v = new DataVault(join(home, 'vault'), join(home, 'vault.key'));
  v.save('postgres', 'a', { password: 'aaaa-secret' });
  v.save('postgres', 'b', { password: 'bbbb-secret' });
  writeFileSync(join(home, 'vault', 'postgres-b.vault'), readFileSync(join(home, 'vault', 'postgres-a.vault')));
  assert.throws(() => v.get('postgres', 'b'), 'a record moved to another name does not decrypt');
  assert.deepEqual(v.list().map((r) => r.name), ['a'], 'unreadable records are skipped, not fatal');
  const kept = v.save('postgres', 'a', { password: VAULT_KEEP, user: 'me' });
  assert.equal(kept.fields.password, 'aaaa-secret');
  assert.ok(kept.secure_keys.includes('password'));
  assert.deepEqual(DataVault.env(kept), { DS_POSTGRES_A__PASSWORD: 'aaaa-secret', DS_POSTGRES_A__USER: 'me' });
  assert.deepEqual(DataVault.masked(kept), { password: VAULT_KEEP, user: 'me' });
  assert.equal(scrubSecrets('pw is aaaa-secret!', [['DS_POSTGRES_A__PASSWORD', 'aaaa-secret']]), 'pw is [DS_POSTGRES_A__PASSWORD]!');
  mkdirSync(join(home, 'x'));
});
