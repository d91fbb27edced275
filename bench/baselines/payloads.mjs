// What the baselines answer: bodies shaped and sized like the real server's, so baselines do comparable work.
export const healthBody = (live) => ({
  status: 'ok',
  anton_version: '0.1.0',
  cowork_server_version: '0.1.0',
  cowork_server_protocol_version: 1,
  anton_available: true,
  mode: 'anton',
  config_ready: true,
  config_error: '',
  provider: 'anthropic',
  model: 'claude-sonnet-4-6',
  provider_label: 'Anthropic',
  live_conversations: live,
  live_pads: [],
});

export const conversationsBody = (n) => ({
  project: 'general',
  conversations: Array.from({ length: n }, (_, i) => ({
    id: `20260101_000000_${String(i).padStart(6, '0')}`,
    title: 'stream please',
    turns: 1,
    preview: 'stream please',
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    project: 'general',
    disabled_connections: [],
    project_path: '/home/user/.antontron/projects/general',
  })),
});
