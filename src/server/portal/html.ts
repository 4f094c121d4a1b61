// HTML building blocks for the portal: escaping, the page layout with its inline stylesheet, and the CSP that allows it.
import { createHash } from 'node:crypto';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Marks text as already-escaped HTML. */
export interface Html {
  readonly html: string;
}

export function raw(html: string): Html {
  return { html };
}

/** Tagged template: interpolated strings are escaped, Html values and arrays of them are not. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return raw(out);
}

function render(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (typeof value === 'object' && 'html' in value) return (value as Html).html;
  return escapeHtml(String(value));
}

const STYLESHEET = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#f6f7f9}
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;padding:.75rem 1rem;background:#16325c;color:#fff}
header h1{font-size:1.2rem;margin:0}
header form{margin:0}
main{max-width:72rem;margin:0 auto;padding:1rem}
a{color:#0b57b5}
button{font:inherit;padding:.45rem 1rem;border-radius:4px;border:1px solid #0b57b5;background:#0b57b5;color:#fff;cursor:pointer}
button.link{background:transparent;border-color:#fff;color:#fff}
button:focus-visible,a:focus-visible,input:focus-visible,.status-icon:focus-visible{outline:3px solid #f2a900;outline-offset:2px}
label{display:block;font-weight:600;margin-top:.75rem}
input{font:inherit;width:100%;max-width:22rem;padding:.4rem;border:1px solid #8a94a3;border-radius:4px}
.hint{color:#4a5563;font-size:.9rem;margin:.25rem 0 0}
.card{background:#fff;border:1px solid #d7dce3;border-radius:6px;padding:1rem 1.25rem;margin-bottom:1rem}
.alert{border-left:4px solid #c62828;background:#fdecea;padding:.75rem 1rem;margin:1rem 0}
.notice{border-left:4px solid #2e7d32;background:#edf7ed;padding:.75rem 1rem;margin:1rem 0}
.alert p,.notice p{margin:.25rem 0}
table{border-collapse:collapse;width:100%;background:#fff}
caption{text-align:left;font-weight:600;padding:.5rem 0}
th,td{text-align:left;padding:.5rem .6rem;border-bottom:1px solid #d7dce3;vertical-align:top}
th{background:#eef1f5}
.status{position:relative;white-space:nowrap}
.status-lost{color:#b71c1c;font-weight:600}
.status-degraded{color:#8a5a00;font-weight:600}
.status-icon{display:inline-block;width:1.3em;height:1.3em;line-height:1.3em;margin-left:.35rem;text-align:center;font-weight:700;color:#fff;background:#c62828;cursor:help;border-radius:50%}
.status-degraded+.status-icon{background:#8a5a00}
[role=tooltip]{display:none;position:absolute;z-index:2;left:0;top:100%;width:min(20rem,80vw);white-space:normal;font-weight:400;color:#fff;background:#1b1f24;padding:.5rem .75rem;border-radius:4px}
.status-icon:hover+[role=tooltip],.status-icon:focus+[role=tooltip]{display:block}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}
dt{font-weight:600}
dd{margin:0}
@media (max-width:800px){
  thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
  table,tbody,tr,td,th{display:block;width:100%}
  tr{border:1px solid #d7dce3;border-radius:6px;margin-bottom:.75rem;background:#fff}
  td,tbody th{border:0;padding:.3rem .75rem}
  td::before,tbody th::before{content:attr(data-label);display:block;font-size:.8rem;font-weight:600;color:#4a5563}
  dl{grid-template-columns:1fr}
}
`;

/** The stylesheet's hash, so the CSP allows exactly this inline style and nothing else. */
export const STYLESHEET_HASH = `sha256-${createHash('sha256').update(STYLESHEET).digest('base64')}`;

export function page(title: string, header: Html, body: Html): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Newforma Connector Service</title>
<style>${STYLESHEET}</style>
</head>
<body>
${header.html}
<main id="main">
${body.html}
</main>
</body>
</html>
`;
}

/** Security headers for every portal answer (SPEC 7): CSP whose form-action reaches Procore's sign-in. */
export function securityHeaders(publicUrl: string, procoreLoginUrl: string): Record<string, string> {
  const overHttps = publicUrl.startsWith('https:');
  const csp = [
    "default-src 'none'",
    `style-src '${STYLESHEET_HASH}'`,
    "img-src 'self' data:",
    `form-action 'self' ${new URL(procoreLoginUrl).origin}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    ...(overHttps ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    // The callback URL carries the authorization code: never send it on as a referrer.
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cache-control': 'no-store',
    ...(overHttps ? { 'strict-transport-security': 'max-age=31536000' } : {}),
  };
}
