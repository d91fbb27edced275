import { fail, ok, type ProbeResult } from './result.js';
import { reachFailure, tokenRequest } from './jwt.js';

const LOGIN_HOSTS: Record<string, string> = { AzurePublicCloud: 'login.microsoftonline.com', AzureUSGovernment: 'login.microsoftonline.us', AzureChinaCloud: 'login.chinacloudapi.cn' };

/** Microsoft Entra client-credentials grant: proves tenant, client ID and secret together. */
export async function probeAzureClientCredentials(spec: { scope: string }, v: Record<string, string>): Promise<ProbeResult> {
  const host = LOGIN_HOSTS[v.cloud_environment ?? ''] ?? LOGIN_HOSTS.AzurePublicCloud;
  const tenant = encodeURIComponent(v.tenant_id || 'organizations');
  try {
    const r = await tokenRequest(`https://${host}/${tenant}/oauth2/v2.0/token`, { grant_type: 'client_credentials', client_id: v.client_id ?? '', client_secret: v.client_secret ?? '', scope: spec.scope });
    if (r.status === 200 && r.json.access_token) return ok(`Microsoft Entra ID issued a token for this app (${spec.scope.replace('/.default', '')}).`);
    const desc = String(r.json.error_description ?? r.json.error ?? `HTTP ${r.status}`);
    const code = /AADSTS\d+/.exec(desc)?.[0] ?? '';
    if (code === 'AADSTS7000215' || code === 'AADSTS7000222') return fail(`The client secret is wrong or expired (${code}).`, 'client_secret');
    if (code === 'AADSTS700016') return fail(`No app with this client ID in the tenant (${code}).`, 'client_id');
    if (code === 'AADSTS90002' || code === 'AADSTS900023') return fail(`Tenant not found (${code}).`, 'tenant_id');
    return fail(`Microsoft Entra ID refused the credentials (${code || r.json.error || `HTTP ${r.status}`}).`, 'client_secret');
  } catch (e) {
    return reachFailure(e, host);
  }
}
