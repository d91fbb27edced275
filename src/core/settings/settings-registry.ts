/**
 * Every setting the code reads, declared once: its type, default, one user-facing line, whether it is a secret, and
 * a group. `EnvStore.setting(name)` parses through this, so callers never repeat a default; the README configuration
 * table is generated from it (`npm run docs:config`), and a test fails when code reads an undeclared name or a
 * declared one is read nowhere.
 */
export const SETTING_GROUPS = {
  server: 'Server',
  paths: 'Folders',
  providers: 'Models and providers',
  agent: 'Agent turns',
  memory: 'Memory',
  web: 'Web tools',
  scratchpad: 'Scratchpad',
  schedules: 'Schedules',
  connectors: 'Connectors and integrations',
  updates: 'Updates',
  logs: 'Logs',
  ui: 'Web UI and desktop',
  cli: 'The anton terminal',
  testing: 'Testing',
} as const;
export type SettingGroup = keyof typeof SETTING_GROUPS;

interface Common {
  group: SettingGroup;
  description: string;
  secret?: boolean;
  /** Shown in the README instead of `default` when the fallback depends on other settings or the machine. */
  docDefault?: string;
}
export type SettingSpec =
  | (Common & { type: 'string'; default?: string })
  | (Common & { type: 'int'; default: number })
  | (Common & { type: 'number'; default: number })
  | (Common & { type: 'bool'; default: boolean })
  | (Common & { type: 'enum'; values: readonly string[]; default?: string })
  /** A non-negative amount of `unit`; `EnvStore.settingMs` converts it to milliseconds. */
  | (Common & { type: 'duration'; unit: 'ms' | 's' | 'min'; default: number });

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const SETTINGS = {
  // server
  ANTON_SERVER_HOST: { group: 'server', type: 'string', default: '127.0.0.1', description: 'Bind address.' },
  ANTON_SERVER_PORT: { group: 'server', type: 'int', default: 26866, description: 'Port ("ANTON" on a phone keypad).' },
  ANTON_SERVER_TOKEN: {
    group: 'server',
    type: 'string',
    secret: true,
    description: 'If set, every `/v1` route needs `Authorization: Bearer <token>` (or `?token=`); `/health` and preview capabilities stay open.',
  },
  ANTON_ALLOWED_HOSTS: { group: 'server', type: 'string', description: 'Extra `Host` names accepted (comma list) besides loopback and the bind address; other hosts get 403.' },
  VITE_RENDERER_URL: { group: 'server', type: 'string', description: 'One extra CORS origin (a dev renderer). `null` is never allowed.' },
  ANTON_DEV_ORIGINS: { group: 'server', type: 'bool', default: false, description: "Accept Vite's dev origins (port 5173) as CORS origins (development only)." },
  ANTON_ALLOW_OTHER_USERS: { group: 'server', type: 'bool', default: false, description: 'Let other OS users connect on loopback (Linux refuses them by default; then a token is the only protection).' },
  ANTON_MAX_UPLOAD_MB: { group: 'server', type: 'int', default: 512, description: 'Per-file upload cap (413 past it).' },
  ANTON_EXIT_WITH_PARENT: { group: 'server', type: 'bool', default: false, description: 'Exit when the parent process goes away (on by itself when started through npm).' },
  ANTON_IMPORT_ON_BOOT: { group: 'server', type: 'bool', default: true, description: "Import the Python app's new conversations and settings at start-up." },

  // paths
  ANTON_PROJECTS_DIR: { group: 'paths', type: 'string', docDefault: '`~/.antontron/projects`', description: 'One folder per project; `general` always exists.' },
  ANTON_COWORK_STATE_DIR: {
    group: 'paths',
    type: 'string',
    docDefault: '`~/.anton/cowork`',
    description: '`cowork.db` (SQLite), backups, the encrypted vault (`vault/`, `vault.key`), logs (`logs/`), installed updates (`versions/`) and the compiled-code cache of the server (`code-cache/`, rebuilt when missing).',
  },

  // providers
  ANTON_PLANNING_PROVIDER: {
    group: 'providers',
    type: 'string',
    default: 'anthropic',
    description: 'Chat provider: `anthropic`, `openai`, `openai-compatible`, `gemini` or `minds-cloud`.',
  },
  ANTON_PLANNING_MODEL: { group: 'providers', type: 'string', docDefault: "the provider's recommended model (`claude-sonnet-4-6` for Anthropic)", description: 'Chat model.' },
  ANTON_CODING_PROVIDER: { group: 'providers', type: 'string', docDefault: 'the planning provider', description: 'Provider of the second (coding) role.' },
  ANTON_CODING_MODEL: { group: 'providers', type: 'string', docDefault: "the provider's recommended model", description: 'Model of the second (coding) role.' },
  ANTON_ANTHROPIC_API_KEY: { group: 'providers', type: 'string', secret: true, description: 'Anthropic API key.' },
  ANTHROPIC_API_KEY: { group: 'providers', type: 'string', secret: true, description: 'Legacy name of `ANTON_ANTHROPIC_API_KEY` (read when that is unset).' },
  ANTON_ANTHROPIC_BASE_URL: { group: 'providers', type: 'string', docDefault: "Anthropic's API", description: 'Anthropic endpoint (proxies).' },
  ANTON_OPENAI_API_KEY: { group: 'providers', type: 'string', secret: true, description: 'Key of the shared OpenAI slot (onboarding also stores Gemini, Minds and custom endpoints here).' },
  OPENAI_API_KEY: { group: 'providers', type: 'string', secret: true, description: 'Legacy name of `ANTON_OPENAI_API_KEY` (read when that is unset).' },
  ANTON_OPENAI_BASE_URL: {
    group: 'providers',
    type: 'string',
    docDefault: "OpenAI's API",
    description: 'Endpoint of the OpenAI slot; a non-OpenAI URL makes it OpenAI-compatible (Ollama, vLLM, LM Studio…).',
  },
  ANTON_COMPATIBLE_API_KEY: { group: 'providers', type: 'string', secret: true, description: "Key of the settings page's OpenAI-compatible provider (optional for local servers)." },
  ANTON_COMPATIBLE_BASE_URL: { group: 'providers', type: 'string', description: "Endpoint of the settings page's OpenAI-compatible provider." },
  ANTON_COMPATIBLE_NAME: { group: 'providers', type: 'string', description: 'Display name of the OpenAI-compatible provider.' },
  ANTON_GEMINI_API_KEY: { group: 'providers', type: 'string', secret: true, description: 'Google Gemini API key.' },
  ANTON_GEMINI_BASE_URL: { group: 'providers', type: 'string', default: 'https://generativelanguage.googleapis.com/v1beta/openai/', description: "Gemini's OpenAI-compatible endpoint (proxies)." },
  ANTON_MINDS_API_KEY: { group: 'providers', type: 'string', secret: true, description: 'Minds Cloud key; also the publish credential.' },
  ANTON_MINDS_URL: { group: 'providers', type: 'string', default: 'https://api.mindshub.ai', description: 'Minds endpoint (the API lives under `/api/v1`).' },
  ANTON_MINDS_MIND_NAME: { group: 'providers', type: 'string', description: 'Mind queried by the `minds` tool.' },
  ANTON_MINDS_DATASOURCE: { group: 'providers', type: 'string', description: 'Datasource the mind reads.' },
  ANTON_MINDS_DATASOURCE_ENGINE: { group: 'providers', type: 'string', description: "That datasource's engine." },
  ANTON_MINDS_SSL_VERIFY: { group: 'providers', type: 'bool', default: true, description: 'Verify the Minds endpoint certificate (off for self-hosted, self-signed).' },
  ANTON_LLM_MAX_RETRIES: { group: 'providers', type: 'int', default: 3, description: 'Retries with backoff on 429/5xx/overloaded.' },
  ANTON_LLM_IDLE_TIMEOUT_S: { group: 'providers', type: 'duration', unit: 's', default: 120, description: 'A model stream silent this long is stopped.' },
  ANTON_LLM_REQUEST_TIMEOUT_S: { group: 'providers', type: 'duration', unit: 's', default: 600, description: 'Total cap on one model request.' },

  // agent
  ANTON_MAX_TOOL_ROUNDS: { group: 'agent', type: 'int', default: 25, description: 'Tool rounds per turn.' },
  ANTON_MAX_TOKENS: { group: 'agent', type: 'int', default: 8192, description: 'Output tokens per model call.' },
  ANTON_MAX_CONCURRENT_TURNS: { group: 'agent', type: 'int', default: 8, description: 'Turns running at once (429 past it).' },
  ANTON_TURN_REPLAY_SECONDS: { group: 'agent', type: 'duration', unit: 's', default: 60, description: 'How long a finished turn stays replayable through `/v1/responses/tail`.' },
  ANTON_PROACTIVE_DASHBOARDS: { group: 'agent', type: 'bool', default: false, description: 'Ask the agent to offer dashboards unprompted.' },
  ANTON_PUBLISH_URL: { group: 'agent', type: 'string', default: 'https://4nton.ai', description: 'Publish endpoint (with `ANTON_MINDS_API_KEY`).' },

  // memory
  ANTON_MEMORY_ENABLED: { group: 'memory', type: 'bool', default: true, description: '`memorize` and memory in the prompt.' },
  ANTON_MEMORY_MODE: { group: 'memory', type: 'enum', values: ['autopilot', 'copilot', 'off'], default: 'autopilot', description: 'Memory mode (`off` disables memory).' },
  ANTON_EPISODIC_MEMORY: { group: 'memory', type: 'bool', default: true, description: '`recall` over earlier conversations.' },

  // web
  ANTON_WEB_SEARCH_PROVIDER: { group: 'web', type: 'enum', values: ['brave', 'tavily', 'searxng'], description: '`web_search` backend (off when unset).' },
  ANTON_WEB_SEARCH_API_KEY: { group: 'web', type: 'string', secret: true, description: 'Key for `brave` or `tavily`.' },
  ANTON_WEB_SEARCH_URL: { group: 'web', type: 'string', description: 'SearXNG URL.' },
  ANTON_WEB_FETCH_ALLOW_PRIVATE: { group: 'web', type: 'bool', default: false, description: '`web_fetch` may reach loopback/private addresses (intranets).' },
  ANTON_WEB_FETCH_MAX_KB: { group: 'web', type: 'int', default: 2048, description: 'Largest page `web_fetch` reads.' },

  // scratchpad
  ANTON_PYTHON: { group: 'scratchpad', type: 'string', default: 'python3', description: 'Interpreter for scratchpad kernels.' },
  ANTON_SERVER_MAX_PADS: { group: 'scratchpad', type: 'int', default: 5, description: 'Named scratchpads of `/v1/scratchpad/*` (429 past it).' },
  ANTON_MAX_KERNELS: { group: 'scratchpad', type: 'int', default: 16, description: 'Python kernels the agent may have open across all conversations (past it the agent is told to reuse or remove one).' },
  ANTON_MAX_PADS_PER_CONVERSATION: { group: 'scratchpad', type: 'int', default: 8, description: "Pads one conversation's agent may open (429 past it)." },
  ANTON_SCRATCHPAD_IDLE_MINUTES: { group: 'scratchpad', type: 'duration', unit: 'min', default: 30, description: 'Idle pads are closed after this long.' },
  ANTON_SCRATCHPAD_MAX_MEMORY_MB: { group: 'scratchpad', type: 'int', default: 8192, description: 'Address-space cap per kernel.' },

  // schedules
  ANTON_SCHEDULER_TICK_MS: { group: 'schedules', type: 'int', default: 30_000, description: 'How often due schedules are looked for (ms).' },
  ANTON_SCHEDULE_GRACE_SECONDS: { group: 'schedules', type: 'int', default: 120, description: 'A slot this late still counts as on time.' },
  ANTON_SCHEDULE_MISSED_POLICY: {
    group: 'schedules',
    type: 'enum',
    values: ['run_once', 'skip'],
    default: 'run_once',
    description: 'A slot missed while the machine slept runs once on wake (`skip` counts it instead).',
  },
  ANTON_MAX_CONCURRENT_SCHEDULE_RUNS: { group: 'schedules', type: 'int', default: 2, description: 'Schedule runs at once.' },

  // connectors and integrations
  ANTON_PROBE_TIMEOUT_MS: { group: 'connectors', type: 'duration', unit: 'ms', default: 10_000, description: 'Connector test (probe) time limit; read from the process environment at start.' },
  GOOGLE_CLIENT_ID: { group: 'connectors', type: 'string', description: 'Server-side Google OAuth client (Drive, Calendar, Gmail).' },
  GOOGLE_CLIENT_SECRET: { group: 'connectors', type: 'string', secret: true, description: 'Secret of that client.' },
  ANTON_GOOGLE_OAUTH_REDIRECT_BASE: { group: 'connectors', type: 'string', docDefault: 'the request host', description: 'Origin of the OAuth redirect.' },
  ANTON_GOOGLE_AUTH_URL: { group: 'connectors', type: 'string', default: 'https://accounts.google.com/o/oauth2/v2/auth', description: 'Google authorization endpoint (tests).' },
  ANTON_GOOGLE_TOKEN_URL: { group: 'connectors', type: 'string', default: 'https://oauth2.googleapis.com/token', description: 'Google token endpoint (tests).' },
  ANTON_GOOGLE_USERINFO_URL: { group: 'connectors', type: 'string', default: 'https://openidconnect.googleapis.com/v1/userinfo', description: 'Google user-info endpoint (tests).' },
  ANTON_GOOGLE_REVOKE_URL: { group: 'connectors', type: 'string', default: 'https://oauth2.googleapis.com/revoke', description: 'Google revocation endpoint (tests).' },

  // updates
  ANTON_DISABLE_AUTOUPDATES: { group: 'updates', type: 'bool', default: false, description: 'Turn self-update off (no checks; the installed version runs).' },
  ANTON_UPDATE_REGISTRY: { group: 'updates', type: 'string', default: 'https://registry.npmjs.org', description: 'Registry updates come from.' },
  ANTON_UPDATE_TAG: { group: 'updates', type: 'string', default: 'latest', description: 'Release channel (dist-tag).' },
  ANTON_UPDATE_SWITCH: {
    group: 'updates',
    type: 'enum',
    values: ['idle', 'next-start'],
    default: 'idle',
    description: 'Switch to a verified update when nothing is live, or at the next start.',
  },
  ANTON_UPDATE_KEYS: { group: 'updates', type: 'string', description: 'Extra trusted release-signing keys (comma-separated raw ed25519 public keys, base64). Releases must be signed ([docs/updates.md](docs/updates.md)).' },
  ANTON_UPDATE_CHECK_DELAY_MS: { group: 'updates', type: 'int', default: 10_000, description: 'First update check after ready (ms).' },
  ANTON_UPDATE_CHECK_INTERVAL_S: { group: 'updates', type: 'duration', unit: 's', default: 6 * 3600, description: 'Later update checks.' },
  ANTON_UPDATE_PROBATION_S: {
    group: 'updates',
    type: 'duration',
    unit: 's',
    default: 600,
    description: 'How long a new version must run before it counts as good (a failure then rolls back and quarantines it).',
  },

  // logs
  ANTON_LOG_LEVEL: { group: 'logs', type: 'enum', values: LOG_LEVELS, default: 'info', description: 'Log level.' },
  ANTON_LOG_REQUESTS: { group: 'logs', type: 'bool', default: false, description: 'Log every HTTP request.' },
  ANTON_LOG_JSON: { group: 'logs', type: 'bool', default: false, description: 'JSON lines on stdout even on a terminal.' },
  ANTON_LOG_FILE: { group: 'logs', type: 'string', docDefault: '`<state dir>/logs/server.log`', description: 'Rotating JSON log file (secrets redacted); `off` for none.' },
  ANTON_LOG_FILE_MAX_MB: { group: 'logs', type: 'int', default: 10, description: 'Size at which the log file rotates.' },

  // ui
  ANTON_SERVE_SPA: { group: 'ui', type: 'bool', default: false, description: 'Serve the web UI (`index-web.html`, `assets/`, `fonts/`, `gravity-field/`, `logos/`).' },
  ANTON_SPA_DIR: { group: 'ui', type: 'string', default: '/app/dist/renderer-web', description: 'Folder of the web UI build.' },
  ANTON_OPEN_COMMAND: { group: 'ui', type: 'string', docDefault: 'OS default', description: 'Program used by `/v1/artifacts/open` and `reveal` (run without a shell).' },
  UI_UPDATE_MODE: { group: 'ui', type: 'string', default: 'manual', description: 'Passed through to the UI as-is.' },

  // cli
  ANTON_SETUP_API_KEY: { group: 'cli', type: 'string', secret: true, description: 'API key for `anton setup --provider` when `--api-key` is not given (process environment).' },
  ANTON_DEBUG: { group: 'cli', type: 'bool', default: false, description: 'Print the stack trace of a failing `anton` command (process environment).' },

  // testing
  ANTON_TEST_LOG_LEVEL: { group: 'testing', type: 'enum', values: LOG_LEVELS, default: 'silent', description: 'Log level of in-process test servers (process environment).' },
} as const satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof SETTINGS;

