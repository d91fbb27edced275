// Writes connectors/<id>.json from the table below: the catalogue's single source. Run: node scripts/generate-connectors.mjs
// Format per line: id | Label | category | auth kind | docs URL | aliases (comma) | keywords (comma)
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';

const TABLE = `
postgres|PostgreSQL|database|pg|https://www.postgresql.org/docs/current/libpq-connect.html|postgresql,psql,pg|sql,relational,rds
mysql|MySQL|database|mysql|https://dev.mysql.com/doc/refman/8.0/en/connecting.html|my sql|sql,relational
mariadb|MariaDB|database|mysql|https://mariadb.com/kb/en/connecting-to-mariadb/|maria|sql,relational,mysql
sqlite|SQLite|database|sqlite|https://www.sqlite.org/docs.html|sqlite3|sql,file,local
mssql|Microsoft SQL Server|database|mssql|https://learn.microsoft.com/sql/connect/|sql server,sqlserver,tsql|sql,microsoft
oracle|Oracle Database|database|oracle|https://docs.oracle.com/en/database/|oracle db|sql,enterprise
snowflake|Snowflake|database|snowflake|https://docs.snowflake.com/en/user-guide/connecting|snow flake|warehouse,sql
bigquery|Google BigQuery|database|bigquery|https://cloud.google.com/bigquery/docs/authentication|big query,bq|warehouse,google,sql
redshift|Amazon Redshift|database|pg|https://docs.aws.amazon.com/redshift/latest/mgmt/connecting-to-cluster.html|aws redshift|warehouse,sql,aws
databricks|Databricks|database|databricks|https://docs.databricks.com/en/dev-tools/auth/pat.html|databricks sql|lakehouse,spark,sql
clickhouse|ClickHouse|database|clickhouse|https://clickhouse.com/docs/en/interfaces/http|click house|olap,sql
cockroachdb|CockroachDB|database|pg|https://www.cockroachlabs.com/docs/stable/connect-to-the-database|cockroach|sql,distributed
mongodb|MongoDB|database|mongo|https://www.mongodb.com/docs/manual/reference/connection-string/|mongo|nosql,documents
mongodb_atlas|MongoDB Atlas|database|mongo|https://www.mongodb.com/docs/atlas/connect-to-database-deployment/|atlas|nosql,cloud
redis|Redis|database|redis|https://redis.io/docs/latest/develop/connect/|redis cache|cache,key-value
cassandra|Apache Cassandra|database|basic|https://cassandra.apache.org/doc/latest/|cassandra db|nosql,wide-column
elasticsearch|Elasticsearch|database|apikey_url|https://www.elastic.co/guide/en/elasticsearch/reference/current/security-api-create-api-key.html|elastic,es|search,logs
neo4j|Neo4j|database|basic_url|https://neo4j.com/docs/operations-manual/current/authentication-authorization/|neo4j graph|graph,cypher
dynamodb|Amazon DynamoDB|database|aws|https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/|dynamo|nosql,aws
firestore|Google Firestore|database|gcp|https://firebase.google.com/docs/firestore|firebase|nosql,google
couchbase|Couchbase|database|basic_url|https://docs.couchbase.com/server/current/guides/connect.html|couch base|nosql
supabase|Supabase|database|pg|https://supabase.com/docs/guides/database/connecting-to-postgres|supa base|postgres,sql
neon|Neon|database|pg|https://neon.tech/docs/connect/connect-from-any-app|neon postgres|postgres,serverless
planetscale|PlanetScale|database|mysql|https://planetscale.com/docs/concepts/connection-strings|planet scale|mysql,serverless
influxdb|InfluxDB|database|token_url|https://docs.influxdata.com/influxdb/v2/admin/tokens/|influx|timeseries,metrics
aws_rds_postgres|Amazon RDS for PostgreSQL|database|pg|https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ConnectToPostgreSQLInstance.html|rds postgres|aws,sql
aws_rds_mysql|Amazon RDS for MySQL|database|mysql|https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ConnectToInstance.html|rds mysql|aws,sql
azure_sql|Azure SQL Database|database|mssql|https://learn.microsoft.com/azure/azure-sql/database/connect-query-content-reference-guide|azure sql|microsoft,sql
azure_postgres|Azure Database for PostgreSQL|database|pg|https://learn.microsoft.com/azure/postgresql/|azure postgres|microsoft,sql
gcp_cloudsql_postgres|Cloud SQL for PostgreSQL|database|pg|https://cloud.google.com/sql/docs/postgres/connect-overview|cloudsql postgres|google,sql
gcp_cloudsql_mysql|Cloud SQL for MySQL|database|mysql|https://cloud.google.com/sql/docs/mysql/connect-overview|cloudsql mysql|google,sql
chroma|Chroma|vector-db|apikey_url|https://docs.trychroma.com/|chromadb|vectors,embeddings
pinecone|Pinecone|vector-db|apikey|https://docs.pinecone.io/guides/projects/manage-api-keys|pine cone|vectors,embeddings
qdrant|Qdrant|vector-db|apikey_url|https://qdrant.tech/documentation/guides/security/|qdrant db|vectors,embeddings
weaviate|Weaviate|vector-db|apikey_url|https://weaviate.io/developers/weaviate/configuration/authentication|weaviate db|vectors,embeddings
datadog|Datadog|observability|datadog|https://docs.datadoghq.com/account_management/api-app-keys/|dd|monitoring,apm,logs
sentry|Sentry|observability|token|https://docs.sentry.io/api/auth/|sentry io|errors,monitoring
newrelic|New Relic|observability|apikey|https://docs.newrelic.com/docs/apis/intro-apis/new-relic-api-keys/|new relic|apm,monitoring
grafana|Grafana|observability|token_url|https://grafana.com/docs/grafana/latest/administration/service-accounts/|grafana cloud|dashboards,metrics
prometheus|Prometheus|observability|url|https://prometheus.io/docs/prometheus/latest/querying/api/|prom|metrics,promql
pagerduty|PagerDuty|observability|token|https://support.pagerduty.com/main/docs/api-access-keys|pager duty|incidents,on-call
opsgenie|Opsgenie|observability|apikey|https://support.atlassian.com/opsgenie/docs/api-key-management/|ops genie|incidents,alerts
splunk|Splunk|observability|token_url|https://docs.splunk.com/Documentation/Splunk/latest/Security/CreateAuthTokens|splunk enterprise|logs,siem
honeycomb|Honeycomb|observability|apikey|https://docs.honeycomb.io/configure/environments/manage-api-keys/|honeycomb io|tracing,observability
dynatrace|Dynatrace|observability|token_url|https://docs.dynatrace.com/docs/manage/access-control/access-tokens|dynatrace saas|apm,monitoring
rollbar|Rollbar|observability|token|https://docs.rollbar.com/reference/getting-started-1|rollbar errors|errors,monitoring
bugsnag|Bugsnag|observability|token|https://bugsnagapiv2.docs.apiary.io/|bug snag|errors,crash
loki|Grafana Loki|observability|basic_url|https://grafana.com/docs/loki/latest/reference/loki-http-api/|loki logs|logs
uptimerobot|UptimeRobot|observability|apikey|https://uptimerobot.com/api/|uptime robot|uptime,monitoring
better_stack|Better Stack|observability|token|https://betterstack.com/docs/uptime/api/getting-started-with-uptime-api/|betterstack,logtail|uptime,logs
aws_cloudwatch|Amazon CloudWatch|observability|aws|https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/|cloudwatch|aws,metrics,logs
statuspage|Statuspage|observability|apikey|https://developer.statuspage.io/|status page|incidents,status
notion|Notion|productivity|oauth_or_token|https://developers.notion.com/docs/authorization|notion so|docs,wiki,notes
airtable|Airtable|productivity|token|https://airtable.com/developers/web/guides/personal-access-tokens|air table|spreadsheet,database
asana|Asana|productivity|oauth_or_token|https://developers.asana.com/docs/personal-access-token|asana tasks|tasks,projects
clickup|ClickUp|productivity|token|https://clickup.com/api/developer-portal/authentication/|click up|tasks,projects
confluence|Confluence|productivity|atlassian|https://developer.atlassian.com/cloud/confluence/basic-auth-for-rest-apis/|atlassian confluence|wiki,docs
jira|Jira|productivity|atlassian|https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/|atlassian jira|issues,tickets,agile
linear|Linear|productivity|oauth_or_token|https://developers.linear.app/docs/graphql/working-with-the-graphql-api|linear app|issues,engineering
monday|monday.com|productivity|token|https://developer.monday.com/api-reference/docs/authentication|monday|boards,projects
todoist|Todoist|productivity|token|https://developer.todoist.com/rest/v2/#authorization|to doist|tasks,todo
trello|Trello|productivity|trello|https://developer.atlassian.com/cloud/trello/guides/rest-api/api-introduction/|trello boards|kanban,boards
coda|Coda|productivity|token|https://coda.io/developers/apis/v1|coda docs|docs,tables
basecamp|Basecamp|productivity|oauth|https://github.com/basecamp/api|base camp|projects
google_calendar|Google Calendar|productivity|google|https://developers.google.com/calendar/api/guides/auth|gcal,google cal|calendar,events,meetings
github|GitHub|engineering|oauth_or_token|https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/managing-your-personal-access-tokens|gh,git hub|code,repos,pull requests
gitlab|GitLab|engineering|token_url|https://docs.gitlab.com/ee/user/profile/personal_access_tokens.html|git lab|code,repos,ci
bitbucket|Bitbucket|engineering|basic|https://support.atlassian.com/bitbucket-cloud/docs/app-passwords/|bit bucket|code,repos
circleci|CircleCI|engineering|token|https://circleci.com/docs/managing-api-tokens/|circle ci|ci,builds
vercel|Vercel|engineering|token|https://vercel.com/docs/rest-api#authentication|vercel app|deployments,hosting
netlify|Netlify|engineering|token|https://docs.netlify.com/api/get-started/#authentication|netlify app|deployments,hosting
figma|Figma|engineering|token|https://www.figma.com/developers/api#access-tokens|figma design|design,files
launchdarkly|LaunchDarkly|engineering|token|https://docs.launchdarkly.com/home/account/api|launch darkly|feature flags
aws|Amazon Web Services|cloud|aws|https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html|amazon aws,aws cloud|cloud,s3,ec2
gcp|Google Cloud|cloud|gcp|https://cloud.google.com/iam/docs/service-account-creds|google cloud platform,gcloud|cloud,gcs
azure|Microsoft Azure|cloud|azure|https://learn.microsoft.com/azure/active-directory/develop/howto-create-service-principal-portal|azure cloud|cloud,microsoft
cloudflare|Cloudflare|cloud|token|https://developers.cloudflare.com/fundamentals/api/get-started/create-token/|cloud flare|cdn,dns,workers
digitalocean|DigitalOcean|cloud|token|https://docs.digitalocean.com/reference/api/create-personal-access-token/|digital ocean,do|cloud,droplets
heroku|Heroku|cloud|apikey|https://devcenter.heroku.com/articles/platform-api-quickstart|heroku platform|cloud,apps
fly_io|Fly.io|cloud|token|https://fly.io/docs/flyctl/tokens/|fly io|cloud,apps
render|Render|cloud|apikey|https://api-docs.render.com/reference/authentication|render com|cloud,hosting
salesforce|Salesforce|crm|oauth|https://help.salesforce.com/s/articleView?id=sf.connected_app_create.htm|sfdc,sales force|crm,leads,opportunities
hubspot|HubSpot|crm|oauth_or_token|https://developers.hubspot.com/docs/api/private-apps|hub spot|crm,marketing,contacts
pipedrive|Pipedrive|crm|token|https://pipedrive.readme.io/docs/how-to-find-the-api-token|pipe drive|crm,deals
attio|Attio|crm|token|https://developers.attio.com/docs/authentication|attio crm|crm,records
close|Close|crm|apikey|https://developer.close.com/topics/authentication/|close crm,close io|crm,sales
copper|Copper|crm|copper|https://developer.copper.com/introduction/authentication.html|copper crm|crm,google workspace
folk|folk|crm|apikey|https://developer.folk.app/|folk crm|crm,contacts
zendesk|Zendesk|support|zendesk|https://developer.zendesk.com/api-reference/introduction/security-and-auth/|zen desk|tickets,support
intercom|Intercom|support|token|https://developers.intercom.com/docs/build-an-integration/learn-more/authentication/|inter com|chat,support
freshdesk|Freshdesk|support|apikey_url|https://support.freshdesk.com/support/solutions/articles/215517|fresh desk|tickets,support
front|Front|support|token|https://dev.frontapp.com/docs/create-and-revoke-api-tokens|front app|inbox,support
helpscout|Help Scout|support|oauth|https://developer.helpscout.com/mailbox-api/overview/authentication/|help scout|tickets,support
slack|Slack|communication|oauth_or_token|https://api.slack.com/authentication/token-types|slack app|chat,messages,channels
discord|Discord|communication|token|https://discord.com/developers/docs/reference#authentication|discord bot|chat,community
microsoft_teams|Microsoft Teams|communication|azure_app|https://learn.microsoft.com/graph/auth-v2-service|ms teams,teams|chat,meetings
gmail|Gmail|communication|gmail|https://developers.google.com/gmail/api/auth/about-auth|google mail,googlemail,g-mail|email,inbox,mail
outlook|Outlook|communication|azure_app|https://learn.microsoft.com/graph/outlook-mail-concept-overview|microsoft outlook,hotmail|email,calendar
google_drive|Google Drive|files|google|https://developers.google.com/drive/api/guides/about-auth|gdrive,google docs,drive|files,docs,sheets
typeform|Typeform|forms|token|https://www.typeform.com/developers/get-started/personal-access-token/|type form|forms,surveys
docusign|DocuSign|documents|oauth|https://developers.docusign.com/platform/auth/|docu sign|contracts,signatures
pandadoc|PandaDoc|documents|apikey|https://developers.pandadoc.com/reference/api-key-authentication-process|panda doc|contracts,proposals
calendly|Calendly|scheduling|token|https://developer.calendly.com/how-to-authenticate-with-personal-access-tokens|calendly app|meetings,scheduling
chili_piper|Chili Piper|scheduling|apikey|https://help.chilipiper.com/|chilipiper|meetings,routing
google_analytics_4|Google Analytics 4|analytics|gcp|https://developers.google.com/analytics/devguides/reporting/data/v1|ga4,google analytics|web,traffic
google_search_console|Google Search Console|analytics|gcp|https://developers.google.com/webmaster-tools/v1/how-tos/authorizing|search console,gsc|seo,search
mixpanel|Mixpanel|analytics|mixpanel|https://docs.mixpanel.com/docs/orgs-and-projects/service-accounts|mix panel|events,product analytics
amplitude|Amplitude|analytics|amplitude|https://amplitude.com/docs/apis/authentication|amplitude analytics|events,product analytics
posthog|PostHog|analytics|apikey_url|https://posthog.com/docs/api|post hog|events,product analytics
heap|Heap|analytics|apikey|https://developers.heap.io/reference/authentication|heap analytics|events
plausible|Plausible|analytics|apikey_url|https://plausible.io/docs/stats-api|plausible analytics|web,traffic,privacy
fathom|Fathom Analytics|analytics|token|https://usefathom.com/api|fathom|web,traffic
stripe|Stripe|billing|apikey|https://docs.stripe.com/keys|stripe payments|payments,subscriptions,invoices
chargebee|Chargebee|billing|apikey_url|https://apidocs.chargebee.com/docs/api/auth|charge bee|subscriptions,billing
recurly|Recurly|billing|apikey|https://recurly.com/developers/api/v2021-02-25/index.html#section/Authentication|recurly billing|subscriptions
quickbooks|QuickBooks Online|accounting|oauth|https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization|qbo,intuit|accounting,invoices
xero|Xero|accounting|oauth|https://developer.xero.com/documentation/guides/oauth2/overview/|xero accounting|accounting,invoices
netsuite|NetSuite|accounting|netsuite|https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_4247337262.html|oracle netsuite|erp,accounting
freshbooks|FreshBooks|accounting|oauth|https://www.freshbooks.com/api/authentication|fresh books|accounting,invoices
sage_intacct|Sage Intacct|accounting|basic|https://developer.intacct.com/web-services/|sage|accounting,erp
zoho_books|Zoho Books|accounting|oauth|https://www.zoho.com/books/api/v3/oauth/|zoho|accounting
mailchimp|Mailchimp|marketing|apikey|https://mailchimp.com/developer/marketing/guides/quick-start/|mail chimp|email,campaigns
klaviyo|Klaviyo|marketing|apikey|https://developers.klaviyo.com/en/docs/authenticate_|klaviyo email|email,ecommerce
braze|Braze|marketing|apikey_url|https://www.braze.com/docs/api/basics/|braze crm|engagement,push
customer_io|Customer.io|marketing|token|https://customer.io/docs/api/app/|customerio|email,messaging
iterable|Iterable|marketing|apikey|https://support.iterable.com/hc/en-us/articles/360043464871-API-Keys-|iterable marketing|email,campaigns
marketo|Marketo|marketing|client_credentials|https://experienceleague.adobe.com/docs/marketo-developer/marketo/rest/authentication.html|adobe marketo|marketing automation
google_ads|Google Ads|ads|oauth|https://developers.google.com/google-ads/api/docs/oauth/overview|adwords|ads,campaigns
meta_ads|Meta Ads|ads|token|https://developers.facebook.com/docs/marketing-apis/overview/authentication|facebook ads,instagram ads|ads,campaigns
linkedin_ads|LinkedIn Ads|ads|oauth|https://learn.microsoft.com/linkedin/marketing/integrations/ads/getting-started|linkedin marketing|ads,b2b
apollo|Apollo.io|sales-engagement|apikey|https://docs.apollo.io/docs/create-api-key|apollo io|prospecting,sequences
outreach|Outreach|sales-engagement|oauth|https://developers.outreach.io/api/oauth/|outreach io|sequences,sales
salesloft|Salesloft|sales-engagement|apikey|https://developers.salesloft.com/docs/platform/api-basics/api-key-authentication/|sales loft|cadences,sales
lemlist|lemlist|sales-engagement|apikey|https://developer.lemlist.com/|lem list|outreach,email
instantly|Instantly|sales-engagement|apikey|https://developer.instantly.ai/|instantly ai|cold email
gong|Gong|revenue-intel|basic|https://help.gong.io/docs/receive-access-to-the-api|gong io|calls,revenue
clari|Clari|revenue-intel|apikey|https://developer.clari.com/|clari forecast|forecasting,revenue
bamboohr|BambooHR|hr|apikey_url|https://documentation.bamboohr.com/docs/getting-started|bamboo hr|employees,hris
greenhouse|Greenhouse|hr|apikey|https://developers.greenhouse.io/harvest.html#authentication|greenhouse recruiting|recruiting,ats
lever|Lever|hr|apikey|https://hire.lever.co/developer/documentation#authentication|lever hire|recruiting,ats
gusto|Gusto|hr|oauth|https://docs.gusto.com/app-integrations/docs/authentication|gusto payroll|payroll,hris
rippling_hris|Rippling|hr|token|https://developer.rippling.com/documentation/rest-api/authentication|rippling hris|hris,payroll
deel|Deel|hr|token|https://developer.deel.com/docs/api-tokens-1|deel hr|contractors,payroll
ashby|Ashby|hr|apikey|https://developers.ashbyhq.com/docs/authentication|ashby hq|recruiting,ats
personio|Personio|hr|client_credentials|https://developer.personio.de/docs/getting-started-with-the-personio-api|personio hr|hris
workable|Workable|hr|token_url|https://workable.readme.io/reference/generate-an-access-token|workable ats|recruiting
gainsight|Gainsight|customer-success|apikey_url|https://support.gainsight.com/gainsight_nxt/API_and_Developer_Docs|gain sight|customer success,health
vitally|Vitally|customer-success|apikey|https://docs.vitally.io/|vitally io|customer success
segment|Segment|data|token|https://segment.com/docs/api/public-api/|twilio segment|cdp,events
rudderstack|RudderStack|data|token_url|https://www.rudderstack.com/docs/api/|rudder stack|cdp,events
hightouch|Hightouch|data|apikey|https://hightouch.com/docs/developer-tools/api-guide|high touch|reverse etl
census|Census|data|apikey|https://developers.getcensus.com/api-reference/introduction/authentication|census data|reverse etl
custom_rest_api|Custom REST API|data|rest|https://developer.mozilla.org/docs/Web/HTTP/Authentication|rest api,http api,custom api|http,json,webhook
clearbit|Clearbit|enrichment|apikey|https://dashboard.clearbit.com/docs#authentication|clear bit|enrichment,companies
zoominfo|ZoomInfo|enrichment|basic|https://api-docs.zoominfo.com/|zoom info|enrichment,contacts
clay|Clay|enrichment|apikey|https://docs.clay.com/|clay com|enrichment,tables
shopify|Shopify|ecommerce|shopify|https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens|shopify store|ecommerce,orders,products
bigcommerce|BigCommerce|ecommerce|bigcommerce|https://developer.bigcommerce.com/docs/start/authentication/api-accounts|big commerce|ecommerce,orders
woocommerce|WooCommerce|ecommerce|woocommerce|https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication|woo commerce,woo|ecommerce,wordpress
shipstation|ShipStation|logistics|basic|https://www.shipstation.com/docs/api/requirements/#authentication|ship station|shipping,orders
shippo|Shippo|logistics|token|https://docs.goshippo.com/docs/guides_general/authentication/|goshippo|shipping,labels
easypost|EasyPost|logistics|apikey|https://docs.easypost.com/docs/authentication|easy post|shipping,tracking
openweather|OpenWeather|public-data|apikey|https://openweathermap.org/appid|openweathermap,weather api|weather,forecast
alphavantage|Alpha Vantage|public-data|apikey|https://www.alphavantage.co/documentation/|alpha vantage|stocks,finance
coingecko|CoinGecko|public-data|apikey|https://docs.coingecko.com/reference/authentication|coin gecko|crypto,prices
newsapi|NewsAPI|public-data|apikey|https://newsapi.org/docs/authentication|news api|news,headlines
polygon_io|Polygon.io|public-data|apikey|https://polygon.io/docs/stocks/getting-started|polygon|stocks,market data
youtube_data|YouTube Data API|public-data|apikey|https://developers.google.com/youtube/v3/getting-started|youtube|videos,channels
google_maps|Google Maps Platform|maps|apikey|https://developers.google.com/maps/documentation/javascript/get-api-key|google maps|geocoding,places
mapbox|Mapbox|maps|token|https://docs.mapbox.com/accounts/guides/tokens/|map box|maps,geocoding
openstreetmap|OpenStreetMap|maps|url|https://wiki.openstreetmap.org/wiki/API|osm,open street map|maps,geodata
`;

