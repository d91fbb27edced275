// Our connectors and methods beyond the reference catalogue (same shape as facts.json).
const f = (name, type, required, more = {}) => ({ name, type, required, ...(type === 'password' ? { secret: true } : {}), ...more });

export const EXTRA_CONNECTORS = [
  {
    id: 'sqlite', label: 'SQLite', category: 'database', icon: 'database', color: '#003B57',
    aliases: ['sqlite3', 'sqlite file'], keywords: ['sql', 'file', 'local', 'embedded'],
    methods: [{ id: 'file', recommended: true, help_url: 'https://www.sqlite.org/docs.html', fields: [f('path', 'text', true)] }],
  },
  {
    id: 'custom_rest_api', label: 'Custom REST API', category: 'data', icon: 'link', color: '#4B5563',
    aliases: ['rest api', 'http api', 'custom api'], keywords: ['http', 'json', 'webhook', 'api'],
    methods: [
      { id: 'bearer', recommended: true, help_url: 'https://developer.mozilla.org/docs/Web/HTTP/Authentication', fields: [f('base_url', 'url', true), f('api_key', 'password', true)] },
      { id: 'api-key-header', help_url: 'https://developer.mozilla.org/docs/Web/HTTP/Headers', fields: [f('base_url', 'url', true), f('header_name', 'text', true, { default: 'X-API-Key' }), f('api_key', 'password', true)] },
    ],
  },
  {
    id: 'shopify', label: 'Shopify', category: 'ecommerce', icon: 'cube', color: '#95BF47',
    aliases: ['shopify store', 'shopify admin'], keywords: ['ecommerce', 'orders', 'products', 'customers', 'inventory'],
    methods: [{ id: 'admin-token', recommended: true, help_url: 'https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/generate-app-access-tokens-admin', fields: [f('shop_domain', 'text', true), f('access_token', 'password', true)] }],
  },
  {
    id: 'bigcommerce', label: 'BigCommerce', category: 'ecommerce', icon: 'cube', color: '#34313F',
    aliases: ['big commerce'], keywords: ['ecommerce', 'orders', 'products'],
    methods: [{ id: 'api-account', recommended: true, help_url: 'https://developer.bigcommerce.com/docs/start/authentication/api-accounts', fields: [f('store_hash', 'text', true), f('access_token', 'password', true)] }],
  },
  {
    id: 'woocommerce', label: 'WooCommerce', category: 'ecommerce', icon: 'cube', color: '#7F54B3',
    aliases: ['woo commerce', 'woo'], keywords: ['ecommerce', 'wordpress', 'orders', 'products'],
    methods: [{ id: 'api-key', recommended: true, help_url: 'https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication', fields: [f('store_url', 'url', true), f('consumer_key', 'text', true), f('consumer_secret', 'password', true)] }],
  },
  // Engines of the agent core's datasource registry that the reference catalogue has no connector for.
  { id: 'timescaledb', label: 'TimescaleDB', category: 'database', icon: 'database', color: '#FDB515', aliases: ['timescale', 'tiger data'], keywords: ['postgres', 'timeseries', 'sql'], methods: 'postgres' },
  { id: 'pgvector', label: 'pgvector (PostgreSQL)', category: 'vector-db', icon: 'database', color: '#4169E1', aliases: ['pg vector', 'postgres vectors'], keywords: ['postgres', 'vectors', 'embeddings', 'sql'], methods: 'postgres' },
  {
    id: 'duckdb', label: 'DuckDB', category: 'database', icon: 'database', color: '#FFF000', aliases: ['duck db'], keywords: ['sql', 'file', 'olap', 'local', 'parquet'],
    methods: [{ id: 'file', recommended: true, help_url: 'https://duckdb.org/docs/connect/overview', fields: [f('path', 'text', true)] }],
  },
  {
    id: 'email', label: 'Email (IMAP)', category: 'communication', icon: 'mail', color: '#6B7280', aliases: ['imap', 'mailbox', 'e-mail'], keywords: ['email', 'inbox', 'imap', 'mail'],
    methods: [{ id: 'imap-password', recommended: true, help_url: 'https://datatracker.ietf.org/doc/html/rfc9051', fields: [f('imap_host', 'text', true), f('imap_port', 'text', false, { default: '993' }), f('email', 'text', true), f('app_password', 'password', true)] }],
  },
];

/** Methods we add to reference connectors (the reference's own methods stay first and unchanged). */
export const EXTRA_METHODS = {
  snowflake: [
    {
      id: 'key-pair', help_url: 'https://docs.snowflake.com/en/user-guide/key-pair-auth',
      fields: [f('account_identifier', 'text', true), f('username', 'text', true), f('private_key', 'textarea', true, { secret: true }), f('warehouse', 'text', false), f('database', 'text', false), f('schema', 'text', false), f('role', 'text', false)],
    },
  ],
};

/** Optional fields we add to a reference method ("connector/method"): libpq-style TLS control for PostgreSQL. */
export const EXTRA_FIELDS = {
  'postgres/host-port': [
    { name: 'ssl_mode', type: 'select', required: false, options: ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] },
    { name: 'ssl_root_cert', type: 'textarea', required: false },
  ],
};
