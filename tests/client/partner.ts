// partner.ts — what a partner integration writes against a client generated from
// openapi/openapi.yaml (openapi-typescript + openapi-fetch, generator defaults). It is only
// compiled (tsc --noEmit --strict, tests/client/check.sh), never run: it proves that the natural
// calls type-check, that the discriminated unions narrow, and (the @ts-expect-error lines) that
// the types are precise rather than `any`.
import createClient from 'openapi-fetch';
import type { components, paths } from './generated/schema';

type Schemas = components['schemas'];

const client = createClient<paths>({
  baseUrl: 'https://trackgen.example',
  headers: { Authorization: 'Bearer tg_000000000000_0000000000000000000000000000000000000000000000000000000000000000' },
});

/** A problem answer: the fields that are wrong, when the problem names them. */
function describeProblem(p: Schemas['Problem']): string {
  if (p.type === 'https://trackgen.dev/problems/validation' || p.type === 'https://trackgen.dev/problems/unprocessable') {
    // errors is required on field problems: no undefined check needed.
    return p.errors.map((e) => `${e.in} ${e.field}: ${e.reason}`).join('; ');
  }
  return `${p.status} ${p.title}${p.errors ? ` (${p.errors.length} items)` : ''}`;
}

async function whoAmI(): Promise<number | null> {
  const { data, error } = await client.GET('/v1/me');
  if (error) throw new Error(describeProblem(error));
  if (data.role === 'partner') {
    // Narrowed by role: a partner key always has its partner.
    const partner: Schemas['Partner'] = data.partner;
    return partner.id;
  }
  // An admin key has no partner. (Its `partner: null` is in the generated AdminMe, but
  // openapi-fetch 0.17 drops properties whose only type is null from `data`: openapi-ts#2717.)
  const key: Schemas['MeKey'] = data.key;
  const admin: Schemas['AdminMe']['role'] = data.role;
  console.log(key.prefix, admin);
  return null;
}

async function allActiveOffers(): Promise<Schemas['OfferSummary'][]> {
  const offers: Schemas['OfferSummary'][] = [];
  let cursor: string | undefined;
  do {
    const { data, error } = await client.GET('/v1/offers', {
      params: { query: { status: 'active', q: 'summer', limit: 100, cursor } },
    });
    if (error) throw new Error(describeProblem(error));
    offers.push(...data.data);
    cursor = data.next_cursor ?? undefined;
  } while (cursor);
  return offers;
}

async function oneOffer(offerId: number): Promise<string[]> {
  const { data, error } = await client.GET('/v1/offers/{offer_id}', { params: { path: { offer_id: offerId } } });
  if (error) throw new Error(describeProblem(error));
  return data.urls.map((u) => `${u.name}: ${u.destination_url}`);
}

async function clickLinks(offerId: number): Promise<void> {
  // Only what matters is given: include_additional_urls and kind take their defaults.
  const { data, error } = await client.POST('/v1/tracking-links', {
    body: { offers: [offerId], source_id: 'newsletter', sub1: 'spring-promo' },
  });
  if (error) throw new Error(describeProblem(error));
  for (const link of data.data) {
    if (link.kind === 'click') {
      const direct: string = link.direct_url; // the landing page itself, with tg_token
      // @ts-expect-error a click link has no impression pixel
      console.log(link.impression_url);
      console.log(link.redirect_url, direct, link.qr_png_url, link.qr_svg_url);
    } else {
      const pixel: string = link.impression_url;
      console.log(pixel);
    }
  }
}

async function impressionPixel(offerId: number, urlId: number): Promise<string> {
  const { data, error } = await client.POST('/v1/tracking-links', {
    body: { offers: [offerId], kind: 'impression', offer_url_id: urlId, sub2: 'banner-300x250' },
  });
  if (error) throw new Error(describeProblem(error));
  const link = data.data[0];
  if (!link || link.kind !== 'impression') throw new Error('expected an impression link');
  return link.impression_url;
}

async function everyOfferLinks(): Promise<Schemas['TrackingLink'][]> {
  const links: Schemas['TrackingLink'][] = [];
  let cursor: string | undefined;
  do {
    const { data, error } = await client.POST('/v1/tracking-links', {
      params: { query: { limit: 50, cursor } },
      body: { offers: 'all', include_additional_urls: true, kind: 'click' },
    });
    if (error) throw new Error(describeProblem(error));
    links.push(...data.data);
    cursor = data.next_cursor ?? undefined;
  } while (cursor);
  return links;
}

