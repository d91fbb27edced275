/**
 * Reference-shaped homes for the import tests, written exactly as the Python server lays them out on disk
 * (`../shared/spec/protocol-v1-reference.md` §2.4, §2.8, §2.10, §4, §7): A = the packaged server, C = its later copy.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const A_IDS = {
  general: ['20260511_181902_a1b2c3', '20260512_090000_b2c3d4'],
  finance: ['20260513_101500_c3d4e5'],
  scheduledRun: '20260514_090001_d4e5f6',
  fileAttachment: 'att_0123456789abcdef',
  snippet: 'att_fedcba9876543210',
  schedules: ['sch_00000000000001', 'sch_00000000000002'],
};

/** As the reference writes its files: a temporary file, then a rename over the target (§4.2 "atomic writes"). */
const write = (file: string, content: string | object) => {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  renameSync(`${file}.tmp`, file);
};

/** One exchange with a Python step: user, assistant text + tool_use, tool_result, assistant answer. */
export function exchange(n: number, question: string, answer: string) {
  return [
    { role: 'user', content: question },
    { role: 'assistant', content: [{ type: 'text', text: 'Let me compute that.' }, { type: 'tool_use', id: `toolu_${n}`, name: 'scratchpad', input: { action: 'exec', name: 'main', code: `print(${n})` } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${n}`, content: `[output]\n${n}` }] },
    { role: 'assistant', content: [{ type: 'text', text: answer }] },
  ];
}

const events = (id: string, text: string) => [
  { type: 'response.created', sequence_number: 1, response: { id: `resp_${id}` }, conversation_id: id },
  { type: 'response.output_text.delta', sequence_number: 2, delta: text },
  { type: 'response.completed', sequence_number: 3 },
];

/** `<project>/.anton/episodes/<id>_{meta,history,turns}.json` as A writes them. */
export function writeConversation(projectDir: string, id: string, meta: Record<string, unknown>, history: object[], startedAt: number[]): void {
  const ep = join(projectDir, '.anton', 'episodes');
  write(join(ep, `${id}_meta.json`), { id, ...meta });
  write(join(ep, `${id}_history.json`), history);
  write(join(ep, `${id}_turns.json`), { by_assistant_turn: Object.fromEntries(startedAt.map((t, k) => [String(k), { started_at: t, events: events(id, `turn ${k}`) }])) });
}

/** A Python-side follow-up turn appended to an existing conversation (what A does when the user continues it). */
export function appendPythonTurn(projectDir: string, id: string, question: string, answer: string): void {
  const ep = join(projectDir, '.anton', 'episodes');
  const history = JSON.parse(readFileSync(join(ep, `${id}_history.json`), 'utf8')) as object[];
  const meta = JSON.parse(readFileSync(join(ep, `${id}_meta.json`), 'utf8')) as Record<string, unknown>;
  const turns = JSON.parse(readFileSync(join(ep, `${id}_turns.json`), 'utf8')) as { by_assistant_turn: Record<string, unknown> };
  history.push({ role: 'user', content: question }, { role: 'assistant', content: [{ type: 'text', text: answer }] });
  const k = Object.keys(turns.by_assistant_turn).length;
  turns.by_assistant_turn[String(k)] = { started_at: 1747300000000, events: events(id, `turn ${k}`) };
  write(join(ep, `${id}_history.json`), history);
  write(join(ep, `${id}_meta.json`), { ...meta, turns: Number(meta.turns ?? 0) + 1, updated_at: '2026-05-20T10:00:00.000000+00:00' });
  write(join(ep, `${id}_turns.json`), turns);
}

export interface AHome {
  projects: string;
  artifactDir: string;
  attachmentFile: string;
  vaultFile: string;
}

/**
 * A's install: 2 projects (finance with its instructions in `.context/anton.md` and an artifact in
 * `artifacts/<slug>/`), 3 conversations with code steps, a schedule run's conversation, pins, 2 schedules,
 * an uploaded file and a text snippet, a PostgreSQL connection in the plaintext vault, preferences.
 */
export function writeAHome(home: string): AHome {
  const projects = join(home, '.antontron', 'projects');
  const general = join(projects, 'general');
  const finance = join(projects, 'finance');
  for (const p of [general, finance]) {
    // anton-core's Workspace.initialize scaffold: the template anton.md nobody edits in A, plus .anton/.env.
    write(join(p, '.anton', 'anton.md'), '# Anton Workspace\n\nDescribe your project here.\n');
    write(join(p, '.anton', '.env'), '# Anton environment variables\n');
  }
  write(join(finance, '.context', 'anton.md'), 'Always report amounts in euros, rounded to thousands.\n');
  write(join(finance, 'sales.csv'), 'region,revenue\nEMEA,1200\n');

  const [g1, g2] = A_IDS.general;
  writeConversation(general, g1, { title: 'Summarize Q3 revenue by region', turns: 2, preview: 'Summarize Q3 revenue by region', created_at: '2026-05-11T18:19:02.100000+00:00', updated_at: '2026-05-11T18:21:40.900000+00:00', project: 'general' }, [...exchange(1, 'Summarize Q3 revenue by region', 'EMEA leads.'), ...exchange(2, 'And Q2?', 'Q2 was flat.')], [1747000000123, 1747000100456]);
  writeConversation(general, g2, { title: 'Churn cohort analysis', turns: 1, preview: 'Churn cohort analysis', created_at: '2026-05-12T09:00:00.000000+00:00', updated_at: '2026-05-12T09:05:00.000000+00:00', project: 'general' }, exchange(3, 'Churn cohort analysis', 'Cohort 3 churns most.'), [1747040000000]);
  writeConversation(finance, A_IDS.finance[0], { title: 'Q3 revenue dashboard', turns: 1, preview: 'Build a Q3 revenue dashboard', created_at: '2026-05-13T10:15:00.000000+00:00', updated_at: '2026-05-13T10:20:00.000000+00:00', project: 'finance' }, exchange(4, 'Build a Q3 revenue dashboard', 'Dashboard ready.'), [1747131300000]);
  writeConversation(general, A_IDS.scheduledRun, { title: 'Summarize yesterday', turns: 1, preview: 'Summarize yesterday', created_at: '2026-05-14T09:00:01.000000+00:00', updated_at: '2026-05-14T09:01:00.000000+00:00', project: 'general' }, exchange(5, 'Summarize yesterday', 'Quiet day.'), [1747213201000]);

  // §4.3: A's artifact folder at <project>/artifacts/<slug>/.
  const artifactDir = join(finance, 'artifacts', 'q3-revenue-dashboard');
  write(join(artifactDir, 'dashboard.html'), '<html><body><h1>Q3 revenue</h1><script src="chart.js"></script></body></html>');
  write(join(artifactDir, 'chart.js'), 'console.log("chart")');
  write(join(artifactDir, 'metadata.json'), {
    id: '3fa9c2d1',
    slug: 'q3-revenue-dashboard',
    createdAt: '2026-05-13T10:18:00+00:00',
    updatedAt: '2026-05-13T10:20:00+00:00',
    name: 'Q3 revenue dashboard',
    description: 'Revenue by region',
    type: 'html-app',
    primary: 'dashboard.html',
    files: [{ path: 'dashboard.html', bytes: 82, modifiedAt: '2026-05-13T10:20:00+00:00' }],
    provenance: [{ conversation: A_IDS.finance[0], title: 'Q3 revenue dashboard', turns: [{ index: 0, timestamp: '2026-05-13T10:20:00+00:00', summary: 'Build a Q3 revenue dashboard', files_touched: ['dashboard.html'] }] }],
  });
  write(join(artifactDir, 'README.md'), '# Q3 revenue dashboard\n');

  // §2.10 A: uploads under ~/.anton/cowork/attachments/<id>/<name>, metadata (and snippet text) in state.json.
  const attachmentFile = join(home, '.anton', 'cowork', 'attachments', A_IDS.fileAttachment, 'regional sales.csv');
  write(attachmentFile, 'region,units\nAPAC,77\n');
  const state = {
    version: 3,
    attachments: {
      [A_IDS.fileAttachment]: { id: A_IDS.fileAttachment, kind: 'file', name: 'regional sales.csv', mime: 'text/csv', size: 21, path: attachmentFile, sessionId: g1, projectPath: general, createdAt: '2026-05-11T18:19:00.000000+00:00', updatedAt: '2026-05-11T18:19:00.000000+00:00' },
      [A_IDS.snippet]: {
        id: A_IDS.snippet,
        kind: 'snippet',
        name: 'Pricing notes',
        mime: 'text/plain',
        size: 44,
        path: null,
        source: 'snippet',
        sourceUrl: null,
        sessionId: g1,
        projectPath: general,
        language: 'markdown',
        createdAt: '2026-05-11T18:19:30.000000+00:00',
        updatedAt: '2026-05-11T18:19:30.000000+00:00',
        status: 'ready',
        extractionStatus: 'ready',
        text: 'Enterprise tier discount: 18 percent on renewals',
        textPreview: 'Enterprise tier discount: 18 percent on renewals',
        truncated: false,
        note: null,
      },
    },
    pins: [
      { key: `task:${g1}`, type: 'task', id: g1, title: 'Q3 summary', createdAt: '2026-05-11T18:30:00.000000+00:00', updatedAt: '2026-05-11T18:31:00.000000+00:00' },
      { key: 'project:finance', type: 'project', id: 'finance', title: 'Finance', createdAt: '2026-05-10T08:00:00.000000+00:00', updatedAt: '2026-05-10T08:00:00.000000+00:00' },
    ],
    preferences: { greeting: 'Morning, Ada', tone: 'direct', defaultModel: 'claude-opus-4-1', autoPin: true, showDots: true, accentVariant: 'aqua' },
    visit_counts: { [g1]: 4 },
    schedules: [
      { id: A_IDS.schedules[0], title: 'Daily digest', prompt: 'Summarize yesterday', cadence: 'daily', timezone: 'local', nextRunAt: '2099-01-01T09:00:00+00:00', enabled: true, project: 'general', model: null, lastRunAt: '2026-05-14T09:01:00+00:00', lastResultSessionId: A_IDS.scheduledRun, lastError: null, catchupPending: false, missedRuns: 0, createdAt: '2026-05-01T00:00:00+00:00', updatedAt: '2026-05-14T09:01:00+00:00' },
      { id: A_IDS.schedules[1], title: 'Weekly', prompt: 'Weekly report', cadence: 'weekly', timezone: 'local', nextRunAt: '2099-01-05T09:00:00+00:00', enabled: false, project: 'finance', model: null, lastRunAt: null, lastResultSessionId: null, lastError: null, catchupPending: false, missedRuns: 1, createdAt: '2026-05-02T00:00:00+00:00', updatedAt: '2026-05-02T00:00:00+00:00' },
    ],
    schedule_runs: {
      [A_IDS.schedules[0]]: [{ id: 'run_00000000000001', scheduleId: A_IDS.schedules[0], startedAt: '2026-05-14T09:00:01+00:00', finishedAt: '2026-05-14T09:01:00+00:00', durationMs: 59000, status: 'success', error: null, sessionId: A_IDS.scheduledRun, manual: false }],
    },
    search_metadata: {},
    utility_state: {},
    publish_history: [{ artifact: join(artifactDir, 'dashboard.html'), artifactName: 'dashboard.html', url: 'https://4nton.ai/r/u/rep_9', reportId: 'rep_9', publishedAt: '2026-05-13T11:00:00+00:00' }],
    migrations: [{ from: 0, to: 3, at: '2026-05-01T00:00:00+00:00' }],
  };
  write(join(home, '.anton', 'cowork', 'state.json'), state);
  write(join(home, '.antontron', 'state.json'), { activeProject: 'finance' });

  // §4.4: the plaintext vault record, saved through the reference's form (its field names: `username`).
  const vaultFile = join(home, '.anton', 'data_vault', 'postgres-prod');
  write(vaultFile, {
    engine: 'postgres',
    name: 'prod',
    created_at: '2026-05-03T12:00:00.000000+00:00',
    updated_at: '2026-05-04T12:00:00.000000+00:00',
    fields: { host: '127.0.0.1', port: '5432', database: 'test', username: 'postgres', password: 'pg-secret-4821', _method: 'host-port', _connector_id: 'postgres' },
    secure_keys: ['password'],
  });
  return { projects, artifactDir, attachmentFile, vaultFile };
}

/** C's install: instructions in `.anton/anton.md`, artifacts in `.anton/artifacts/`, uploads per conversation, multi-provider preferences. */
export function writeCHome(home: string, compatibleUrl = 'http://127.0.0.1:9/v1'): { projects: string; runConversation: string; uploadFile: string } {
  const projects = join(home, '.antontron', 'projects');
  const general = join(projects, 'general');
  write(join(general, '.anton', 'anton.md'), 'Answer in French.\n');
  const runConversation = '20260515_070000_e5f6a7';
  writeConversation(general, runConversation, { title: 'Morning brief', turns: 1, preview: 'Morning brief', created_at: '2026-05-15T07:00:00+00:00', updated_at: '2026-05-15T07:02:00+00:00', project: 'general', disabled_connections: [{ engine: 'postgres', name: 'prod' }] }, exchange(9, 'Morning brief', 'All calm.'), [1747292400000]);
  const art = join(general, '.anton', 'artifacts', 'weekly-kpis');
  write(join(art, 'kpis.md'), '# Weekly KPIs\n');
  write(join(art, 'metadata.json'), { id: 'aa11bb22', slug: 'weekly-kpis', createdAt: '2026-05-15T07:01:00+00:00', updatedAt: '2026-05-15T07:01:00+00:00', name: 'Weekly KPIs', description: 'KPI digest', type: 'document', primary: 'kpis.md', files: [], provenance: [] });
  const uploadFile = join(general, '.anton', 'uploads', runConversation, 'att_1111222233334444', 'brief.txt');
  write(uploadFile, 'brief');
  write(join(home, '.anton', 'cowork', 'state.json'), {
    version: 3,
    pins: [],
    preferences: {
      greeting: 'Bonjour',
      modelMode: 'custom',
      modelOverrides: { planning: { providerType: 'openai-compatible', model: 'qwen2.5-72b' }, coding: { providerType: 'openai-compatible', model: 'qwen2.5-7b' } },
      providers: [{ type: 'openai-compatible', name: 'Office vLLM', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-local-1', isDefault: true }],
      providerStatus: { 'openai-compatible': 'ok' },
    },
    schedules: [{ id: 'sch_00000000000003', title: 'Morning brief', prompt: 'Morning brief', cadence: 'daily', timezone: 'Europe/Paris', nextRunAt: '2099-01-01T07:00:00+00:00', enabled: true, project: 'general', model: null, lastRunAt: null, lastResultSessionId: null, lastError: null, catchupPending: false, missedRuns: 0, createdAt: '2026-05-01T00:00:00+00:00', updatedAt: '2026-05-01T00:00:00+00:00' }],
    // No run record: C's listing then matches the conversation by (title, project) = (prompt[:60], project).
    schedule_runs: {},
  });
  write(join(home, '.anton', '.env'), `ANTON_COMPATIBLE_API_KEY=sk-local-1\nANTON_COMPATIBLE_BASE_URL=${compatibleUrl}\nANTON_PLANNING_PROVIDER=openai-compatible\nANTON_PLANNING_MODEL=qwen2.5-72b\n`);
  return { projects, runConversation, uploadFile };
}

/** Every file under `dirs` with its content hash, to prove later that the sources were not rewritten. */
export function snapshot(...dirs: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(p, createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  for (const d of dirs) walk(d);
  return out;
}

/** Files of a snapshot that changed or disappeared since. */
export function changedSince(before: Map<string, string>): string[] {
  return [...before]
    .filter(([p, h]) => {
      try {
        return createHash('sha256').update(readFileSync(p)).digest('hex') !== h;
      } catch {
        return true;
      }
    })
    .map(([p]) => p);
}