/**
 * Names the code uses that are not settings a user sets: values it writes into a child's environment, and the
 * supervisor's marker for the process it forked.
 */
export const NOT_SETTINGS: Record<string, string> = {
  ANTON_SUPERVISED: 'set by the supervisor on the server process it forks',
  ANTON_SCRATCHPAD_PROVIDER: "written into a scratchpad kernel's environment",
  ANTON_SCRATCHPAD_MODEL: "written into a scratchpad kernel's environment",
  ANTON_CTRL_FD: "written into a scratchpad kernel's environment (its control pipe)",
};

type Spec<K extends SettingName> = (typeof SETTINGS)[K];
/** The parsed type of a setting: a declared default makes it always present. */
export type SettingValue<K extends SettingName> =
  Spec<K> extends { type: 'int' | 'number' | 'duration' }
    ? number
    : Spec<K> extends { type: 'bool' }
      ? boolean
      : Spec<K> extends { type: 'enum'; values: readonly (infer V)[] }
        ? Spec<K> extends { default: string }
          ? V
          : V | undefined
        : Spec<K> extends { default: string }
          ? string
          : string | undefined;

export type DurationSettingName = { [K in SettingName]: Spec<K> extends { type: 'duration' } ? K : never }[SettingName];

export function isSettingName(name: string): name is SettingName {
  return Object.hasOwn(SETTINGS, name);
}

