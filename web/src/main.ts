// main.ts — the partner portal: the seed's Tracking & Asset Generator on top of the API.
// Sign in with a key; choose one, several or all offers (and an additional URL); toggle tracking
// links, creatives and coupons; get links with copy buttons and QR codes, creatives with details
// and downloads, coupon codes with an export. Every API error is shown in words, next to the
// field it names when it names one.
import { $, h, show, fieldError, clearFieldErrors, copy } from './dom';
import { client, apiBase, storedKey, storeKey, problemText, problemFields, type Schemas, type Problem } from './api';

type Offer = Schemas['OfferSummary'];
type Link = Schemas['TrackingLink'];
type Creative = Schemas['Creative'];
type Coupon = Schemas['Coupon'];

const state = { offers: [] as Offer[], bundle: 'single' as 'single' | 'multiple' | 'all' };

function alertBox(message: string | null): void {
  const box = $('alert');
  box.textContent = message ?? '';
  show(box, !!message);
}

/** Shows a problem: its fields next to their inputs, the rest (or a summary) in the alert. */
function showProblem(p: Problem | undefined, fallback: string): void {
  const fields = problemFields(p);
  const unplaced = fields.filter((f) => !fieldError(f.field.replace(/\[\d+\]$/, ''), f.reason));
  const extra = unplaced.map((f) => `${f.field}: ${f.reason}`).join('; ');
  alertBox(`${problemText(p, fallback)}${extra ? ` (${extra})` : ''}`);
}

async function busy<T>(button: HTMLButtonElement, status: HTMLElement, work: () => Promise<T>): Promise<T> {
  button.disabled = true;
  status.textContent = 'Loading…';
  document.body.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    button.disabled = false;
    status.textContent = '';
    document.body.removeAttribute('aria-busy');
  }
}

// ---- sign in ----

async function signIn(key: string): Promise<boolean> {
  storeKey(key);
  const { data, error, response } = await client.GET('/v1/me');
  if (error || !data) {
    storeKey(null);
    const reason = response.status === 401 ? problemText(error) : problemText(error, 'The API could not be reached.');
    fieldError('api-key', reason);
    return false;
  }
  const who = data.role === 'partner' ? `${data.partner.name}` : 'Administrator';
  $('who-name').textContent = `Signed in as ${who} (key ${data.key.prefix}…)`;
  show($('who'));
  show($('sign-in'), false);
  show($('generator'));
  show($('reports'));
  await loadOffers();
  return true;
}

function signOut(): void {
  storeKey(null);
  location.reload();
}

// ---- offers ----

async function loadOffers(): Promise<void> {
  const list = $('offer-list');
  list.setAttribute('aria-busy', 'true');
  list.replaceChildren(h('p', {}, 'Loading offers…'));
  const offers: Offer[] = [];
  let cursor: string | undefined;
  do {
    const { data, error } = await client.GET('/v1/offers', { params: { query: { limit: 200, cursor } } });
    if (error || !data) {
      showProblem(error, 'The offers could not be loaded.');
      break;
    }
    offers.push(...data.data.filter((o) => o.status !== 'archived'));
    cursor = data.next_cursor ?? undefined;
  } while (cursor);
  state.offers = offers;
  list.setAttribute('aria-busy', 'false');
  renderOffers();
}

function renderOffers(): void {
  const q = ($('offer-search') as HTMLInputElement).value.trim().toLowerCase();
  const multiple = state.bundle === 'multiple';
  const checked = new Set(selectedOfferIds());
  const items = state.offers
    .filter((o) => !q || o.name.toLowerCase().includes(q))
    .map((o) =>
      // the id too: every offer keeps an accessible name, even one whose name is only invisible characters
      h('label', {}, h('input', { type: multiple ? 'checkbox' : 'radio', name: 'offer', value: String(o.id), checked: checked.has(o.id) }), ` ${o.name} `, h('span', { class: 'help' }, `#${o.id}`)),
    );
  $('offer-list').replaceChildren(...(items.length ? items : [h('p', {}, state.offers.length ? 'No offer matches.' : 'No offers available.')]));
}

