import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCipheriv, randomBytes } from 'node:crypto';
import { DataVault, VAULT_KEEP, VaultIntegrityError, scrubSecrets } from './vault.js';
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

test('flipped ciphertext or tag bits and swapped files are refused with a clear integrity error; the keep-sentinel keeps stored secrets; env names and scrubbing', (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const v = new DataVault(join(home, 'vault'), join(home, 'vault.key'));
  v.save('postgres', 'a', { password: 'aaaa-secret' });
  v.save('postgres', 'b', { password: 'bbbb-secret' });
  const fileOf = (n: string) => join(home, 'vault', readdirSync(join(home, 'vault')).find((f) => f.startsWith(`postgres-${n}.`))!);
  const refused = (n: string) => (err: unknown) => err instanceof VaultIntegrityError && err.recordId.startsWith(`postgres-${n}.`) && /failed its integrity check/.test(err.message);
  writeFileSync(fileOf('b'), readFileSync(fileOf('a')));
  assert.throws(() => v.get('postgres', 'b'), refused('b'), 'a record moved to another name is refused');
  assert.deepEqual(v.list().map((r) => r.name), ['a'], 'unreadable records are skipped, not fatal');

  // Flip bits inside the sealed bytes: one in the ciphertext, on a character of the password (AES-GCM is a stream
  // cipher, so without the tag check the record would still parse and quietly read a different password), one in the tag.
  v.save('postgres', 'c', { password: 'cccc-secret' });
  const file = fileOf('c');
  const date = 'x'.repeat(new Date().toISOString().length);
  const passwordAt = `{"engine":"postgres","name":"c","created_at":"${date}","updated_at":"${date}","fields":{"password":"`.length;
  const sealed = readFileSync(file, 'utf8');
  const flip = (field: 'data' | 'tag', at: number) => {
    const env = JSON.parse(sealed) as Record<string, string>;
    const bytes = Buffer.from(env[field]!, 'base64');
    bytes[at]! ^= 0x01;
    writeFileSync(file, JSON.stringify({ ...env, [field]: bytes.toString('base64') }));
  };
  flip('data', passwordAt);
  assert.throws(() => v.get('postgres', 'c'), refused('c'), 'a flipped ciphertext bit is refused');
  flip('tag', 0);
  assert.throws(() => v.get('postgres', 'c'), refused('c'), 'a flipped tag bit is refused');
  writeFileSync(file, sealed);
  assert.equal(v.get('postgres', 'c')!.fields.password, 'cccc-secret', 'the untouched bytes still open');
  assert.deepEqual(v.list().map((r) => r.name), ['a', 'c']);
  const kept = v.save('postgres', 'a', { password: VAULT_KEEP, user: 'me' });
  assert.equal(kept.fields.password, 'aaaa-secret');
  assert.ok(kept.secure_keys.includes('password'));
  assert.deepEqual(DataVault.env(kept), { DS_POSTGRES_A__PASSWORD: 'aaaa-secret', DS_POSTGRES_A__USER: 'me' });
  assert.deepEqual(DataVault.masked(kept), { password: VAULT_KEEP, user: 'me' });
  assert.equal(scrubSecrets('pw is aaaa-secret!', [['DS_POSTGRES_A__PASSWORD', 'aaaa-secret']]), 'pw is [DS_POSTGRES_A__PASSWORD]!');
  mkdirSync(join(home, 'x'));
});

test('vault names are injective: prod.db, prod db and prod_db are three connections; deleting one never touches another', (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const v = new DataVault(join(home, 'vault'), join(home, 'vault.key'));
  v.save('postgres', 'prod.db', { password: 'dot-secret' });
  v.save('postgres', 'prod db', { password: 'space-secret' });
  v.save('post-gres', 'x', { password: 'dash-engine' });
  v.save('post', 'gres-x', { password: 'dash-name' });
  assert.equal(v.get('postgres', 'prod.db')!.fields.password, 'dot-secret');
  assert.equal(v.get('postgres', 'prod db')!.fields.password, 'space-secret');
  assert.equal(v.get('post-gres', 'x')!.fields.password, 'dash-engine');
  assert.equal(v.get('post', 'gres-x')!.fields.password, 'dash-name');
  assert.equal(v.get('postgres', 'prod_db'), null, 'a name never saved reads as absent');
  assert.equal(v.delete('postgres', 'prod_db'), false);
  assert.equal(v.list().length, 4);
  assert.ok(v.delete('postgres', 'prod db'));
  assert.deepEqual(v.list().map((r) => `${r.engine}/${r.name}`), ['post-gres/x', 'post/gres-x', 'postgres/prod.db']);
  // A very long name still fits in one file name.
  v.save('postgres', 'n'.repeat(500), { password: 'long' });
  assert.equal(v.get('postgres', 'n'.repeat(500))!.fields.password, 'long');
});

test('existing vault files (<engine>-<name>.vault) keep reading, but only for the engine and name stored inside', (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const dir = join(home, 'vault');
  const v = new DataVault(dir, join(home, 'vault.key'));
  // Write a file exactly as earlier versions did: slug name, the slug as additional data.
  const legacy = legacySeal(v, 'postgres-prod_db', { engine: 'postgres', name: 'prod.db', created_at: 'c', updated_at: 'u', fields: { password: 'old-secret' }, secure_keys: ['password'] });
  writeFileSync(join(dir, 'postgres-prod_db.vault'), legacy);
  assert.equal(v.get('postgres', 'prod.db')!.fields.password, 'old-secret', 'an existing file still reads');
  assert.equal(v.get('postgres', 'prod_db'), null, 'another name that slugs the same does not read it');
  assert.equal(v.get('postgres', 'prod db'), null);
  assert.equal(v.delete('postgres', 'prod_db'), false, 'nor deletes it');
  v.save('postgres', 'prod db', { password: 'new-secret' });
  assert.equal(v.get('postgres', 'prod.db')!.fields.password, 'old-secret', 'saving a colliding name leaves it alone');
  assert.deepEqual(v.list().map((r) => r.name).sort(), ['prod db', 'prod.db']);
  // Saving the real owner moves it to the new naming (one record, not two).
  v.save('postgres', 'prod.db', { password: 'rotated' });
  assert.deepEqual(v.list().map((r) => `${r.name}=${r.fields.password}`).sort(), ['prod db=new-secret', 'prod.db=rotated']);
  assert.ok(!readdirSync(dir).includes('postgres-prod_db.vault'));
});

/** Seal a record the way the first vault format did (AAD = the file stem). */
function legacySeal(v: DataVault, id: string, rec: object): string {
  (v as unknown as { getKey(): Buffer }).getKey();
  const key = (v as unknown as { key: Buffer }).key;
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(id));
  const data = Buffer.concat([c.update(JSON.stringify(rec), 'utf8'), c.final()]);
  mkdirSync(v.dir, { recursive: true });
  return JSON.stringify({ v: 1, alg: 'aes-256-gcm', iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64'), data: data.toString('base64') });
}