/**
 * Parse a raw value (undefined or '' = unset) as its declaration says. Unusable values fall back to the default, as
 * the readers did before: `int` takes parseInt's leading digits, `bool` is true for 1/true/yes/on, an unknown enum
 * value counts as unset, a duration must be a number >= 0.
 */
export function parseSetting<K extends SettingName>(name: K, raw: string | undefined): SettingValue<K> {
  const spec = SETTINGS[name] as SettingSpec;
  const dflt = (spec as { default?: unknown }).default;
  const v = raw === '' ? undefined : raw;
  let out: unknown;
  switch (spec.type) {
    case 'string':
      out = v ?? dflt;
      break;
    case 'int': {
      const n = Number.parseInt(v ?? '', 10);
      out = Number.isFinite(n) ? n : dflt;
      break;
    }
    case 'number': {
      const n = Number(v ?? Number.NaN);
      out = Number.isFinite(n) ? n : dflt;
      break;
    }
    case 'duration': {
      const n = v === undefined ? Number.NaN : Number(v.trim());
      out = Number.isFinite(n) && n >= 0 ? n : dflt;
      break;
    }
    case 'bool':
      out = v === undefined ? dflt : ['1', 'true', 'yes', 'on'].includes(v.trim().toLowerCase());
      break;
    case 'enum':
      out = v !== undefined && spec.values.includes(v) ? v : dflt;
      break;
  }
  return out as SettingValue<K>;
}

const UNIT_MS = { ms: 1, s: 1000, min: 60_000 } as const;

/** A duration setting's parsed value in milliseconds. */
export function toMs(name: DurationSettingName, value: number): number {
  const spec = SETTINGS[name] as SettingSpec;
  if (spec.type !== 'duration') throw new Error(`${name} is not a duration`);
  return value * UNIT_MS[spec.unit];
}