function selectedOfferIds(): number[] {
  return [...document.querySelectorAll<HTMLInputElement>('#offer-list input[name=offer]:checked')].map((i) => Number(i.value));
}

async function offerChanged(): Promise<void> {
  const field = $('offer-url-field');
  const select = $('offer-url') as HTMLSelectElement;
  const ids = selectedOfferIds();
  show(field, false);
  select.replaceChildren();
  if (state.bundle !== 'single' || ids.length !== 1) return;
  const { data } = await client.GET('/v1/offers/{offer_id}', { params: { path: { offer_id: ids[0] } } });
  const urls = (data?.urls ?? []).filter((u) => u.status === 'active');
  if (!urls.length) return;
  select.append(h('option', { value: '' }, 'Default landing page'), ...urls.map((u) => h('option', { value: String(u.id) }, u.name)));
  show(field);
}

function setBundle(bundle: typeof state.bundle): void {
  state.bundle = bundle;
  show($('offer-picker'), bundle !== 'all');
  renderOffers();
  void offerChanged();
}

// ---- generation ----

const SUBS = ['source_id', 'sub1', 'sub2', 'sub3', 'sub4', 'sub5'] as const;

function linkParams(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of SUBS) {
    const v = ($(s) as HTMLInputElement).value;
    if (v) out[s] = v;
  }
  return out;
}

function kind(): 'click' | 'impression' {
  return (document.querySelector<HTMLInputElement>('input[name=kind]:checked')?.value ?? 'click') as 'click' | 'impression';
}

async function generate(ev: Event): Promise<void> {
  ev.preventDefault();
  clearFieldErrors();
  alertBox(null);
  const ids = selectedOfferIds();
  if (state.bundle !== 'all' && ids.length === 0) {
    fieldError('offers', state.bundle === 'single' ? 'Choose an offer.' : 'Choose at least one offer.');
    return;
  }
  const wantLinks = ($('want-links') as HTMLInputElement).checked;
  const wantCreatives = ($('want-creatives') as HTMLInputElement).checked;
  const wantCoupons = ($('want-coupons') as HTMLInputElement).checked;
  if (!wantLinks && !wantCreatives && !wantCoupons) {
    alertBox('Turn on at least one of: tracking links, creative assets, coupon codes.');
    return;
  }
  const offers = state.bundle === 'all' ? ('all' as const) : ids;
  await busy($('generate') as HTMLButtonElement, $('generate-status'), async () => {
    show($('links-result'), false);
    show($('creatives-result'), false);
    show($('coupons-result'), false);
    show($('package-result'), false);
    if (wantLinks) await generateLinks(offers);
    if (wantCreatives) await loadCreatives(offers);
    if (wantCoupons) await loadCoupons(offers);
    await makePackage(offers, wantLinks, wantCreatives, wantCoupons);
  });
}

/** The whole selection as one asset package, offered as one ZIP. */
async function makePackage(offers: number[] | 'all', links: boolean, creatives: boolean, coupons: boolean): Promise<void> {
  const urlValue = ($('offer-url') as HTMLSelectElement).value;
  const { data, error } = await client.POST('/v1/asset-packages', {
    body: {
      offers,
      offer_url_id: urlValue ? Number(urlValue) : undefined,
      tracking_links: links ? { kind: kind(), include_additional_urls: ($('include-urls') as HTMLInputElement).checked, ...linkParams() } : false,
      creatives,
      coupons,
    },
  });
  if (error || !data) return showProblem(error, 'The asset package could not be made.');
  const a = $('package-download') as HTMLAnchorElement;
  a.href = data.download_url;
  $('package-expires').textContent = `The link works until ${new Date(data.expires_at).toLocaleString()}.`;
  show($('package-result'));
}

async function generateLinks(offers: number[] | 'all'): Promise<void> {
  const urlValue = ($('offer-url') as HTMLSelectElement).value;
  const links: Link[] = [];
  let cursor: string | undefined;
  do {
    const { data, error } = await client.POST('/v1/tracking-links', {
      params: { query: { cursor } },
      body: {
        offers,
        kind: kind(),
        include_additional_urls: ($('include-urls') as HTMLInputElement).checked,
        offer_url_id: urlValue ? Number(urlValue) : undefined,
        ...linkParams(),
      },
    });
    if (error || !data) return showProblem(error, 'The tracking links could not be made.');
    links.push(...data.data);
    cursor = data.next_cursor ?? undefined;
  } while (cursor);
  $('links-body').replaceChildren(...links.map(linkRow));
  show($('links-result'));
}