const CATEGORY = {
  database: ['database', '#336791', 'Query tables and views in {L} with SQL from the scratchpad.'],
  'vector-db': ['layers', '#7C3AED', 'Search and manage vector collections in {L}.'],
  observability: ['activity', '#632CA6', 'Read metrics, logs, traces and incidents from {L}.'],
  productivity: ['check-square', '#0F766E', 'Read and update tasks, pages and projects in {L}.'],
  engineering: ['code', '#24292F', 'Read repositories, builds, deployments and settings from {L}.'],
  cloud: ['cloud', '#FF9900', 'Inspect resources, usage and costs in {L}.'],
  crm: ['users', '#00A1E0', 'Read and update contacts, companies and deals in {L}.'],
  support: ['life-buoy', '#03363D', 'Read tickets, conversations and customer history from {L}.'],
  communication: ['message-square', '#4A154B', 'Read and send messages with {L}.'],
  files: ['folder', '#1A73E8', 'Find, read and organise files in {L}.'],
  forms: ['clipboard', '#262627', 'Read forms and responses from {L}.'],
  documents: ['file-text', '#FFCC22', 'Track documents, envelopes and signatures in {L}.'],
  scheduling: ['calendar', '#006BFF', 'Read meetings and availability from {L}.'],
  analytics: ['bar-chart', '#F9AB00', 'Pull events, funnels and traffic metrics from {L}.'],
  billing: ['credit-card', '#635BFF', 'Read customers, subscriptions, invoices and payments from {L}.'],
  accounting: ['book', '#2CA01C', 'Read ledgers, invoices, bills and reports from {L}.'],
  marketing: ['send', '#FFE01B', 'Read audiences, campaigns and engagement from {L}.'],
  ads: ['target', '#4285F4', 'Read campaigns, spend and conversions from {L}.'],
  'sales-engagement': ['zap', '#5C7CFA', 'Read sequences, prospects and replies from {L}.'],
  'revenue-intel': ['trending-up', '#8039DF', 'Read calls, deals and forecasts from {L}.'],
  hr: ['briefcase', '#73C41D', 'Read employees, candidates and HR records from {L}.'],
  'customer-success': ['heart', '#FF5A5F', 'Read account health and customer success data from {L}.'],
  data: ['share-2', '#52BD94', 'Move and query customer data through {L}.'],
  enrichment: ['search', '#3B82F6', 'Enrich companies and contacts with {L}.'],
  ecommerce: ['shopping-bag', '#95BF47', 'Read orders, products and customers from {L}.'],
  logistics: ['truck', '#EA5B0C', 'Track shipments, labels and orders with {L}.'],
  'public-data': ['globe', '#EB6E4B', 'Query public data from {L}.'],
  maps: ['map', '#34A853', 'Geocode places and fetch map data from {L}.'],
};
const FEATURED = new Set(['bigquery', 'gmail', 'google_calendar', 'google_drive', 'hubspot', 'linear', 'mysql', 'notion', 'postgres', 'salesforce', 'slack', 'snowflake']);