async function recentClicks(): Promise<Schemas['Hit'][]> {
  const { data, error } = await client.GET('/v1/hits', {
    params: { query: { from: '2026-11-25T00:00:00Z', to: '2026-11-26T00:00:00Z', kind: 'click', limit: 200 } },
  });
  if (error) throw new Error(describeProblem(error));
  const kind: Schemas['LinkKind'] = data.data[0]?.kind ?? 'click';
  console.log(kind);
  return data.data.filter((h) => !h.is_bot && h.outcome === 'redirected');
}

async function qrImage(offerId: number): Promise<Blob> {
  const { data, error } = await client.POST('/v1/tracking-links', { body: { offers: [offerId], sub1: 'flyer' } });
  if (error) throw new Error(describeProblem(error));
  const link = data.data[0];
  if (!link) throw new Error('no link');
  // The QR URLs are public image URLs (no key): an <img src> or a plain fetch.
  const png = await fetch(`${link.qr_png_url}&size=600&ecc=Q`);
  // And the QR code of any text, with the key.
  const svg = await client.GET('/v1/qr', {
    params: { query: { data: link.redirect_url, format: 'svg', size: 300, margin: 2, ecc: 'H' } },
    parseAs: 'blob',
  });
  if (svg.error) throw new Error(describeProblem(svg.error));
  console.log(svg.data.size);
  return png.blob();
}

// Direct linking, on the landing page (what sdk.js does): no key needed.
async function registerDirectClick(token: string, sub1: string | null): Promise<string> {
  const { data, error } = await client.POST('/v1/clicks', { body: { token, sub1 } });
  if (error) throw new Error(describeProblem(error));
  return data.transaction_id;
}

// Two admin calls whose request bodies have defaults or a role rule (the partner's set-up).
async function setUpPartner(partnerId: number): Promise<string> {
  const offer = await client.POST('/v1/offers', {
    body: { name: 'Summer Sale', destination_url: 'https://shop.example/?click={transaction_id}' },
  });
  if (offer.error) throw new Error(describeProblem(offer.error));
  // (`partner_id: null` is accepted for an admin key too, but openapi-fetch 0.17 drops null-only
  // properties from request bodies: openapi-ts#2717.)
  const admin = await client.POST('/v1/api-keys', { body: { role: 'admin', name: 'CI', rate_limit: 0 } });
  if (admin.error) throw new Error(describeProblem(admin.error));
  const key = await client.POST('/v1/api-keys', { body: { role: 'partner', partner_id: partnerId } });
  if (key.error) throw new Error(describeProblem(key.error));
  // @ts-expect-error a partner key needs its partner
  await client.POST('/v1/api-keys', { body: { role: 'partner' } });
  // @ts-expect-error an admin key has no partner
  await client.POST('/v1/api-keys', { body: { role: 'admin', partner_id: partnerId } });
  return key.data.key;
}

// The types are precise, not `any`:
async function wrongCalls(): Promise<void> {
  // @ts-expect-error kind is click or impression
  await client.POST('/v1/tracking-links', { body: { offers: [1], kind: 'conversion' } });
  // @ts-expect-error offers is required
  await client.POST('/v1/tracking-links', { body: { sub1: 'x' } });
  // @ts-expect-error offers is "all" or ids
  await client.POST('/v1/tracking-links', { body: { offers: 'some' } });
  // @ts-expect-error the direct click needs its token
  await client.POST('/v1/clicks', { body: { sub1: 'x' } });
  // @ts-expect-error hits are filtered by kind, not by type
  await client.GET('/v1/hits', { params: { query: { type: 'click' } } });
  const { data } = await client.GET('/v1/me');
  if (data) {
    // @ts-expect-error the partner is there only for a partner key: narrow by role first
    console.log(data.partner.id);
  }
}

export {
  whoAmI,
  allActiveOffers,
  oneOffer,
  clickLinks,
  impressionPixel,
  everyOfferLinks,
  recentClicks,
  qrImage,
  registerDirectClick,
  setUpPartner,
  wrongCalls,
};