function copyLine(label: string, url: string, id: string): HTMLElement {
  const status = h('span', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'secondary', 'data-copy': id, 'aria-label': `Copy ${label}` }, `Copy ${label}`);
  button.addEventListener('click', () => void copy(url, button, status));
  return h('div', { class: 'link' }, h('span', {}, `${label}:`), h('span', { class: 'mono' }, url), button, status);
}

function linkRow(l: Link): HTMLTableRowElement {
  const id = `${l.offer_id}-${l.offer_url_id ?? 0}`;
  const second = l.kind === 'click' ? copyLine('Direct Linking', l.direct_url, `direct-${id}`) : copyLine('Impression', l.impression_url, `impression-${id}`);
  const qr = h('button', { type: 'button', class: 'secondary', 'data-qr': id }, 'QR');
  qr.addEventListener('click', () => openQr(l));
  return h(
    'tr',
    { 'data-link': id },
    h('td', {}, l.offer_name),
    h('td', {}, l.url_name ?? 'Default'),
    h('td', {}, copyLine('Redirect', l.redirect_url, `redirect-${id}`), second, qr),
  );
}

function openQr(l: Link): void {
  const dialog = $('qr-dialog') as HTMLDialogElement;
  const size = $('qr-size') as HTMLSelectElement;
  const set = (): void => {
    const png = withParam(l.qr_png_url, 'size', size.value);
    const svg = withParam(l.qr_svg_url, 'size', size.value);
    const img = $('qr-image') as HTMLImageElement;
    img.src = png;
    img.width = img.height = Math.min(Number(size.value), 300);
    ($('qr-png') as HTMLAnchorElement).href = withParam(png, 'download', '1');
    ($('qr-svg') as HTMLAnchorElement).href = withParam(svg, 'download', '1');
  };
  $('qr-link').textContent = l.redirect_url;
  size.onchange = set;
  set();
  dialog.showModal();
}

function withParam(url: string, name: string, value: string): string {
  const u = new URL(url);
  u.searchParams.set(name, value);
  return u.toString();
}

// ---- creatives ----

async function loadCreatives(offers: number[] | 'all'): Promise<void> {
  const items: Creative[] = [];
  const targets = offers === 'all' ? [undefined] : offers;
  for (const offerId of targets) {
    let cursor: string | undefined;
    do {
      const { data, error } = await client.GET('/v1/creatives', {
        params: { query: { offer_id: offerId, limit: 200, cursor, kind: kind(), ...linkParams() } },
      });
      if (error || !data) return showProblem(error, 'The creatives could not be loaded.');
      items.push(...data.data);
      cursor = data.next_cursor ?? undefined;
    } while (cursor);
  }
  const grid = $('creatives-grid');
  grid.replaceChildren(...(items.length ? items.map(creativeCard) : [h('li', {}, 'No creatives for these offers.')]));
  const all = $('download-all') as HTMLAnchorElement;
  show(all, items.length > 0);
  if (items.length) {
    const query = offers !== 'all' && offers.length === 1 ? { offer_id: offers[0] } : { ids: items.slice(0, 500).map((c) => c.id).join(',') };
    const { data } = await client.GET('/v1/creatives/download-url', { params: { query: { ...query, kind: kind(), ...linkParams() } } });
    if (data) all.href = data.url;
  }
  show($('creatives-result'));
}

function creativeCard(c: Creative): HTMLLIElement {
  const thumb = c.thumbnail_url
    ? h('img', { src: c.thumbnail_url, alt: `Preview of ${c.name}`, loading: 'lazy' })
    : h('div', { class: 'thumb-none', 'aria-hidden': 'true' }, c.type.toUpperCase());
  const details = h('button', { type: 'button', class: 'secondary', 'data-details': String(c.id) }, 'View Details');
  details.addEventListener('click', () => openCreative(c));
  const download = c.download_url ? h('a', { class: 'button', href: c.download_url, download: true, 'data-download': String(c.id) }, 'Download') : null;
  return h('li', { class: 'card', 'data-creative': String(c.id) }, thumb, h('strong', {}, c.name), h('span', {}, `${c.type} · ${c.offer_name}`), h('div', { class: 'row' }, details, download));
}