const f = (name, label, type, required, extra = {}) => ({ name, label, type, required, ...(type === 'password' ? { secret: true } : {}), ...extra });
const host = (port) => [f('host', 'Host', 'text', true, { placeholder: 'db.example.com' }), f('port', 'Port', 'text', false, { default: String(port) })];
const dbUserPw = [f('database', 'Database', 'text', true), f('user', 'User', 'text', true), f('password', 'Password', 'password', false)];
const m = (id, label, fields, more = {}) => ({ id, label, description: more.description ?? '', recommended: more.recommended ?? false, fields, ...more });
const apiKey = (label = 'API key') => [f('api_key', label, 'password', true)];
const GOOGLE = ['https://accounts.google.com/o/oauth2/v2/auth', 'https://oauth2.googleapis.com/token'];
const MICROSOFT = ['https://login.microsoftonline.com/common/oauth2/v2.0/authorize', 'https://login.microsoftonline.com/common/oauth2/v2.0/token'];
const ATLASSIAN = ['https://auth.atlassian.com/authorize', 'https://auth.atlassian.com/oauth/token'];
/** Providers' real OAuth 2 endpoints; connectors without an entry offer token methods only. */
const OAUTH = {
  salesforce: ['https://login.salesforce.com/services/oauth2/authorize', 'https://login.salesforce.com/services/oauth2/token', ['api', 'refresh_token']],
  hubspot: ['https://app.hubspot.com/oauth/authorize', 'https://api.hubapi.com/oauth/v1/token', ['crm.objects.contacts.read', 'crm.objects.deals.read']],
  slack: ['https://slack.com/oauth/v2/authorize', 'https://slack.com/api/oauth.v2.access', ['channels:history', 'channels:read', 'chat:write']],
  github: ['https://github.com/login/oauth/authorize', 'https://github.com/login/oauth/access_token', ['repo', 'read:org']],
  notion: ['https://api.notion.com/v1/oauth/authorize', 'https://api.notion.com/v1/oauth/token', []],
  linear: ['https://linear.app/oauth/authorize', 'https://api.linear.app/oauth/token', ['read']],
  asana: ['https://app.asana.com/-/oauth_authorize', 'https://app.asana.com/-/oauth_token', ['default']],
  jira: [...ATLASSIAN, ['read:jira-work', 'offline_access']],
  confluence: [...ATLASSIAN, ['read:confluence-content.all', 'offline_access']],
  microsoft_teams: [...MICROSOFT, ['Chat.Read', 'offline_access']],
  outlook: [...MICROSOFT, ['Mail.Read', 'Calendars.Read', 'offline_access']],
  quickbooks: ['https://appcenter.intuit.com/connect/oauth2', 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer', ['com.intuit.quickbooks.accounting']],
  xero: ['https://login.xero.com/identity/connect/authorize', 'https://identity.xero.com/connect/token', ['accounting.transactions.read', 'offline_access']],
  google_ads: [...GOOGLE, ['https://www.googleapis.com/auth/adwords']],
  linkedin_ads: ['https://www.linkedin.com/oauth/v2/authorization', 'https://www.linkedin.com/oauth/v2/accessToken', ['r_ads', 'r_ads_reporting']],
  docusign: ['https://account.docusign.com/oauth/auth', 'https://account.docusign.com/oauth/token', ['signature']],
  basecamp: ['https://launchpad.37signals.com/authorization/new', 'https://launchpad.37signals.com/authorization/token', []],
  outreach: ['https://api.outreach.io/oauth/authorize', 'https://api.outreach.io/oauth/token', ['prospects.read', 'sequences.read']],
  gusto: ['https://api.gusto.com/oauth/authorize', 'https://api.gusto.com/oauth/token', []],
  freshbooks: ['https://auth.freshbooks.com/oauth/authorize', 'https://api.freshbooks.com/auth/oauth/token', []],
  zoho_books: ['https://accounts.zoho.com/oauth/v2/auth', 'https://accounts.zoho.com/oauth/v2/token', ['ZohoBooks.fullaccess.READ']],
  helpscout: ['https://secure.helpscout.net/authentication/authorizeClientApplication', 'https://api.helpscout.net/v2/oauth2/token', []],
};
const oauthMethod = (id, L) => {
  const o = OAUTH[id];
  if (!o) return [];
  return [
    m('oauth', `Sign in with ${L}`, [f('client_id', 'OAuth client ID', 'text', true), f('client_secret', 'OAuth client secret', 'password', true)], {
      description: 'Authorize Anton in your browser; the tokens are stored in the encrypted vault.',
      submit_action: 'oauth_launch',
      oauth: { auth_url: o[0], token_url: o[1], scopes: o[2] },
    }),
  ];
};

function methodsFor(kind, L, id) {
  switch (kind) {
    case 'pg':
      return [
        m('host-port', 'Host and password', [...host(5432), ...dbUserPw, f('sslmode', 'SSL mode', 'select', false, { default: 'prefer', options: ['disable', 'prefer', 'require', 'verify-full'].map((v) => ({ value: v, label: v })) })], { recommended: true, probe: { type: 'postgres' } }),
        m('connection-string', 'Connection string', [f('connection_string', 'Connection URI', 'password', true, { placeholder: 'postgresql://user:pass@host:5432/db' })], { probe: { type: 'postgres' } }),
      ];
    case 'mysql':
      return [m('host-port', 'Host and password', [...host(3306), ...dbUserPw], { recommended: true, probe: { type: 'mysql' } })];
    case 'sqlite':
      return [m('file', 'Database file', [f('path', 'File path', 'text', true, { placeholder: '/path/to/data.db' })], { recommended: true, probe: { type: 'sqlite' } })];
    case 'mssql':
      return [m('host-port', 'Host and password', [...host(1433), ...dbUserPw, f('encrypt', 'Encrypt connection', 'boolean', false, { default: 'true' })], { recommended: true })];
    case 'oracle':
      return [m('host-port', 'Host and password', [...host(1521), f('service_name', 'Service name', 'text', true), f('user', 'User', 'text', true), f('password', 'Password', 'password', true)], { recommended: true })];
    case 'snowflake':
      return [
        m('password', 'User and password', [f('account', 'Account identifier', 'text', true, { placeholder: 'xy12345.eu-west-1' }), f('user', 'User', 'text', true), f('password', 'Password', 'password', true), f('warehouse', 'Warehouse', 'text', false), f('database', 'Database', 'text', false), f('schema', 'Schema', 'text', false), f('role', 'Role', 'text', false)], { recommended: true }),
        m('key-pair', 'Key pair', [f('account', 'Account identifier', 'text', true), f('user', 'User', 'text', true), f('private_key', 'Private key (PEM)', 'textarea', true, { secret: true }), f('warehouse', 'Warehouse', 'text', false)]),
      ];
    case 'bigquery':
    case 'gcp':
      return [m('service-account', 'Service account', [f('service_account_json', 'Service account key (JSON)', 'textarea', true, { secret: true }), f('project_id', 'Project ID', 'text', kind === 'bigquery')], { recommended: true })];
    case 'databricks':
      return [m('personal-access-token', 'Personal access token', [f('server_hostname', 'Server hostname', 'text', true), f('http_path', 'HTTP path', 'text', true), f('access_token', 'Access token', 'password', true)], { recommended: true })];
    case 'clickhouse':
      return [m('host-port', 'Host and password', [...host(8443), f('database', 'Database', 'text', false, { default: 'default' }), f('user', 'User', 'text', true, { default: 'default' }), f('password', 'Password', 'password', false)], { recommended: true })];
    case 'mongo':
      return [m('connection-string', 'Connection string', [f('connection_string', 'Connection URI', 'password', true, { placeholder: 'mongodb+srv://user:pass@cluster/db' })], { recommended: true })];
    case 'redis':
      return [m('url', 'Redis URL', [f('url', 'URL', 'password', true, { placeholder: 'redis://:password@host:6379/0' })], { recommended: true })];
    case 'aws':
      return [m('access-key', 'Access key', [f('access_key_id', 'Access key ID', 'text', true), f('secret_access_key', 'Secret access key', 'password', true), f('region', 'Region', 'text', true, { default: 'us-east-1' })], { recommended: true })];
    case 'azure':
      return [m('service-principal', 'Service principal', [f('tenant_id', 'Tenant ID', 'text', true), f('client_id', 'Client ID', 'text', true), f('client_secret', 'Client secret', 'password', true), f('subscription_id', 'Subscription ID', 'text', false)], { recommended: true })];
    case 'azure_app':
      return [m('app-registration', 'App registration', [f('tenant_id', 'Tenant ID', 'text', true), f('client_id', 'Client ID', 'text', true), f('client_secret', 'Client secret', 'password', true)], { recommended: true }), ...oauthMethod(id, L)];
    case 'google':
    case 'gmail':
      return [
        m('oauth', `Sign in with Google`, [f('client_id', 'OAuth client ID', 'text', true), f('client_secret', 'OAuth client secret', 'password', true)], {
          recommended: true,
          submit_action: 'oauth_launch',
          oauth: { auth_url: 'https://accounts.google.com/o/oauth2/v2/auth', token_url: 'https://oauth2.googleapis.com/token', scopes: [{ google_calendar: 'https://www.googleapis.com/auth/calendar', gmail: 'https://www.googleapis.com/auth/gmail.modify', google_drive: 'https://www.googleapis.com/auth/drive' }[id], 'https://www.googleapis.com/auth/userinfo.email'], extra_auth_params: { access_type: 'offline', prompt: 'consent' } },
        }),
        ...(kind === 'gmail' ? [m('app-password', 'App password (IMAP)', [f('email', 'Email address', 'text', true), f('app_password', 'App password', 'password', true)])] : [m('service-account', 'Service account', [f('service_account_json', 'Service account key (JSON)', 'textarea', true, { secret: true })])]),
      ];
    case 'oauth':
      return [...oauthMethod(id, L), m('api-token', 'Access token', [f('access_token', 'Access token', 'password', true)], { recommended: !OAUTH[id] })];
    case 'oauth_or_token':
      return [m('api-token', 'API token', [f('api_token', 'API token', 'password', true)], { recommended: true, probe: probes[id] }), ...oauthMethod(id, L)];
    case 'token':
      return [m('api-token', 'API token', [f('api_token', 'API token', 'password', true)], { recommended: true, probe: probes[id] })];
    case 'token_url':
      return [m('api-token', 'API token', [f('base_url', 'Base URL', 'url', true), f('api_token', 'API token', 'password', true)], { recommended: true })];
    case 'apikey':
      return [m('api-key', 'API key', apiKey(), { recommended: true, probe: probes[id] })];
    case 'apikey_url':
      return [m('api-key', 'API key', [f('base_url', 'Base URL', 'url', true), ...apiKey()], { recommended: true })];
    case 'url':
      return [m('url', 'Endpoint', [f('base_url', 'Base URL', 'url', true)], { recommended: true })];
    case 'basic':
      return [m('username-password', 'Username and password', [f('username', 'Username', 'text', true), f('password', 'Password', 'password', true)], { recommended: true })];
    case 'basic_url':
      return [m('username-password', 'Username and password', [f('url', 'Server URL', 'url', true), f('username', 'Username', 'text', true), f('password', 'Password', 'password', true)], { recommended: true })];
    case 'atlassian':
      return [m('api-token', 'Email and API token', [f('site_url', 'Site URL', 'url', true, { placeholder: 'https://your-team.atlassian.net' }), f('email', 'Email', 'text', true), f('api_token', 'API token', 'password', true)], { recommended: true }), ...oauthMethod(id, L)];
    case 'trello':
      return [m('api-key', 'API key and token', [f('api_key', 'API key', 'text', true), f('api_token', 'Token', 'password', true)], { recommended: true })];
    case 'datadog':
      return [m('api-key', 'API and application keys', [f('site', 'Site', 'select', true, { default: 'datadoghq.com', options: ['datadoghq.com', 'datadoghq.eu', 'us3.datadoghq.com', 'us5.datadoghq.com'].map((v) => ({ value: v, label: v })) }), f('api_key', 'API key', 'password', true), f('app_key', 'Application key', 'password', true)], { recommended: true })];
    case 'mixpanel':
      return [m('service-account', 'Service account', [f('username', 'Service account username', 'text', true), f('secret', 'Service account secret', 'password', true), f('project_id', 'Project ID', 'text', true)], { recommended: true })];
    case 'amplitude':
      return [m('api-key', 'API and secret keys', [f('api_key', 'API key', 'text', true), f('secret_key', 'Secret key', 'password', true)], { recommended: true })];
    case 'copper':
      return [m('api-key', 'API key', [f('email', 'User email', 'text', true), ...apiKey()], { recommended: true })];
    case 'zendesk':
      return [m('api-token', 'Email and API token', [f('subdomain', 'Subdomain', 'text', true), f('email', 'Email', 'text', true), f('api_token', 'API token', 'password', true)], { recommended: true }), ...oauthMethod(id, L)];
    case 'client_credentials':
      return [m('client-credentials', 'Client credentials', [f('base_url', 'Base URL', 'url', false), f('client_id', 'Client ID', 'text', true), f('client_secret', 'Client secret', 'password', true)], { recommended: true })];
    case 'netsuite':
      return [m('token-based', 'Token-based authentication', [f('account_id', 'Account ID', 'text', true), f('consumer_key', 'Consumer key', 'text', true), f('consumer_secret', 'Consumer secret', 'password', true), f('token_id', 'Token ID', 'text', true), f('token_secret', 'Token secret', 'password', true)], { recommended: true })];
    case 'shopify':
      return [m('admin-token', 'Admin API access token', [f('shop_domain', 'Shop domain', 'text', true, { placeholder: 'your-store.myshopify.com' }), f('access_token', 'Admin API access token', 'password', true)], { recommended: true }), ...oauthMethod(id, L)];
    case 'bigcommerce':
      return [m('api-account', 'API account', [f('store_hash', 'Store hash', 'text', true), f('access_token', 'Access token', 'password', true)], { recommended: true })];
    case 'woocommerce':
      return [m('api-key', 'REST API keys', [f('store_url', 'Store URL', 'url', true), f('consumer_key', 'Consumer key', 'text', true), f('consumer_secret', 'Consumer secret', 'password', true)], { recommended: true })];
    case 'rest':
      return [
        m('bearer', 'Bearer token', [f('base_url', 'Base URL (a GET endpoint to test with)', 'url', true), f('api_key', 'Token', 'password', true)], {
          recommended: true,
          probe: { type: 'http', method: 'GET', url: '{{base_url}}', headers: { Authorization: 'Bearer {{api_key}}' } },
        }),
        m('api-key-header', 'API key header', [f('base_url', 'Base URL (a GET endpoint to test with)', 'url', true), f('header_name', 'Header name', 'text', true, { default: 'X-API-Key' }), f('api_key', 'API key', 'password', true)], {
          probe: { type: 'http', method: 'GET', url: '{{base_url}}', headers: { '{{header_name}}': '{{api_key}}' } },
        }),
      ];
    default:
      throw new Error(`unknown auth kind ${kind} for ${id}`);
  }
}

/** "GET endpoint with auth header" probes for services whose key can be checked cheaply. */
const probes = {
  github: { type: 'http', method: 'GET', url: 'https://api.github.com/user', headers: { Authorization: 'Bearer {{api_token}}', 'User-Agent': 'anton-cowork' } },
  stripe: { type: 'http', method: 'GET', url: 'https://api.stripe.com/v1/balance', headers: { Authorization: 'Bearer {{api_key}}' } },
  openweather: { type: 'http', method: 'GET', url: 'https://api.openweathermap.org/data/2.5/weather?q=London&appid={{api_key}}' },
  notion: { type: 'http', method: 'GET', url: 'https://api.notion.com/v1/users/me', headers: { Authorization: 'Bearer {{api_token}}', 'Notion-Version': '2022-06-28' } },
  slack: { type: 'http', method: 'GET', url: 'https://slack.com/api/auth.test', headers: { Authorization: 'Bearer {{api_token}}' }, okField: 'ok' },
  linear: { type: 'http', method: 'GET', url: 'https://api.linear.app/graphql?query=%7Bviewer%7Bid%7D%7D', headers: { Authorization: '{{api_token}}' } },
  hubspot: { type: 'http', method: 'GET', url: 'https://api.hubapi.com/account-info/v3/details', headers: { Authorization: 'Bearer {{api_token}}' } },
  airtable: { type: 'http', method: 'GET', url: 'https://api.airtable.com/v0/meta/whoami', headers: { Authorization: 'Bearer {{api_token}}' } },
  vercel: { type: 'http', method: 'GET', url: 'https://api.vercel.com/v2/user', headers: { Authorization: 'Bearer {{api_token}}' } },
  sentry: { type: 'http', method: 'GET', url: 'https://sentry.io/api/0/', headers: { Authorization: 'Bearer {{api_token}}' } },
  digitalocean: { type: 'http', method: 'GET', url: 'https://api.digitalocean.com/v2/account', headers: { Authorization: 'Bearer {{api_token}}' } },
  cloudflare: { type: 'http', method: 'GET', url: 'https://api.cloudflare.com/client/v4/user/tokens/verify', headers: { Authorization: 'Bearer {{api_token}}' } },
  newsapi: { type: 'http', method: 'GET', url: 'https://newsapi.org/v2/top-headlines?country=us&pageSize=1', headers: { 'X-Api-Key': '{{api_key}}' } },
  pipedrive: { type: 'http', method: 'GET', url: 'https://api.pipedrive.com/v1/users/me?api_token={{api_token}}' },
};

const rows = TABLE.trim().split('\n').map((l) => l.split('|').map((s) => s.trim()));
rmSync('connectors', { recursive: true, force: true });
mkdirSync('connectors');
for (const [id, label, category, kind, docs, aliases, keywords] of rows) {
  const [logo, color, desc] = CATEGORY[category];
  const methods = methodsFor(kind, label, id).map((mm) => ({ ...mm, help_url: docs, how_to: `Create credentials in ${label} (see [the ${label} docs](${docs})), then paste them here. Anton keeps them encrypted in the local vault and never shows them to the model.` }));
  const spec = {
    id,
    label,
    aliases: aliases ? aliases.split(',').map((s) => s.trim()) : [],
    keywords: keywords ? keywords.split(',').map((s) => s.trim()) : [],
    description: desc.replace('{L}', label),
    category,
    logo,
    logo_color: color,
    logo_url: `logos/${id}.svg`,
    featured: FEATURED.has(id),
    form: { form_id: `${id.replace(/_/g, '-')}-connector`, ...(['gmail', 'google_calendar', 'google_drive'].includes(id) ? { engine: id } : {}), title: `Connect ${label}`, subtitle: desc.replace('{L}', label), logo, logo_color: color, logo_url: `logos/${id}.svg`, methods },
  };
  writeFileSync(`connectors/${id}.json`, JSON.stringify(spec, null, 2) + '\n');
}
console.log(`wrote ${readdirSync('connectors').length} connectors`);
