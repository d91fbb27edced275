import { getConfigStatus } from '../../core/settings/config-status.js';
import { memoBySettings, type EnvStore } from '../../core/settings/env-store.js';
import { pythonStatus } from '../../core/scratchpad/python.js';
import { COWORK_SERVER_PROTOCOL_VERSION, COWORK_SERVER_VERSION } from '../../core/version.js';

/** The scratchpad's interpreter check, redone only when the settings changed. */
const scratchpadStatus = memoBySettings((env) => pythonStatus(env.setting('ANTON_PYTHON')));

/** The `/health` body (§1.6, with A's version fields). Pure read: never writes to disk. */
export function healthPayload(env: EnvStore, liveConversations: string[], livePads: string[]) {
  const cfg = getConfigStatus(env);
  const python = scratchpadStatus(env);
  return {
    status: 'ok',
    anton_version: COWORK_SERVER_VERSION,
    cowork_server_version: COWORK_SERVER_VERSION,
    cowork_server_protocol_version: COWORK_SERVER_PROTOCOL_VERSION,
    anton_available: true,
    mode: 'anton',
    config_ready: cfg.config_ready,
    config_error: cfg.config_error,
    provider: cfg.provider,
    model: cfg.model,
    provider_label: cfg.provider_label,
    live_conversations: liveConversations,
    live_pads: livePads,
    // Ours (the client does not read them): a missing Python shows here, not first as a failing pad.
    scratchpad_available: python.ok,
    scratchpad_error: python.error ?? '',
  };
}