function openCreative(c: Creative): void {
  $('creative-title').textContent = c.name;
  const facts: [string, string][] = [
    ['Offer', c.offer_name],
    ['Type', c.type],
  ];
  if (c.file) {
    facts.push(['File', `${c.file.name} (${c.file.content_type}, ${formatBytes(c.file.size)})`]);
    if (c.file.width && c.file.height) facts.push(['Dimensions', `${c.file.width} × ${c.file.height} px`]);
  }
  if (c.email_subjects.length) facts.push(['Subject lines', c.email_subjects.join(' / ')]);
  if (c.email_from_lines.length) facts.push(['From lines', c.email_from_lines.join(' / ')]);
  $('creative-facts').replaceChildren(...facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  const code = c.html_code ?? c.text_body;
  show($('creative-code-field'), !!code);
  ($('creative-code') as HTMLTextAreaElement).value = code ?? '';
  const button = $('creative-copy') as HTMLButtonElement;
  button.onclick = () => void copy(code ?? '', button, $('creative-copied'));
  const dl = $('creative-download') as HTMLAnchorElement;
  show(dl, !!c.download_url);
  if (c.download_url) dl.href = c.download_url;
  ($('creative-dialog') as HTMLDialogElement).showModal();
}

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(1)} MiB`;
}

// ---- coupons ----

async function loadCoupons(offers: number[] | 'all'): Promise<void> {
  const single = offers !== 'all' && offers.length === 1 ? offers[0] : undefined;
  const wanted = offers === 'all' ? null : new Set(offers);
  const items: Coupon[] = [];
  let cursor: string | undefined;
  do {
    const { data, error } = await client.GET('/v1/coupons', { params: { query: { offer_id: single, limit: 200, cursor } } });
    if (error || !data) return showProblem(error, 'The coupon codes could not be loaded.');
    items.push(...data.data.filter((c) => !wanted || wanted.has(c.offer_id)));
    cursor = data.next_cursor ?? undefined;
  } while (cursor);
  const date = (s: string | null | undefined): string => (s ? new Date(s).toLocaleDateString() : '—');
  $('coupons-body').replaceChildren(
    ...(items.length
      ? items.map((c) => h('tr', { 'data-coupon': c.code }, h('td', { class: 'mono' }, c.code), h('td', {}, c.offer_name), h('td', {}, c.state), h('td', {}, date(c.starts_at)), h('td', {}, date(c.ends_at)), h('td', {}, c.description ?? '')))
      : [h('tr', {}, h('td', { colspan: '6' }, 'No coupon codes are available for you on these offers.'))]),
  );
  const { data } = await client.GET('/v1/coupons/export-url', { params: { query: single ? { offer_id: single } : {} } });
  const exp = $('coupons-export') as HTMLAnchorElement;
  if (data) exp.href = data.url;
  exp.textContent = single ? 'Export (CSV)' : 'Export all my codes (CSV)';
  show($('coupons-result'));
}

// ---- reports ----

const DIMENSION_LABEL: Record<string, string> = { date: 'Date', offer_id: 'Offer', source_id: 'Source ID', sub1: 'Sub1', sub2: 'Sub2', sub3: 'Sub3', sub4: 'Sub4', sub5: 'Sub5' };
const METRICS: [keyof Schemas['ReportMetrics'], string][] = [['clicks', 'Clicks'], ['unique_clicks', 'Unique clicks'], ['impressions', 'Impressions'], ['ctr', 'CTR']];

function reportQuery(): { group_by: string; from: string; to: string; timezone: string } {
  const groups = [...document.querySelectorAll<HTMLInputElement>('input[name=group]:checked')].map((i) => i.value);
  const to = ($('to') as HTMLInputElement).value;
  // `to` is inclusive on the page; the API's is exclusive: the next day
  const next = to ? new Date(Date.parse(`${to}T00:00:00Z`) + 86400000).toISOString().slice(0, 10) : '';
  return { group_by: groups.join(','), from: ($('from') as HTMLInputElement).value, to: next, timezone: ($('timezone') as HTMLInputElement).value };
}

function cell(row: Record<string, unknown>, dim: string): string {
  if (dim === 'offer_id') return String(row.offer_name ?? row.offer_id ?? '');
  const v = row[dim];
  return v === null || v === undefined ? '—' : String(v);
}

function metric(v: number | null | undefined, name: string): string {
  if (v === null || v === undefined) return '—';
  return name === 'ctr' ? `${(v * 100).toFixed(2)} %` : v.toLocaleString();
}

async function runReport(ev: Event): Promise<void> {
  ev.preventDefault();
  clearFieldErrors();
  alertBox(null);
  const q = reportQuery();
  if (!q.group_by) {
    fieldError('group_by', 'Choose at least one thing to group by.');
    return;
  }
  await busy($('run-report') as HTMLButtonElement, $('report-status'), async () => {
    const { data, error } = await client.GET('/v1/reports/hits', { params: { query: { ...q, limit: 1000 } } });
    if (error || !data || typeof data === 'string') return showProblem(error, 'The report could not be made.');
    const dims = q.group_by.split(',');
    $('report-head').replaceChildren(...dims.map((d) => h('th', { scope: 'col' }, DIMENSION_LABEL[d] ?? d)), ...METRICS.map(([, l]) => h('th', { scope: 'col' }, l)));
    const rows = data.data as unknown as Record<string, unknown>[];
    $('report-body').replaceChildren(
      ...(rows.length
        ? rows.map((r) => h('tr', {}, ...dims.map((d) => h('td', {}, cell(r, d))), ...METRICS.map(([m]) => h('td', {}, metric(r[m] as number, m)))))
        : [h('tr', {}, h('td', { colspan: String(dims.length + METRICS.length) }, 'No clicks or impressions in this range.'))]),
    );
    const t = data.totals as unknown as Record<string, number>;
    $('report-totals').replaceChildren(h('th', { scope: 'row', colspan: String(dims.length) }, 'Total'), ...METRICS.map(([m]) => h('td', {}, metric(t[m], m))));
    show($('report-table'));
    const url = await client.GET('/v1/reports/hits/export-url', { params: { query: q } });
    const a = $('report-export') as HTMLAnchorElement;
    if (url.data) a.href = url.data.url;
    show(a, !!url.data);
  });
}

function reportDefaults(): void {
  const today = new Date();
  const weekAgo = new Date(today.getTime() - 6 * 86400000);
  ($('from') as HTMLInputElement).value = weekAgo.toISOString().slice(0, 10);
  ($('to') as HTMLInputElement).value = today.toISOString().slice(0, 10);
  ($('timezone') as HTMLInputElement).value = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

// ---- wiring ----

function start(): void {
  $('sign-in-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearFieldErrors();
    const input = $('api-key') as HTMLInputElement;
    const key = input.value.trim();
    if (!key) {
      fieldError('api-key', 'Paste your API key.');
      return;
    }
    void busy($('sign-in-button') as HTMLButtonElement, $('api-key-help'), () => signIn(key)).then((ok) => {
      if (ok) input.value = '';
    });
  });
  $('sign-out').addEventListener('click', signOut);
  for (const r of document.querySelectorAll<HTMLInputElement>('input[name=bundle]')) {
    r.addEventListener('change', () => setBundle(r.value as typeof state.bundle));
  }
  $('offer-search').addEventListener('input', renderOffers);
  $('offer-list').addEventListener('change', () => void offerChanged());
  $('want-links').addEventListener('change', (ev) => show($('links-options'), (ev.target as HTMLInputElement).checked));
  $('generator-form').addEventListener('submit', (ev) => void generate(ev));
  $('report-form').addEventListener('submit', (ev) => void runReport(ev));
  reportDefaults();
  document.documentElement.dataset.api = apiBase();
  const key = storedKey();
  if (key) void signIn(key);
}

start();
